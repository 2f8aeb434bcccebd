import { describe, expect, it } from 'vitest'
import { nodeHasher } from '../../src/adapters/hasher-node.ts'
import { memoryUsageSink } from '../../src/adapters/usage-memory.ts'
import { parseGatewayConfig } from '../../src/config.ts'
import type { GatewayConfigInput } from '../../src/core/gateway-config.ts'
import { buildDeps } from '../../src/deps.ts'
import { createApp } from '../../src/http/app.ts'
import { fixedRandom, manualClock, recordingLogger } from '../support/fixed.ts'
import { okChat, scriptedUpstream, type Step } from '../support/scripted-upstream.ts'

const KEY = 'sk-sy-http-test'
const CONFIG: GatewayConfigInput = {
  providers: { up: { type: 'openai', baseUrl: 'http://up.test/v1', apiKey: 'k' } },
  models: {
    'gpt-4o-mini': {
      targets: [{ provider: 'up' }],
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      modalities: { input: ['text', 'image'], output: ['text'] },
      pricing: { input: 0.15, output: 0.6, cachedInput: 0.075 },
    },
    'text-embedding-3-small': { targets: [{ provider: 'up' }] },
  },
  keys: [
    { name: 'main', key: KEY },
    { name: 'narrow', key: 'sk-sy-narrow-key', models: ['text-embedding-*'] },
  ],
  maxBodyBytes: 2048,
}

async function app(steps: Step[] = [], config: GatewayConfigInput = CONFIG) {
  const { config: parsed } = parseGatewayConfig(config, {}, 'test')
  const upstream = scriptedUpstream(...steps)
  const logger = recordingLogger()
  const usage = memoryUsageSink()
  const deps = await buildDeps(parsed, {
    upstream,
    hasher: nodeHasher,
    logger,
    usage,
    clock: manualClock(),
    random: fixedRandom(),
  })
  return { app: createApp(deps), upstream, logger, usage }
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }

function post(path: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}

async function errorOf(
  res: Response,
): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const json = (await res.json()) as {
    error: { message: string; type: string; param: string | null; code: string | null }
  }
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  return json.error
}

describe('the HTTP surface', () => {
  it('proxies a chat completion and sends back a new x-request-id', async () => {
    const { app: a } = await app([okChat('hello there')])
    const res = await a.request('/v1/chat/completions', post('/v1/chat/completions', chat))
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBe('req-1')
    expect(res.headers.get('x-switchyard-provider')).toBe('up')
    const json = (await res.json()) as { choices: { message: { content: string } }[] }
    expect(json.choices[0]?.message.content).toBe('hello there')
  })

  it("echoes the caller's x-request-id, on errors too", async () => {
    const { app: a } = await app()
    const res = await a.request(
      '/v1/chat/completions',
      post('', chat, { authorization: 'Bearer nope-nope', 'x-request-id': 'abc-123' }),
    )
    expect(res.status).toBe(401)
    expect(res.headers.get('x-request-id')).toBe('abc-123')
  })

  it('answers 400 invalid_json for malformed JSON', async () => {
    const { app: a, upstream } = await app()
    const res = await a.request('/v1/chat/completions', post('', '{"model": "gpt-4o-mini",'))
    expect(res.status).toBe(400)
    expect(await errorOf(res)).toMatchObject({
      code: 'invalid_json',
      type: 'invalid_request_error',
    })
    expect(upstream.requests).toHaveLength(0)
  })

  it('answers 400 naming the param for a body of the wrong shape', async () => {
    const { app: a } = await app()
    const cases: [unknown, string][] = [
      [{ model: 'gpt-4o-mini' }, 'messages'],
      [{ ...chat, messages: 'hi' }, 'messages'],
      [{ ...chat, stream: 'yes' }, 'stream'],
      [{ ...chat, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
      [{ ...chat, max_tokens: -1 }, 'max_tokens'],
    ]
    for (const [body, param] of cases) {
      const res = await a.request('/v1/chat/completions', post('', body))
      expect(res.status).toBe(400)
      expect((await errorOf(res)).param).toBe(param)
    }
    const arr = await a.request('/v1/chat/completions', post('', '[1,2]'))
    expect((await errorOf(arr)).message).toContain('JSON object')
  })

  it('answers 401 for a missing key and for a wrong key, in the OpenAI envelope', async () => {
    const { app: a } = await app()
    const missing = await a.request('/v1/chat/completions', post('', chat, { authorization: '' }))
    expect(missing.status).toBe(401)
    expect((await errorOf(missing)).code).toBe('missing_api_key')
    const wrong = await a.request('/v1/models', {
      headers: { authorization: 'Bearer sk-not-a-key' },
    })
    expect(wrong.status).toBe(401)
    expect((await errorOf(wrong)).code).toBe('invalid_api_key')
  })

  it('answers 403 when the key may not use the model, and 404 for an unknown model', async () => {
    const { app: a } = await app()
    const denied = await a.request(
      '/v1/chat/completions',
      post('', chat, { authorization: 'Bearer sk-sy-narrow-key' }),
    )
    expect(denied.status).toBe(403)
    expect(await errorOf(denied)).toMatchObject({
      code: 'model_not_allowed',
      param: 'model',
      type: 'permission_error',
    })
    const unknown = await a.request('/v1/chat/completions', post('', { ...chat, model: 'gpt-9' }))
    expect(unknown.status).toBe(404)
    expect((await errorOf(unknown)).code).toBe('model_not_found')
  })

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const { app: a, upstream } = await app()
    const big = JSON.stringify({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(4096) }] })
    const declared = await a.request('/v1/chat/completions', post('', big))
    expect(declared.status).toBe(413)
    expect((await errorOf(declared)).code).toBe('payload_too_large')
    const bytes = new TextEncoder().encode(big)
    const body = new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) })
    const chunked = await a.request('/v1/chat/completions', {
      ...post('', ''),
      body,
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect(upstream.requests).toHaveLength(0)
  })

  it('answers 502 when the upstream fails and 504 when it times out', async () => {
    const { app: a } = await app([
      { fail: 'connect' },
      { fail: 'connect' },
      { fail: 'connect' },
      { fail: 'timeout' },
    ])
    const failed = await a.request('/v1/chat/completions', post('', chat))
    expect(failed.status).toBe(502)
    expect(await errorOf(failed)).toMatchObject({ code: 'upstream_error', type: 'api_error' })
    const slow = await a.request('/v1/chat/completions', post('', chat))
    expect(slow.status).toBe(504)
    expect((await errorOf(slow)).code).toBe('upstream_timeout')
  })

  it('passes an upstream 429 on with Retry-After once retries are spent', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } },
    }
    const { app: a } = await app([limited, limited, limited])
    const res = await a.request('/v1/chat/completions', post('', chat))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(await errorOf(res)).toMatchObject({
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
    })
  })

  it('lists only the models the key may use', async () => {
    const { app: a } = await app()
    const res = await a.request('/v1/models', {
      headers: { authorization: 'Bearer sk-sy-narrow-key' },
    })
    const json = (await res.json()) as {
      object: string
      data: { id: string; object: string; owned_by: string }[]
    }
    expect(json.object).toBe('list')
    expect(json.data.map((m) => m.id)).toEqual(['text-embedding-3-small'])
    const one = await a.request('/v1/models/gpt-4o-mini', {
      headers: { authorization: 'Bearer sk-sy-narrow-key' },
    })
    expect(one.status).toBe(404)
  })

  it('answers unknown paths with 404 in the envelope, and hides internal errors behind a 500', async () => {
    const { app: a, logger } = await app()
    const res = await a.request('/v1/nope', { headers: { authorization: `Bearer ${KEY}` } })
    expect(res.status).toBe(404)
    expect((await errorOf(res)).message).toContain('GET /v1/nope')

    const { app: broken } = await app()
    broken.get('/v1/boom', () => {
      throw new Error('secret internals at line 42')
    })
    const boom = await broken.request('/v1/boom', { headers: { authorization: `Bearer ${KEY}` } })
    expect(boom.status).toBe(500)
    const text = await boom.text()
    expect(text).not.toContain('secret internals')
    expect(text).not.toContain('at ')
    expect(logger.lines.length).toBe(0) // the first app logged nothing
  })

  it('reports liveness always and readiness only with providers and keys', async () => {
    const { app: a } = await app()
    expect((await a.request('/health/live')).status).toBe(200)
    expect((await a.request('/health/ready')).status).toBe(200)
    const { app: empty } = await app([], { keys: [] })
    const ready = await empty.request('/health/ready')
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { reason: string }).reason).toContain('no providers')
  })

  it('shows route metadata in the model list and prices usage with it', async () => {
    const usageWire = {
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 400 },
    }
    const { app: a, usage } = await app([okChat('hi', usageWire as never)])
    const res = await a.request('/v1/models/gpt-4o-mini', {
      headers: { authorization: `Bearer ${KEY}` },
    })
    expect(await res.json()).toMatchObject({
      id: 'gpt-4o-mini',
      context_window: 128_000,
      max_output_tokens: 16_384,
      modalities: { input: ['text', 'image'], output: ['text'] },
      pricing: { currency: 'USD', input: 0.15, output: 0.6, cached_input: 0.075 },
    })
    await a.request('/v1/chat/completions', post('', chat))
    // 600 fresh x 0.15 + 400 cached x 0.075 + 500 out x 0.6, per million
    expect(usage.events()[0]?.costUsd).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 500 * 0.6) / 1e6, 12)
    expect(usage.events()[0]?.cachedTokens).toBe(400)
  })

  it('proxies embeddings', async () => {
    const emb = {
      status: 200,
      body: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1] }],
        model: 'e',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      },
    }
    const { app: a, upstream, usage } = await app([emb])
    const res = await a.request(
      '/v1/embeddings',
      post('', { model: 'text-embedding-3-small', input: 'hello world' }),
    )
    expect(res.status).toBe(200)
    expect(upstream.requests[0]?.url).toBe('http://up.test/v1/embeddings')
    expect(usage.events()[0]).toMatchObject({ operation: 'embeddings', promptTokens: 2 })
  })
})
