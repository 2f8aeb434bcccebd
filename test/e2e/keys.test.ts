import OpenAI from 'openai'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { spawnGateway, type SpawnedGateway } from '../support/gateway.ts'
import { MongoStandIn } from '../support/mongo-standin.ts'

// Gateway keys managed over the admin API of `node src/server.ts`, as the openai client sees them.

const ADMIN = 'admin-token-for-e2e-tests'
let fake: FakeOpenAI
let standin: MongoStandIn

beforeAll(async () => {
  fake = await new FakeOpenAI().start()
  standin = await new MongoStandIn().start()
})

afterAll(async () => {
  await fake?.close()
  await standin?.close()
})

const config = () => ({
  providers: { up: { type: 'openai', baseUrl: `${fake.url}/v1` } },
  models: {
    'gpt-4o-mini': { targets: [{ provider: 'up' }] },
    'gpt-4.1': { targets: [{ provider: 'up' }] },
  },
})

async function admin(
  gw: SpawnedGateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${gw.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(res.status).toBeLessThan(300)
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>)
}

const client = (gw: SpawnedGateway, key: string) =>
  new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 })
const ask = (gw: SpawnedGateway, key: string, model = 'gpt-4o-mini') =>
  client(gw, key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })

async function refusal(
  p: Promise<unknown>,
): Promise<{ status: number; code: string | null | undefined; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof OpenAI.APIError)) throw new Error(`expected a refusal, got ${String(err)}`)
  return { status: err.status as number, code: err.code, message: err.message }
}

describe.each([
  [
    'the memory store persisted to SWITCHYARD_DATA',
    () => ({ SWITCHYARD_DATA: join(mkdtempSync(join(tmpdir(), 'sy-keys-')), 'data.json') }),
  ],
  [
    'MongoDB (the wire-protocol stand-in)',
    () => ({
      MONGODB_URI: standin.uri,
      MONGODB_DB: `e2e_${Date.now()}`,
      SWITCHYARD_MIGRATE: 'true',
    }),
  ],
])('gateway keys with %s', (_label, storeEnv) => {
  let gw: SpawnedGateway
  let env: Record<string, string>
  beforeAll(async () => {
    env = { SWITCHYARD_ADMIN_TOKEN: ADMIN, ...storeEnv() }
    gw = await spawnGateway({ config: config(), env })
  })
  afterAll(async () => {
    await gw?.stop()
  })

  it('refuses a revoked key with 401 and its message', async () => {
    const k = await admin(gw, 'POST', '/keys', { name: 'doomed' })
    expect((await ask(gw, k['key'] as string)).choices[0]?.message.content).toBe('You said: hi')
    await admin(gw, 'DELETE', `/keys/${k['id']}`)
    const r = await refusal(ask(gw, k['key'] as string))
    expect([r.status, r.code]).toEqual([401, 'invalid_api_key'])
  })

  it('refuses an expired key with 401 key_expired', async () => {
    const k = await admin(gw, 'POST', '/keys', {
      name: 'brief',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    })
    await admin(gw, 'PATCH', `/keys/${k['id']}`, {
      expiresAt: new Date(Date.now() - 1_000).toISOString(),
    })
    const r = await refusal(ask(gw, k['key'] as string))
    expect([r.status, r.code]).toEqual([401, 'key_expired'])
    expect(r.message).toContain('expired')
  })

  it('refuses a key used from outside its IP allowlist with 403', async () => {
    const k = await admin(gw, 'POST', '/keys', { name: 'office-only', ips: ['10.0.0.0/8'] })
    const r = await refusal(ask(gw, k['key'] as string))
    expect([r.status, r.code]).toEqual([403, 'ip_not_allowed'])
    const local = await admin(gw, 'POST', '/keys', {
      name: 'loopback',
      ips: ['127.0.0.0/8', '::1/128'],
    })
    expect((await ask(gw, local['key'] as string)).object).toBe('chat.completion')
  })

  it('refuses a model outside the key allowlist with 403', async () => {
    const k = await admin(gw, 'POST', '/keys', { name: 'mini-only', models: ['gpt-4o-mini'] })
    const r = await refusal(ask(gw, k['key'] as string, 'gpt-4.1'))
    expect([r.status, r.code]).toEqual([403, 'model_not_allowed'])
    expect(r.message).toContain("may not use the model 'gpt-4.1'")
  })

  it('accepts a rotated key’s old secret during the grace period, not after', async () => {
    const k = await admin(gw, 'POST', '/keys', { name: 'rotating' })
    const next = await admin(gw, 'POST', `/keys/${k['id']}/rotate`, { gracePeriodSeconds: 1 })
    expect((await ask(gw, k['key'] as string)).object).toBe('chat.completion')
    expect((await ask(gw, next['key'] as string)).object).toBe('chat.completion')
    await new Promise((r) => setTimeout(r, 1_100))
    const r = await refusal(ask(gw, k['key'] as string))
    expect([r.status, r.code]).toEqual([401, 'key_rotated'])
    expect((await ask(gw, next['key'] as string)).object).toBe('chat.completion')
  })

  it('keeps keys across a restart, and records when they were last used', async () => {
    const k = await admin(gw, 'POST', '/keys', { name: 'survivor' })
    await ask(gw, k['key'] as string)
    await gw.stop()
    gw = await spawnGateway({ config: config(), env })
    expect((await ask(gw, k['key'] as string)).object).toBe('chat.completion')
    const view = await admin(gw, 'GET', `/keys/${k['id']}`)
    expect(typeof view['lastUsedAt']).toBe('string')
  })
})
