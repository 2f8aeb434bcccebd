import { Redis as UpstashRedis } from '@upstash/redis'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryLimiter } from '../../src/adapters/limiter-memory.ts'
import { upstashLimiter } from '../../src/adapters/limiter-upstash.ts'
import { redisClient, redisTcpForRatelimit } from '../../src/adapters/redis-tcp.ts'
import { upstashBridge } from '../../src/adapters/upstash-bridge.ts'
import type { Algorithm, LimitRule, Limiter } from '../../src/core/limits.ts'
import { startRedis, type TestRedis } from '../support/redis.ts'

// One limiter contract, three implementations, all but the first on a real redis-server.

let redis: TestRedis
let bridge: Server
let bridgeUrl = ''
const clients: { quit(): Promise<unknown> }[] = []

beforeAll(async () => {
  redis = await startRedis()
  const bridgeRedis = redisClient(redis.url)
  clients.push(bridgeRedis)
  bridge = upstashBridge(bridgeRedis, 'bridge-token')
  await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve))
  bridgeUrl = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => bridge?.close(() => resolve()))
  for (const c of clients) await c.quit().catch(() => undefined)
  await redis?.stop()
})

const run = `${Date.now()}`
const IMPLEMENTATIONS: [string, () => Limiter][] = [
  ['memory', () => memoryLimiter()],
  [
    'redis over TCP',
    () => {
      const client = redisClient(redis.url)
      clients.push(client)
      return upstashLimiter(redisTcpForRatelimit(client), {
        prefix: `tcp${run}`,
        ephemeralCache: false,
      })
    },
  ],
  [
    'upstash REST (bridge)',
    () =>
      upstashLimiter(new UpstashRedis({ url: bridgeUrl, token: 'bridge-token' }), {
        prefix: `rest${run}`,
        ephemeralCache: false,
      }),
  ],
]

const rule = (id: string, algorithm: Algorithm, limit: number, windowMs = 60_000): LimitRule => ({
  id,
  algorithm,
  limit,
  windowMs,
})

describe.each(IMPLEMENTATIONS)('limiter contract: %s', (_name, make) => {
  let limiter: Limiter
  beforeAll(() => {
    limiter = make()
  })

  it.each<Algorithm>(['sliding', 'fixed', 'token-bucket'])(
    '%s: allows the limit, then refuses with a reset in the future',
    async (algo) => {
      const r = rule(`allow-${algo}`, algo, 5)
      const decisions = []
      for (let i = 0; i < 7; i++) decisions.push(await limiter.check(r, 'subject-a', 1))
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false])
      expect(decisions[0]?.limit).toBe(5)
      expect(decisions[0]?.remaining).toBe(4)
      expect(decisions[6]?.reset).toBeGreaterThan(Date.now())
      expect((await limiter.check(r, 'subject-b', 1)).allowed).toBe(true) // subjects are independent
    },
  )

  it('counts weighted costs and takes refunds back', async () => {
    const r = rule('tokens', 'fixed', 1000)
    expect((await limiter.check(r, 's', 900)).remaining).toBe(100)
    await limiter.check(r, 's', -600) // the real usage was 600 lower than reserved
    const after = await limiter.check(r, 's', 100)
    expect(after.allowed).toBe(true)
    expect(after.remaining).toBe(600) // 1000 - (900 - 600 + 100)
  })

  it('opens again when a fixed window resets', async () => {
    const r = rule('short', 'fixed', 2, 400)
    await limiter.check(r, 's', 1)
    await limiter.check(r, 's', 1)
    const refused = await limiter.check(r, 's', 1)
    expect(refused.allowed).toBe(false)
    await new Promise((res) => setTimeout(res, Math.max(0, refused.reset - Date.now()) + 50))
    expect((await limiter.check(r, 's', 1)).allowed).toBe(true)
  })

  it('stays exact under 100 concurrent requests', async () => {
    const r = rule('burst', 'sliding', 30)
    const results = await Promise.all(
      Array.from({ length: 100 }, () => limiter.check(r, 'burst-subject', 1)),
    )
    expect(results.filter((d) => d.allowed)).toHaveLength(30)
  })
})
