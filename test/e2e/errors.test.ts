import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { runGatewayToExit, spawnGateway, type SpawnedGateway } from '../support/gateway.ts'

// Every error status, as the official client sees it from a gateway in its own process.

const KEY = 'sk-sy-errors-main'
const NARROW = 'sk-sy-errors-narrow'
let fake: FakeOpenAI
let gw: SpawnedGateway
let client: OpenAI

beforeAll(async () => {
  fake = await new FakeOpenAI().start()
  gw = await spawnGateway({
    config: {
      providers: {
        up: { type: 'openai', baseUrl: `${fake.url}/v1` },
        dead: { type: 'openai', baseUrl: 'http://127.0.0.1:1/v1' },
      },
      models: {
        'gpt-4o-mini': { targets: [{ provider: 'up' }] },
        slow: { targets: [{ provider: 'up', model: 'gpt-4o-mini' }] },
        broken: { targets: [{ provider: 'dead' }] },
      },
      keys: [
        { name: 'main', key: KEY },
        { name: 'narrow', key: NARROW, models: ['slow'] },
      ],
      maxBodyBytes: 65_536,
      timeouts: { attemptMs: 400, totalMs: 2_000 },
      retry: { maxRetries: 1, baseDelayMs: 10 },
    },
  })
  client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await gw?.stop()
  await fake?.close()
})

const user = [{ role: 'user' as const, content: 'hi' }]

async function caught(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(err)}`)
  return err
}

describe('error statuses through the openai client', () => {
  it('400 for a body of the wrong shape, naming the param', async () => {
    const err = await caught(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: 'hi' as never }),
    )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.param).toBe('messages')
  })

  it('400 for malformed JSON', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"model":',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
  })

  it('401 for a missing key', async () => {
    const res = await fetch(`${gw.url}/v1/models`)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_api_key')
  })

  it('403 for a model the key may not use', async () => {
    const narrow = new OpenAI({ apiKey: NARROW, baseURL: `${gw.url}/v1`, maxRetries: 0 })
    const err = await caught(
      narrow.chat.completions.create({ model: 'gpt-4o-mini', messages: user }),
    )
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect(err.code).toBe('model_not_allowed')
  })

  it('404 for an unknown model', async () => {
    const err = await caught(client.chat.completions.create({ model: 'gpt-nope', messages: user }))
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.code).toBe('model_not_found')
  })

  it('413 for a body over the limit', async () => {
    const err = await caught(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x'.repeat(100_000) }],
      }),
    )
    expect(err.status).toBe(413)
    expect(err.code).toBe('payload_too_large')
  })

  it('502 when the upstream cannot be reached', async () => {
    const err = await caught(client.chat.completions.create({ model: 'broken', messages: user }))
    expect(err.status).toBe(502)
    expect(err.message).toContain('ECONNREFUSED')
  })

  it('504 when the upstream does not answer in time', async () => {
    fake.enqueue({ kind: 'hang' })
    const err = await caught(client.chat.completions.create({ model: 'slow', messages: user }))
    expect(err.status).toBe(504)
    expect(err.code).toBe('upstream_timeout')
  })

  it('stays up and serves the next request after all of that', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user })
    expect(res.choices[0]?.message.content).toBe('You said: hi')
    expect(gw.output()).not.toMatch(/\n\s+at /) // no stack traces in the logs either
  })
})

describe('start-up', () => {
  it('stops with a message naming the bad field when the config is invalid', async () => {
    const config = JSON.stringify({
      providers: { p: { type: 'openai' } },
      models: { m: { targets: [{ provider: 'q' }] } },
    })
    const { code, output } = await runGatewayToExit({ SWITCHYARD_CONFIG: config })
    expect(code).toBe(1)
    expect(output).toContain('models.m.targets.0.provider: unknown provider "q"')
    expect(output).not.toMatch(/\n\s+at /)
  })

  it('generates and prints a development key when none is configured on loopback', async () => {
    const dev = await spawnGateway({
      env: { OPENAI_BASE_URL: `${fake.url}/v1`, SWITCHYARD_API_KEYS: '' },
    })
    try {
      const key = /"key":"(sk-sy-dev-[^"]+)"/.exec(dev.output())?.[1]
      expect(key).toBeDefined()
      const c = new OpenAI({ apiKey: key, baseURL: `${dev.url}/v1`, maxRetries: 0 })
      const res = await c.chat.completions.create({ model: 'any-model-name', messages: user })
      expect(res.choices[0]?.message.content).toBe('You said: hi')
      expect(fake.requests.at(-1)?.json?.['model']).toBe('any-model-name')
    } finally {
      await dev.stop()
    }
  })

  it('never serves anonymous callers when not on loopback and no key is set', async () => {
    const open = await spawnGateway({ env: { HOST: '0.0.0.0', OPENAI_BASE_URL: `${fake.url}/v1` } })
    try {
      expect(open.output()).not.toContain('sk-sy-dev-')
      const port = new URL(open.url).port
      const res = await fetch(`http://127.0.0.1:${port}/v1/models`)
      expect(res.status).toBe(401)
    } finally {
      await open.stop()
    }
  })
})
