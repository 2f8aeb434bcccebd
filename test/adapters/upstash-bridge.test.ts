import { Redis as UpstashRedis } from '@upstash/redis'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisClient } from '../../src/adapters/redis-tcp.ts'
import { upstashBridge } from '../../src/adapters/upstash-bridge.ts'
import { startRedis, type TestRedis } from '../support/redis.ts'

// The official @upstash/redis client through the bridge, on a real redis-server.

let redis: TestRedis
let bridge: Server
let url = ''
const ioredis: { quit(): Promise<unknown> }[] = []

beforeAll(async () => {
  redis = await startRedis()
  const client = redisClient(redis.url)
  ioredis.push(client)
  bridge = upstashBridge(client, 'secret-token')
  await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => bridge?.close(() => resolve()))
  for (const c of ioredis) await c.quit().catch(() => undefined)
  await redis?.stop()
})

describe('the Upstash REST bridge', () => {
  const client = () => new UpstashRedis({ url, token: 'secret-token' })

  it('runs single commands, with base64 replies the client decodes', async () => {
    const r = client()
    await r.set('bridge:greeting', 'héllo wörld')
    expect(await r.get('bridge:greeting')).toBe('héllo wörld')
    expect(await r.incrby('bridge:n', 5)).toBe(5)
  })

  it('runs pipelines and MULTI/EXEC transactions', async () => {
    const r = client()
    const p = r.pipeline()
    p.set('bridge:a', '1')
    p.incr('bridge:a')
    p.get('bridge:a')
    expect(await p.exec()).toEqual(['OK', 2, 2])
    const tx = r.multi()
    tx.incr('bridge:a')
    tx.incr('bridge:a')
    expect(await tx.exec()).toEqual([3, 4])
  })

  it('runs Lua scripts that carry the allow-key-locking flag, by EVAL and by EVALSHA', async () => {
    const r = client()
    const script = '#!lua flags=allow-key-locking\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])'
    expect(await r.eval(script, ['bridge:lua'], [3])).toBe(3)
    const sha = await r.scriptLoad(script)
    expect(await r.evalsha(sha, ['bridge:lua'], [4])).toBe(7)
  })

  it('refuses a wrong token and reports command errors in the protocol', async () => {
    const wrong = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '["PING"]',
    })
    expect(wrong.status).toBe(401)
    const bad = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-token' },
      body: '["NOSUCHCOMMAND"]',
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/unknown command/i)
  })
})
