import { MongoClient } from 'mongodb'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/adapters/store-memory.ts'
import { mongoStore } from '../../src/adapters/store-mongo.ts'
import type { UsageEvent } from '../../src/core/ports.ts'
import type { KeyRecord, Store } from '../../src/core/store.ts'
import { MongoStandIn } from '../support/mongo-standin.ts'

// One contract for every store: the memory store always; MongoDB through the official driver
// against the loopback wire-protocol stand-in always; and a real MongoDB whenever MONGODB_URI is set.

const DAY = 86_400_000
const T0 = Date.parse('2026-11-01T00:00:00Z')

function key(over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: 'k1',
    name: 'app',
    owner: 'team-a',
    hash: 'sha256:aaa',
    scopes: ['chat'],
    models: ['*'],
    ips: [],
    enabled: true,
    metadata: { env: 'prod' },
    createdAt: T0,
    ...over,
  }
}

function usage(over: Partial<UsageEvent>): UsageEvent {
  return {
    requestId: 'r',
    at: T0,
    key: 'app',
    operation: 'chat',
    model: 'm1',
    provider: 'p1',
    status: 200,
    stream: false,
    attempts: 1,
    promptTokens: 10,
    completionTokens: 5,
    latencyMs: 3,
    costUsd: 0.001,
    ...over,
  }
}

let standin: MongoStandIn
const clients: MongoClient[] = []

async function mongoOn(uri: string, db: string): Promise<Store> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 }).connect()
  clients.push(client)
  await client.db(db).dropDatabase()
  const store = mongoStore(client.db(db))
  await store.migrate()
  return store
}

beforeAll(async () => {
  standin = await new MongoStandIn().start()
})

afterAll(async () => {
  for (const c of clients) await c.close()
  await standin?.close()
})

const IMPLEMENTATIONS: [string, () => Promise<Store>][] = [
  ['memory', async () => memoryStore()],
  [
    'mongodb (wire-protocol stand-in)',
    () => mongoOn(standin.uri, `sy_test_${Math.random().toString(36).slice(2)}`),
  ],
]
if (process.env['MONGODB_URI']) {
  IMPLEMENTATIONS.push([
    'mongodb (MONGODB_URI)',
    () => mongoOn(process.env['MONGODB_URI'] as string, `sy_test_${Date.now()}`),
  ])
}

describe.each(IMPLEMENTATIONS)('store contract: %s', (_name, make) => {
  let store: Store
  beforeAll(async () => {
    store = await make()
  })

  it('puts, lists, replaces and deletes providers and routes, moving the version', async () => {
    const v0 = await store.version()
    await store.putProvider({
      id: 'oa',
      config: { type: 'openai', apiKey: 'enc:x' },
      updatedAt: T0,
    })
    await store.putProvider({ id: 'an', config: { type: 'anthropic' }, updatedAt: T0 })
    await store.putProvider({
      id: 'oa',
      config: { type: 'openai', baseUrl: 'http://x/v1' },
      updatedAt: T0 + 1,
    })
    expect(await store.listProviders()).toEqual([
      { id: 'an', config: { type: 'anthropic' }, updatedAt: T0 },
      { id: 'oa', config: { type: 'openai', baseUrl: 'http://x/v1' }, updatedAt: T0 + 1 },
    ])
    await store.putRoute({
      name: 'fast',
      route: { targets: [{ provider: 'oa', model: 'gpt-4o-mini' }], contextWindow: 128000 },
      updatedAt: T0,
    })
    expect((await store.listRoutes())[0]?.route.contextWindow).toBe(128000)
    expect(await store.deleteRoute('fast')).toBe(true)
    expect(await store.deleteRoute('fast')).toBe(false)
    expect(await store.deleteProvider('an')).toBe(true)
    expect((await store.listProviders()).map((p) => p.id)).toEqual(['oa'])
    expect(await store.version()).toBeGreaterThan(v0)
  })

  it('inserts keys with unique ids and hashes, finds them by current or previous hash', async () => {
    expect(await store.insertKey(key())).toBe(true)
    expect(await store.insertKey(key({ id: 'k2' }))).toBe(false) // same hash
    expect(await store.insertKey(key({ hash: 'sha256:bbb' }))).toBe(false) // same id
    expect(
      await store.insertKey(
        key({ id: 'k2', name: 'other', hash: 'sha256:bbb', expiresAt: T0 + DAY }),
      ),
    ).toBe(true)
    expect((await store.getKey('k1'))?.metadata).toEqual({ env: 'prod' })
    expect((await store.findKeyByHash('sha256:bbb'))?.id).toBe('k2')
    expect(await store.findKeyByHash('sha256:zzz')).toBeUndefined()

    const rotated = {
      ...key(),
      hash: 'sha256:ccc',
      previousHash: 'sha256:aaa',
      previousExpiresAt: T0 + 60_000,
    }
    expect(await store.updateKey(rotated)).toBe(true)
    expect((await store.findKeyByHash('sha256:aaa'))?.id).toBe('k1')
    expect((await store.findKeyByHash('sha256:ccc'))?.previousExpiresAt).toBe(T0 + 60_000)
    expect(await store.insertKey(key({ id: 'k3', hash: 'sha256:aaa' }))).toBe(false) // a previous hash is still taken
    expect(await store.updateKey(key({ id: 'nope' }))).toBe(false)
  })

  it('records last use monotonically, and deletes keys', async () => {
    await store.touchKey('k2', T0 + 5_000)
    await store.touchKey('k2', T0 + 1_000)
    expect((await store.getKey('k2'))?.lastUsedAt).toBe(T0 + 5_000)
    expect((await store.listKeys()).map((k) => k.id)).toEqual(['k1', 'k2'])
    expect(await store.deleteKey('k2')).toBe(true)
    expect(await store.getKey('k2')).toBeUndefined()
  })

  it('aggregates usage by key, model, provider and day within a time range', async () => {
    await store.recordUsage([
      usage({ at: T0 + 1000 }),
      usage({ at: T0 + 2000, model: 'm2', promptTokens: 20, costUsd: 0.002 }),
      usage({
        at: T0 + DAY + 5,
        status: 502,
        errorCode: 'upstream_error',
        promptTokens: undefined,
        completionTokens: undefined,
        costUsd: undefined,
        provider: undefined,
      }),
      usage({ at: T0 + 3 * DAY, key: 'other' }),
    ])
    const byDay = await store.queryUsage({ from: T0, to: T0 + 2 * DAY, groupBy: ['day'] })
    expect(byDay).toEqual([
      {
        day: '2026-11-01',
        requests: 2,
        errors: 0,
        promptTokens: 30,
        completionTokens: 10,
        costUsd: expect.closeTo(0.003, 9),
      },
      {
        day: '2026-11-02',
        requests: 1,
        errors: 1,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
      },
    ])
    const byModel = await store.queryUsage({
      from: T0,
      to: T0 + 10 * DAY,
      key: 'app',
      groupBy: ['key', 'model'],
    })
    expect(byModel.map((r) => [r.key, r.model, r.requests])).toEqual([
      ['app', 'm1', 2],
      ['app', 'm2', 1],
    ])
    const byProvider = await store.queryUsage({
      from: T0,
      to: T0 + 10 * DAY,
      groupBy: ['provider'],
    })
    expect(byProvider.map((r) => [r.provider, r.requests])).toEqual([
      ['', 1],
      ['p1', 3],
    ])
  })
})

describe('memory store persistence (SWITCHYARD_DATA)', () => {
  it('keeps keys, providers and routes across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-data-')), 'data.json')
    const persistence = {
      load: () => readFileSync(file, { flag: 'a+' }).toString() || undefined,
      save: (t: string) => writeFileSync(file, t),
    }
    const first = memoryStore({ persistence })
    await first.insertKey(key())
    await first.putProvider({ id: 'oa', config: { type: 'openai' }, updatedAt: T0 })
    const second = memoryStore({ persistence })
    expect((await second.findKeyByHash('sha256:aaa'))?.name).toBe('app')
    expect((await second.listProviders()).map((p) => p.id)).toEqual(['oa'])
  })
})

describe('the stand-in', () => {
  it('was driven by the real driver, indexes included', () => {
    expect(standin.commands).toEqual(
      expect.arrayContaining(['createIndexes', 'insert', 'find', 'update', 'delete', 'aggregate']),
    )
  })
})
