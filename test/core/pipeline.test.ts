import { describe, expect, it } from 'vitest'
import { nodeHasher } from '../../src/adapters/hasher-node.ts'
import { memoryUsageSink } from '../../src/adapters/usage-memory.ts'
import { compileGateway, type GatewayKey } from '../../src/core/gateway.ts'
import { gatewayConfigSchema, type GatewayConfigInput } from '../../src/core/gateway-config.ts'
import { proxy, type ProxyOutcome } from '../../src/core/pipeline.ts'
import { fixedRandom, manualClock, silentLogger } from '../support/fixed.ts'
import { okChat, scriptedUpstream, type Step } from '../support/scripted-upstream.ts'

const BASE: GatewayConfigInput = {
  providers: {
    a: { type: 'openai', baseUrl: 'http://a.test/v1', apiKey: 'ka' },
    b: { type: 'openai', baseUrl: 'http://b.test/v1', apiKey: 'kb' },
  },
  models: { m: { targets: [{ provider: 'a' }, { provider: 'b', model: 'm-b' }] } },
  keys: [{ name: 'k', key: 'sk-test-key' }],
  retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 },
}

async function setup(steps: Step[], overrides: Partial<GatewayConfigInput> = {}) {
  const gw = await compileGateway(
    gatewayConfigSchema.parse({ ...BASE, ...overrides }),
    nodeHasher,
    0,
  )
  const upstream = scriptedUpstream(...steps)
  const clock = manualClock()
  const usage = memoryUsageSink()
  const deps = { upstream, clock, random: fixedRandom(0.5), usage, logger: silentLogger }
  const key = {
    id: 'k',
    scopes: new Set(['chat' as const]),
    allowsIp: undefined,
    name: 'k',
    hash: '',
    models: ['*'],
    mayUse: () => true,
    expiresAt: undefined,
    enabled: true,
  } satisfies GatewayKey
  const run = (body: Record<string, unknown> = {}, stream = false): Promise<ProxyOutcome> => {
    const full = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
      ...(stream ? { stream: true } : {}),
    }
    return proxy(gw, deps, {
      op: 'chat',
      body: full,
      raw: JSON.stringify(full),
      model: String(full.model),
      stream,
      key,
      requestId: 'r1',
      defer: () => undefined,
    })
  }
  return { run, upstream, clock, usage }
}

async function drain(outcome: ProxyOutcome): Promise<string> {
  if (outcome.kind !== 'stream') throw new Error(`expected a stream, got ${outcome.kind}`)
  let text = ''
  for await (const part of outcome.body) text += part
  return text
}

const hosts = (u: { requests: { url: string }[] }) => u.requests.map((r) => new URL(r.url).host)

describe('the request pipeline', () => {
  it('forwards the caller body untouched when the model name does not change', async () => {
    const { run, upstream } = await setup([okChat()])
    const out = await run({ custom_field: { nested: true } })
    expect(out.kind).toBe('json')
    const sent = upstream.requests[0]
    expect(sent?.url).toBe('http://a.test/v1/chat/completions')
    expect(sent?.headers['authorization']).toBe('Bearer ka')
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({
      model: 'm',
      custom_field: { nested: true },
    })
  })

  it('retries a 500 with exponential backoff, then succeeds on the same target', async () => {
    const { run, upstream, clock, usage } = await setup([
      { status: 500 },
      { status: 503 },
      okChat(),
    ])
    const out = await run()
    expect(out.kind).toBe('json')
    expect(hosts(upstream)).toEqual(['a.test', 'a.test', 'a.test'])
    expect(clock.sleeps).toEqual([75, 150]) // equal jitter at 0.5 of 100 ms, then of 200 ms
    expect(usage.events()[0]).toMatchObject({
      status: 200,
      attempts: 3,
      provider: 'a',
      totalTokens: 7,
    })
  })

  it('honours Retry-After on a 429 instead of its own backoff', async () => {
    const { run, clock } = await setup([{ status: 429, headers: { 'retry-after': '2' } }, okChat()])
    expect((await run()).kind).toBe('json')
    expect(clock.sleeps).toEqual([2000])
  })

  it('moves to the next target when Retry-After is longer than it will wait', async () => {
    const { run, upstream, clock } = await setup([
      { status: 429, headers: { 'retry-after': '60' } },
      okChat(),
    ])
    expect((await run()).kind).toBe('json')
    expect(hosts(upstream)).toEqual(['a.test', 'b.test'])
    expect(clock.sleeps).toEqual([])
    expect(JSON.parse(upstream.requests[1]?.body ?? '').model).toBe('m-b')
  })

  it('falls back to the next target after retries run out', async () => {
    const { run, upstream } = await setup([
      { fail: 'connect' },
      { fail: 'reset' },
      { status: 502 },
      okChat(),
    ])
    expect((await run()).kind).toBe('json')
    expect(hosts(upstream)).toEqual(['a.test', 'a.test', 'a.test', 'b.test'])
  })

  it('does not retry a timed-out target but falls back, and answers 504 when all time out', async () => {
    const { run, upstream } = await setup([{ fail: 'timeout' }, { fail: 'timeout' }])
    const out = await run()
    expect(hosts(upstream)).toEqual(['a.test', 'b.test'])
    expect(out.kind === 'error' && out.error.status).toBe(504)
  })

  it('passes a 400 from the upstream straight back without retry or fallback', async () => {
    const body = {
      error: {
        message: 'max_tokens is too large',
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'invalid_value',
      },
    }
    const { run, upstream } = await setup([{ status: 400, body }])
    const out = await run()
    expect(upstream.requests).toHaveLength(1)
    if (out.kind !== 'error') throw new Error('expected an error')
    expect([out.error.status, out.error.message, out.error.param, out.error.publicCode]).toEqual([
      400,
      'max_tokens is too large',
      'max_tokens',
      'invalid_value',
    ])
  })

  it('answers 502 when every target fails, with a message that names the upstream', async () => {
    const { run } = await setup([
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ])
    const out = await run()
    if (out.kind !== 'error') throw new Error('expected an error')
    expect(out.error.status).toBe(502)
    expect(out.error.message).toContain('b (m-b)')
  })

  it('stops retrying when the overall deadline is spent', async () => {
    const { run, upstream } = await setup([{ status: 500 }, { status: 500 }, { status: 500 }], {
      timeouts: { totalMs: 120 },
    })
    const out = await run()
    // a, 75 ms backoff, a again; the next backoff (150 ms) would pass the deadline, so b gets the
    // 45 ms left, and its own backoff would pass it too.
    expect(hosts(upstream)).toEqual(['a.test', 'a.test', 'b.test'])
    expect(out.kind).toBe('error')
  })

  it('relays a stream and records the usage it reports, hiding the usage chunk it asked for', async () => {
    const events = [
      'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
      'data: [DONE]\n\n',
    ]
    const { run, upstream, usage } = await setup([{ stream: events }])
    const text = await drain(await run({}, true))
    expect(JSON.parse(upstream.requests[0]?.body ?? '').stream_options).toEqual({
      include_usage: true,
    })
    expect(text).not.toContain('"usage"')
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(usage.events()[0]).toMatchObject({ stream: true, promptTokens: 3, completionTokens: 1 })
  })

  it('keeps the usage chunk when the caller asked for it', async () => {
    const events = [
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
      'data: [DONE]\n\n',
    ]
    const { run } = await setup([{ stream: events }])
    const text = await drain(await run({ stream_options: { include_usage: true } }, true))
    expect(text).toContain('"total_tokens":4')
  })

  it('retries a stream that breaks before its first event', async () => {
    const { run, upstream } = await setup([
      { stream: [], then: 'reset' },
      { stream: ['data: {"choices":[]}\n\n', 'data: [DONE]\n\n'] },
    ])
    const text = await drain(await run({}, true))
    expect(upstream.requests).toHaveLength(2)
    expect(text).toContain('[DONE]')
  })

  it('never retries once stream bytes reached the client, and ends with an error event', async () => {
    const { run, upstream, usage } = await setup([
      { stream: ['data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'], then: 'reset' },
    ])
    const text = await drain(await run({}, true))
    expect(upstream.requests).toHaveLength(1)
    const last = text.trim().split('\n\n').at(-1) ?? ''
    expect(JSON.parse(last.replace(/^data: /, '')).error.code).toBe('upstream_error')
    expect(usage.events()[0]?.errorCode).toBe('upstream_error')
  })

  it('ends a stream that closes without [DONE] with an error event', async () => {
    const { run } = await setup([
      { stream: ['data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'] },
    ])
    const text = await drain(await run({}, true))
    expect(text).toContain('ended the stream before it was complete')
  })

  it('answers 404 for an unknown model without calling any upstream', async () => {
    const { run, upstream } = await setup([])
    const unknown = await run({ model: 'nope' })
    expect(unknown.kind === 'error' && unknown.error.status).toBe(404)
    expect(upstream.requests).toHaveLength(0)
  })
})
