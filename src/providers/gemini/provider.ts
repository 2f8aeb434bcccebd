import { upstreamHeaders } from '../headers.ts'
import type { ProviderConfig } from '../../core/gateway-config.ts'
import { openAIUsage } from '../openai-compatible.ts'
import { baseUrlOr, TranslatedStream } from '../chunks.ts'
import { openAIEmbeddings } from '../embeddings.ts'
import type {
  Emit,
  ProviderAdapter,
  ProviderError,
  StreamOptions,
  TranslateContext,
  Usage,
} from '../types.ts'
import { toGeminiEmbeddings, toGeminiRequest } from './to-gemini.ts'

// Google Gemini through the Generative Language API: generateContent,
// streamGenerateContent?alt=sse and batchEmbedContents, keyed by x-goog-api-key.

const DEFAULT_BASE = 'https://generativelanguage.googleapis.com/v1beta'

interface GeminiPart {
  text?: string
  thought?: boolean
  functionCall?: { id?: string; name: string; args?: unknown }
}

interface GeminiCandidate {
  index?: number
  content?: { role?: string; parts?: GeminiPart[] }
  finishReason?: string
}

interface UsageMetadata {
  promptTokenCount?: number
  candidatesTokenCount?: number
  thoughtsTokenCount?: number
  totalTokenCount?: number
  cachedContentTokenCount?: number
}

interface GeminiResponse {
  candidates?: GeminiCandidate[]
  promptFeedback?: { blockReason?: string }
  usageMetadata?: UsageMetadata
  modelVersion?: string
  responseId?: string
  error?: { code?: number; message?: string; status?: string }
}

const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
])

function finishReason(reason: string | undefined, calledTools: boolean): string {
  if (reason === 'MAX_TOKENS') return 'length'
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter'
  return calledTools ? 'tool_calls' : 'stop'
}

export function usageFromGemini(u: UsageMetadata | undefined): Usage | undefined {
  if (!u) return undefined
  const promptTokens = u.promptTokenCount ?? 0
  // Thinking tokens are billed as output.
  const completionTokens = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0)
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: u.totalTokenCount ?? promptTokens + completionTokens,
  }
  if (u.cachedContentTokenCount) usage.cachedTokens = u.cachedContentTokenCount
  return usage
}

function toolCalls(parts: GeminiPart[], first: number): Record<string, unknown>[] {
  return parts
    .filter((p) => p.functionCall)
    .map((p, i) => ({
      index: first + i,
      id: p.functionCall?.id ?? `call_${first + i}`,
      type: 'function',
      function: {
        name: p.functionCall?.name,
        arguments: JSON.stringify(p.functionCall?.args ?? {}),
      },
    }))
}

const textOf = (parts: GeminiPart[]): string =>
  parts
    .filter((p) => p.text && !p.thought)
    .map((p) => p.text)
    .join('')

export function fromGeminiResponse(
  res: GeminiResponse,
  ctx: TranslateContext,
): Record<string, unknown> {
  const candidates = res.candidates ?? []
  const choices = candidates.map((c, i) => {
    const parts = c.content?.parts ?? []
    const calls = toolCalls(parts, 0).map(({ index: _index, ...call }) => call)
    return {
      index: c.index ?? i,
      message: {
        role: 'assistant',
        content: textOf(parts) || (calls.length ? null : ''),
        refusal: null,
        ...(calls.length ? { tool_calls: calls } : {}),
      },
      logprobs: null,
      finish_reason: finishReason(c.finishReason, calls.length > 0),
    }
  })
  // A blocked prompt has no candidates at all, only promptFeedback.
  if (choices.length === 0) {
    choices.push({
      index: 0,
      message: { role: 'assistant', content: null, refusal: null },
      logprobs: null,
      finish_reason: 'content_filter',
    })
  }
  const usage = usageFromGemini(res.usageMetadata)
  return {
    id: res.responseId ? `chatcmpl-${res.responseId}` : 'chatcmpl-gemini',
    object: 'chat.completion',
    created: ctx.created,
    model: res.modelVersion ?? ctx.model,
    choices,
    ...(usage ? { usage: openAIUsage(usage) } : {}),
  }
}

export function parseGeminiError(status: number, text: string): ProviderError {
  try {
    const body = JSON.parse(text) as GeminiResponse | GeminiResponse[]
    const err = (Array.isArray(body) ? body[0] : body)?.error
    if (err?.message) return { message: err.message, type: err.status, code: err.status ?? null }
  } catch {
    // not JSON
  }
  return { message: text.trim().slice(0, 500) || `upstream returned HTTP ${status}` }
}

/** Each SSE event is a whole GenerateContentResponse; the one with a finishReason ends the stream. */
class GeminiStream extends TranslatedStream {
  #started = false
  #tools = 0

  constructor(opts: StreamOptions) {
    super(opts, 'chatcmpl-gemini')
  }

  protected on(raw: Record<string, unknown>, emit: Emit): void {
    const res = raw as unknown as GeminiResponse
    if (res.error) return this.fail(emit, res.error.message, res.error.status)
    if (!this.#started) {
      this.#started = true
      if (res.responseId) this.id = `chatcmpl-${res.responseId}`
      emit(this.chunk({ role: 'assistant', content: '' }))
    }
    if (res.usageMetadata) this.usage = usageFromGemini(res.usageMetadata)
    const cand = res.candidates?.[0]
    const parts = cand?.content?.parts ?? []
    const text = textOf(parts)
    if (text) emit(this.chunk({ content: text }))
    // Gemini sends each function call whole, arguments included.
    const calls = toolCalls(parts, this.#tools)
    if (calls.length) {
      this.#tools += calls.length
      emit(this.chunk({ tool_calls: calls }))
    }
    const finished =
      cand?.finishReason !== undefined || (res.promptFeedback?.blockReason !== undefined && !cand)
    if (!finished) return
    const reason = cand?.finishReason ?? 'SAFETY'
    emit(this.chunk({}, finishReason(reason, this.#tools > 0)))
    this.finish(emit)
  }
}

const baseOf = (provider: ProviderConfig): string => baseUrlOr(provider, DEFAULT_BASE)

export const gemini: ProviderAdapter = {
  type: 'gemini',
  supports: (op) => op === 'chat' || op === 'embeddings',

  buildRequest(input, provider) {
    const headers = upstreamHeaders(provider, (apiKey) => ({ 'x-goog-api-key': apiKey }))
    const model = `${baseOf(provider)}/models/${encodeURIComponent(input.model)}`
    if (input.op === 'embeddings') {
      return {
        url: `${model}:batchEmbedContents`,
        headers,
        body: JSON.stringify(toGeminiEmbeddings(input.body, input.model)),
        stripUsage: false,
      }
    }
    const url = input.stream ? `${model}:streamGenerateContent?alt=sse` : `${model}:generateContent`
    const streamOptions = input.body['stream_options'] as
      { include_usage?: boolean } | null | undefined
    return {
      url,
      headers,
      body: JSON.stringify(toGeminiRequest(input.body)),
      stripUsage: streamOptions?.include_usage !== true,
    }
  },

  parseResponse(op, text, ctx) {
    const res = JSON.parse(text) as GeminiResponse & { embeddings?: { values: number[] }[] }
    if (res === null || typeof res !== 'object') throw new Error('not a Gemini response')
    if (op === 'embeddings') {
      if (!Array.isArray(res.embeddings)) throw new Error('not a Gemini embeddings response')
      const vectors = res.embeddings.map((e) => e.values)
      return {
        body: JSON.stringify(
          openAIEmbeddings(vectors, ctx.model, ctx.base64Embeddings === true, 0),
        ),
        usage: undefined,
      }
    }
    return {
      body: JSON.stringify(fromGeminiResponse(res, ctx)),
      usage: usageFromGemini(res.usageMetadata),
    }
  },

  parseError: parseGeminiError,

  streamTranslator: (_op, opts) => new GeminiStream(opts),
}
