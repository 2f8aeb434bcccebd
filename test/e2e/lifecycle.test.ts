import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { spawnGateway, type SpawnedGateway } from '../support/gateway.ts'

// The Node process under stress: clients that vanish mid-stream, and a graceful shutdown.

const KEY = 'sk-sy-lifecycle-test'
const LONG_REPLY = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')
let fake: FakeOpenAI

beforeAll(async () => {
  fake = await new FakeOpenAI({ reply: LONG_REPLY, eventDelayMs: 15 }).start()
})

afterAll(async () => {
  await fake?.close()
})

const config = () => ({
  providers: { up: { type: 'openai', baseUrl: `${fake.url}/v1` } },
  models: { m: { targets: [{ provider: 'up' }] } },
  keys: [{ name: 'k', key: KEY }],
})

function chat(url: string, stream: boolean, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'go' }], stream }),
    signal,
  })
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('client disconnects under streaming load', () => {
  let gw: SpawnedGateway
  beforeAll(async () => {
    gw = await spawnGateway({ config: config() })
  })
  afterAll(async () => {
    await gw?.stop()
  })

  it('survives 3 rounds of 80 clients dropping mid-stream and releases their upstream streams', async () => {
    const before = fake.abortedStreams
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const ac = new AbortController()
          const res = await chat(gw.url, true, ac.signal)
          const reader = (res.body as ReadableStream<Uint8Array>).getReader()
          await reader.read() // the first event has arrived: bytes are flowing
          if (i % 2) await new Promise((r) => setTimeout(r, 5 + (i % 7) * 10))
          ac.abort()
          await reader.read().catch(() => undefined)
        }),
      )
    }
    expect(gw.proc.exitCode).toBeNull()
    expect(gw.output()).not.toContain('unhandled')
    // Each abandoned client stream cancels its upstream stream rather than reading it to the end.
    await until(() => fake.abortedStreams - before >= 240)
    const res = await chat(gw.url, false)
    expect(res.status).toBe(200)
    expect(gw.output()).not.toMatch(/Controller is already closed|Uncaught|ERR_INVALID_STATE/)
  })
})

describe('graceful shutdown', () => {
  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    const gw = await spawnGateway({ config: config() })
    fake.reset()
    fake.enqueue({ kind: 'ok', delayMs: 600 })
    const inflight = chat(gw.url, false)
    await until(() => fake.requests.length === 1) // the request is inside the gateway, upstream
    const started = Date.now()
    const exited = gw.stop('SIGTERM')
    const res = await inflight
    expect(res.status).toBe(200)
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion')
    expect(await exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(5_000) // idle keep-alive sockets do not hold it open
    expect(gw.output()).toContain('draining')
  })
})
