import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchUpstream } from '../../src/adapters/upstream-fetch.ts'
import { undiciUpstream, type UndiciUpstream } from '../../src/adapters/upstream-undici.ts'
import {
  UpstreamStreamError,
  type UpstreamHttp,
  type UpstreamRequest,
} from '../../src/core/ports.ts'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { closedPort } from '../support/ports.ts'

// The upstream port's contract, run against both implementations over real sockets.

let fake: FakeOpenAI
const undici: UndiciUpstream = undiciUpstream()

beforeAll(async () => {
  fake = await new FakeOpenAI({ eventDelayMs: 5 }).start()
})

afterAll(async () => {
  await undici.close()
  await fake.close()
})

const chat = (stream: boolean) =>
  JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'one two three' }], stream })

function req(over: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    url: `${fake.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chat(false),
    timeoutMs: 2_000,
    idleTimeoutMs: 2_000,
    ...over,
  }
}

async function readAll(it: AsyncIterable<Uint8Array>): Promise<string> {
  const dec = new TextDecoder()
  let s = ''
  for await (const c of it) s += dec.decode(c, { stream: true })
  return s
}

describe.each<[string, UpstreamHttp]>([
  ['undici', undici],
  ['fetch', fetchUpstream()],
])('upstream port contract: %s', (_name, upstream) => {
  it('returns status, headers and the body as text', async () => {
    const r = await upstream.request(req())
    if (!r.ok) throw new Error(r.message)
    expect(r.response.status).toBe(200)
    expect(r.response.header('content-type')).toBe('application/json')
    expect(JSON.parse(await r.response.text()).object).toBe('chat.completion')
  })

  it('returns error statuses as responses, not failures', async () => {
    fake.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '3' } })
    const r = await upstream.request(req())
    if (!r.ok) throw new Error(r.message)
    expect(r.response.status).toBe(429)
    expect(r.response.header('retry-after')).toBe('3')
    expect(await r.response.text()).toContain('fake failure 429')
  })

  it('streams the body as it arrives', async () => {
    const r = await upstream.request(req({ body: chat(true) }))
    if (!r.ok) throw new Error(r.message)
    const text = await readAll(r.response.chunks())
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(text.split('\n\n').filter(Boolean).length).toBeGreaterThan(4)
  })

  it('fails with connect when nothing listens', async () => {
    const r = await upstream.request(
      req({ url: `http://127.0.0.1:${await closedPort()}/v1/chat/completions` }),
    )
    expect(r.ok === false && r.kind).toBe('connect')
  })

  it('fails with timeout when the headers do not come in time', async () => {
    fake.enqueue({ kind: 'hang' })
    const r = await upstream.request(req({ timeoutMs: 150 }))
    expect(r.ok === false && r.kind).toBe('timeout')
  })

  it('fails with reset when the connection drops before a response', async () => {
    fake.enqueue({ kind: 'reset' })
    const r = await upstream.request(req())
    expect(r.ok === false && r.kind).toBe('reset')
  })

  it('throws a timeout from the stream when it idles too long', async () => {
    fake.enqueue({ kind: 'stall', after: 1 })
    const r = await upstream.request(req({ body: chat(true), idleTimeoutMs: 200 }))
    if (!r.ok) throw new Error(r.message)
    const err = await readAll(r.response.chunks()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamStreamError)
    expect((err as UpstreamStreamError).kind).toBe('timeout')
  })

  it('throws from the stream when the connection breaks midway', async () => {
    fake.enqueue({ kind: 'cut', after: 2 })
    const r = await upstream.request(req({ body: chat(true) }))
    if (!r.ok) throw new Error(r.message)
    const err = await readAll(r.response.chunks()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamStreamError)
    expect((err as UpstreamStreamError).kind).toBe('reset')
  })

  it('stops the stream when its signal aborts', async () => {
    const ac = new AbortController()
    const r = await upstream.request(req({ body: chat(true), signal: ac.signal }))
    if (!r.ok) throw new Error(r.message)
    const it = r.response.chunks()[Symbol.asyncIterator]()
    await it.next()
    ac.abort()
    const err = await (async () => {
      for (;;) if ((await it.next()).done) return undefined
    })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamStreamError)
    expect((err as UpstreamStreamError).kind).toBe('aborted')
  })
})
