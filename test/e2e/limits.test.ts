import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { spawnGateway, type SpawnedGateway } from '../support/gateway.ts'
import { startRedis, type TestRedis } from '../support/redis.ts'

// Limits that hold across processes: gateways sharing one real redis-server.

let fake: FakeOpenAI
let redis: TestRedis

beforeAll(async () => {
  fake = await new FakeOpenAI().start()
  redis = await startRedis({ own: true })
})

afterAll(async () => {
  await fake?.close()
  await redis?.stop()
})

const config = (limits: Record<string, unknown>) => ({
  providers: { up: { type: 'openai', baseUrl: `${fake.url}/v1` } },
  models: { m: { targets: [{ provider: 'up' }] } },
  keys: [
    { name: 'burst', key: 'sk-limits-burst-key' },
    { name: 'headers', key: 'sk-limits-headers-key' },
    { name: 'retry', key: 'sk-limits-retry-key' },
  ],
  limits: {
    keys: { requestsPerMinute: 50, tokensPerMinute: 1_000_000 },
    tiers: {},
    ...limits,
  },
})

function chat(gw: SpawnedGateway, key: string): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
    }),
  })
}

describe('rate limits shared through Redis by two gateway processes', () => {
  let a: SpawnedGateway
  let b: SpawnedGateway
  beforeAll(async () => {
    ;[a, b] = await Promise.all([
      spawnGateway({ config: config({}), env: { REDIS_URL: redis.url, LOG_LEVEL: 'info' } }),
      spawnGateway({ config: config({}), env: { REDIS_URL: redis.url, LOG_LEVEL: 'info' } }),
    ])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
  })

  it('lets exactly 50 of 200 concurrent requests through a limit of 50 per minute', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => chat(i % 2 ? a : b, 'sk-limits-burst-key')),
    )
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(50)
    expect(statuses.filter((s) => s === 429)).toHaveLength(150)
    const refused = results.find((r) => r.status === 429) as Response
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    const body = (await refused.json()) as {
      error: { type: string; code: string; message: string }
    }
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' })
    expect(body.error.message).toContain('requests per minute')
  })

  it('sends OpenAI’s rate-limit headers, which the openai client exposes', async () => {
    const client = new OpenAI({
      apiKey: 'sk-limits-headers-key',
      baseURL: `${a.url}/v1`,
      maxRetries: 0,
    })
    const { response } = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('50')
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('49')
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+s$/)
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('1000000')
    const { response: second } = await new OpenAI({
      apiKey: 'sk-limits-headers-key',
      baseURL: `${b.url}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('48') // counted across both processes
  })
})

describe('the openai client’s retries honour Retry-After', () => {
  it('waits out a per-second limit and then succeeds', async () => {
    const gw = await spawnGateway({
      config: config({ keys: { requestsPerSecond: 1, algorithm: 'fixed' } }),
      env: { REDIS_URL: redis.url },
    })
    try {
      const client = new OpenAI({
        apiKey: 'sk-limits-retry-key',
        baseURL: `${gw.url}/v1`,
        maxRetries: 3,
      })
      await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'one' }],
      })
      const before = fake.requests.length
      const started = Date.now()
      const res = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'two' }],
      })
      expect(res.choices[0]?.message.content).toBe('You said: two')
      expect(fake.requests.length).toBe(before + 1) // refused by the gateway, not the upstream
      expect(Date.now() - started).toBeGreaterThanOrEqual(900) // it waited out Retry-After: 1
    } finally {
      await gw.stop()
    }
  })
})

describe('when Redis fails', () => {
  it('fails open or closed as configured, logs each decision, and recovers with Redis', async () => {
    const own = await startRedis({ own: true })
    const limits = { keys: { requestsPerMinute: 1000 }, timeoutMs: 150 }
    const [open, closed] = await Promise.all([
      spawnGateway({
        config: config({ ...limits, failurePolicy: 'open' }),
        env: { REDIS_URL: own.url },
      }),
      spawnGateway({
        config: config({ ...limits, failurePolicy: 'closed' }),
        env: { REDIS_URL: own.url },
      }),
    ])
    try {
      expect((await chat(open, 'sk-limits-burst-key')).status).toBe(200)
      expect((await chat(closed, 'sk-limits-burst-key')).status).toBe(200)
      await own.stop()
      expect((await chat(open, 'sk-limits-burst-key')).status).toBe(200)
      const refused = await chat(closed, 'sk-limits-burst-key')
      expect(refused.status).toBe(429)
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
        'fails closed',
      )
      expect(open.output()).toContain('failure policy applied')
      expect(closed.output()).toMatch(/failure policy applied.*"policy":"closed"/)
      await own.start()
      const end = Date.now() + 5_000
      let status = 0
      while (Date.now() < end && status !== 200) {
        status = (await chat(closed, 'sk-limits-burst-key')).status
        if (status !== 200) await new Promise((r) => setTimeout(r, 100))
      }
      expect(status).toBe(200)
    } finally {
      await Promise.all([open.stop(), closed.stop()])
      await own.stop()
    }
  })
})

describe('budgets shared through Redis by two gateway processes', () => {
  it('lets exactly as many requests through as the daily budget covers, before any upstream call', async () => {
    const body = JSON.stringify({
      model: 'priced',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 100,
    })
    // Worst case per request, as the gateway reserves it: prompt estimate at $10/M, 100 tokens out at $10/M.
    const worstMicroUsd = Math.ceil(body.length / 4) * 10 + 100 * 10
    const cfg = {
      providers: { up: { type: 'openai', baseUrl: `${fake.url}/v1` } },
      models: {
        priced: { targets: [{ provider: 'up', model: 'm' }], pricing: { input: 10, output: 10 } },
      },
      keys: [{ name: 'spender', key: 'sk-budget-spender-key' }],
      budgets: { keys: { dailyUsd: (7 * worstMicroUsd) / 1e6 } },
    }
    const [a, b] = await Promise.all([
      spawnGateway({ config: cfg, env: { REDIS_URL: redis.url } }),
      spawnGateway({ config: cfg, env: { REDIS_URL: redis.url } }),
    ])
    try {
      // Slow upstream answers: every reservation is made before any refund can come back.
      fake.enqueue(...Array.from({ length: 40 }, () => ({ kind: 'ok' as const, delayMs: 400 })))
      const before = fake.requests.length
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/v1/chat/completions`, {
            method: 'POST',
            headers: {
              authorization: 'Bearer sk-budget-spender-key',
              'content-type': 'application/json',
            },
            body,
          }),
        ),
      )
      expect(results.filter((r) => r.status === 200)).toHaveLength(7)
      expect(fake.requests.length - before).toBe(7) // refused before any upstream call
      const refused = results.find((r) => r.status === 429) as Response
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'budget_exceeded',
      )
    } finally {
      fake.reset()
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
