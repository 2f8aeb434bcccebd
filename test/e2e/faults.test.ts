import OpenAI from 'openai'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type InProcessGateway } from '../support/gateway.ts'

// Fault injection over real sockets: the real app and undici upstream in front of two fake
// upstreams (primary and fallback) that fail on cue.

const KEY = 'sk-sy-faults-test'
let primary: FakeOpenAI
let fallback: FakeOpenAI
let gw: InProcessGateway
let client: OpenAI

beforeAll(async () => {
  primary = await new FakeOpenAI({ reply: 'from primary' }).start()
  fallback = await new FakeOpenAI({ reply: 'from fallback' }).start()
  gw = await startGateway({
    providers: {
      primary: { type: 'openai', baseUrl: `${primary.url}/v1` },
      fallback: { type: 'openai', baseUrl: `${fallback.url}/v1` },
    },
    models: { m: { targets: [{ provider: 'primary' }, { provider: 'fallback' }] } },
    keys: [{ name: 'k', key: KEY }],
    timeouts: { attemptMs: 500, streamIdleMs: 500, totalMs: 10_000 },
    retry: { maxRetries: 2, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 3_000 },
  })
  client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterEach(() => {
  primary.reset()
  fallback.reset()
})

afterAll(async () => {
  await gw?.close()
  await primary?.close()
  await fallback?.close()
})

const ask = () =>
  client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
const askStream = () =>
  client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  })

async function collect(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<string> {
  let text = ''
  for await (const c of stream) text += c.choices[0]?.delta.content ?? ''
  return text
}

describe('fault injection', () => {
  it('retries an upstream 500 on the same target and succeeds', async () => {
    primary.enqueue({ kind: 'status', status: 500 })
    const res = await ask()
    expect(res.choices[0]?.message.content).toBe('from primary')
    expect(primary.requests).toHaveLength(2)
    expect(fallback.requests).toHaveLength(0)
  })

  it('waits out a 429 Retry-After before retrying', async () => {
    primary.enqueue({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: {
        error: {
          message: 'Rate limit reached',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
    })
    const started = performance.now()
    const res = await ask()
    const waited = performance.now() - started
    expect(res.choices[0]?.message.content).toBe('from primary')
    expect(primary.requests).toHaveLength(2)
    expect(waited).toBeGreaterThanOrEqual(950)
  })

  it('falls back to the next target when the primary hangs past its timeout', async () => {
    primary.enqueue({ kind: 'hang' })
    const res = await ask()
    expect(res.choices[0]?.message.content).toBe('from fallback')
    expect(primary.requests).toHaveLength(1) // a timed-out target is not retried
    expect(fallback.requests).toHaveLength(1)
  })

  it('retries after a connection reset', async () => {
    primary.enqueue({ kind: 'reset' })
    const res = await ask()
    expect(res.choices[0]?.message.content).toBe('from primary')
    expect(primary.requests).toHaveLength(2)
  })

  it('falls back when the primary keeps failing', async () => {
    primary.enqueue(
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'status', status: 500 },
    )
    const res = await ask()
    expect(res.choices[0]?.message.content).toBe('from fallback')
    expect(primary.requests).toHaveLength(3)
  })

  it('retries a stream that hangs before its first event', async () => {
    primary.enqueue({ kind: 'stall', after: 0 })
    const text = await collect(await askStream())
    expect(text).toBe('from fallback')
  })

  it('never retries a stream cut midway: the client gets an error event instead', async () => {
    primary.enqueue({ kind: 'cut', after: 2 })
    const stream = await askStream()
    const err = await collect(stream).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(String((err as Error).message)).toMatch(/upstream/i)
    expect(primary.requests).toHaveLength(1)
    expect(fallback.requests).toHaveLength(0)
  })

  it('ends a stream that goes silent midway with a timeout error event', async () => {
    primary.enqueue({ kind: 'stall', after: 2 })
    const err = await collect(await askStream()).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(String((err as Error).message)).toMatch(/timed out/)
    expect(gw.usage.events().at(-1)).toMatchObject({ stream: true, errorCode: 'upstream_timeout' })
  })

  it('records usage for every completed request', async () => {
    const before = gw.usage.totals().requests
    await ask()
    await collect(await askStream())
    const events = gw.usage.events().slice(-2)
    expect(gw.usage.totals().requests).toBe(before + 2)
    expect(events.map((e) => [e.stream, e.provider, e.completionTokens])).toEqual([
      [false, 'primary', 2],
      [true, 'primary', 2],
    ])
  })
})
