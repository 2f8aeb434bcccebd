import { describe, expect, it } from 'vitest'
import { SseParser } from '../../src/core/sse.ts'
import { NATIVE_API_TYPES, PROVIDER_TYPES, PROVIDERS } from '../../src/providers/registry.ts'
import type { ProviderAdapter } from '../../src/providers/types.ts'
import {
  CHAT_RESPONSE_TEXT,
  EMBEDDINGS_RESPONSE_TEXT,
  FIXTURES,
  STREAM_EVENTS,
  STREAM_TEXT,
} from './fixtures.ts'

const CTX = { created: 1_700_000_000, model: 'alias' }

// One contract, every OpenAI-compatible provider (native APIs: <type>.contract.test.ts): request translation, response, error body and stream.

const chatBody = {
  model: 'alias',
  messages: [{ role: 'user', content: 'Hello!' }],
  temperature: 0.2,
  vendor_extension: { keep: true },
}

function runStream(adapter: ProviderAdapter, text: string, stripUsage: boolean, split = 7) {
  const translator = adapter.streamTranslator('chat', { stripUsage, ...CTX })
  const out: string[] = []
  const parser = new SseParser({
    event: (ev) => translator.event(ev, (d) => out.push(d)),
    comment: () => undefined,
  })
  const bytes = new TextEncoder().encode(text)
  for (let i = 0; i < bytes.length; i += split) parser.push(bytes.slice(i, i + split))
  parser.end()
  return { out, translator }
}

it('has a fixture for every OpenAI-compatible provider type', () => {
  const compatible = PROVIDER_TYPES.filter((t) => !NATIVE_API_TYPES.includes(t))
  expect(FIXTURES.map((f) => f.type).sort()).toEqual([...compatible].sort())
})

describe.each(FIXTURES)('provider contract: $type', (fx) => {
  const adapter = PROVIDERS[fx.type]

  it('sends chat to the right URL with its auth, rewriting only the model', () => {
    const raw = JSON.stringify(chatBody)
    const req = adapter.buildRequest(
      { op: 'chat', body: chatBody, raw, model: fx.model, stream: false },
      fx.config,
    )
    expect(req.url).toBe(fx.chatUrl)
    const [header, value] = fx.authHeader
    expect(req.headers[header]).toBe(value || undefined)
    expect(req.headers['content-type']).toBe('application/json')
    for (const [k, v] of Object.entries(fx.config.headers ?? {})) expect(req.headers[k]).toBe(v)
    expect(JSON.parse(req.body)).toEqual({ ...chatBody, model: fx.model })
  })

  it('forwards the caller bytes untouched when nothing needs to change', () => {
    const body = { ...chatBody, model: fx.model }
    const raw = JSON.stringify(body, null, 2)
    const req = adapter.buildRequest(
      { op: 'chat', body, raw, model: fx.model, stream: false },
      fx.config,
    )
    expect(req.body).toBe(raw)
  })

  it(`${fx.streamUsage ? 'asks for' : 'does not ask for'} stream usage on its own account`, () => {
    const body = { ...chatBody, model: fx.model, stream: true }
    const req = adapter.buildRequest(
      { op: 'chat', body, raw: JSON.stringify(body), model: fx.model, stream: true },
      fx.config,
    )
    const sent = JSON.parse(req.body) as { stream_options?: { include_usage?: boolean } }
    expect(sent.stream_options?.include_usage === true).toBe(fx.streamUsage)
    expect(req.stripUsage).toBe(fx.streamUsage)
  })

  it(
    fx.embeddingsUrl ? 'sends embeddings to the right URL' : 'declares no embeddings support',
    () => {
      expect(adapter.supports('embeddings')).toBe(fx.embeddingsUrl !== undefined)
      if (!fx.embeddingsUrl) return
      const body = { model: 'alias', input: 'hello' }
      const req = adapter.buildRequest(
        { op: 'embeddings', body, raw: JSON.stringify(body), model: fx.model, stream: false },
        fx.config,
      )
      expect(req.url).toBe(fx.embeddingsUrl)
      const parsed = adapter.parseResponse('embeddings', EMBEDDINGS_RESPONSE_TEXT, CTX)
      expect(parsed.usage).toEqual({ promptTokens: 8, completionTokens: 0, totalTokens: 8 })
    },
  )

  it('reads a response and its usage', () => {
    const parsed = adapter.parseResponse('chat', CHAT_RESPONSE_TEXT, CTX)
    expect(JSON.parse(parsed.body)).toEqual(JSON.parse(CHAT_RESPONSE_TEXT))
    expect(parsed.usage).toEqual({ promptTokens: 19, completionTokens: 10, totalTokens: 29 })
    expect(() => adapter.parseResponse('chat', '<html>502 Bad Gateway</html>', CTX)).toThrow()
  })

  it('reads its error body', () => {
    const err = adapter.parseError(fx.error.status, fx.error.body)
    expect(err.message).toBe(fx.error.message)
    if (fx.error.type !== undefined) expect(err.type).toBe(fx.error.type)
    if (fx.error.code !== undefined) expect(err.code).toBe(fx.error.code)
    expect(adapter.parseError(503, 'upstream connect error').message).toBe('upstream connect error')
  })

  it('relays a stream chunk for chunk, with its usage and [DONE]', () => {
    const { out, translator } = runStream(adapter, STREAM_TEXT, false)
    expect(out).toEqual([...STREAM_EVENTS, '[DONE]'])
    expect(translator.done).toBe(true)
    expect(translator.usage).toEqual({ promptTokens: 9, completionTokens: 2, totalTokens: 11 })
  })

  it('hides the usage chunk it asked for itself, keeping the usage', () => {
    const { out, translator } = runStream(adapter, STREAM_TEXT, true, 3)
    expect(out).toEqual([...STREAM_EVENTS.slice(0, -1), '[DONE]'])
    expect(translator.usage?.totalTokens).toBe(11)
  })

  it('does not claim a clean end for a stream cut before [DONE]', () => {
    const { translator } = runStream(
      adapter,
      STREAM_TEXT.slice(0, STREAM_TEXT.indexOf('[DONE]') - 6),
      false,
    )
    expect(translator.done).toBe(false)
  })
})
