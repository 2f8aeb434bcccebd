import { bearer, upstreamHeaders } from './headers.ts'
import type { ProviderConfig } from '../core/gateway-config.ts'
import type { SseEvent } from '../core/sse.ts'
import type {
  BuiltRequest,
  Emit,
  Operation,
  ProviderAdapter,
  ProviderError,
  StreamTranslator,
  TranslateInput,
  Usage,
} from './types.ts'

/** What distinguishes one OpenAI-compatible API from another: data, not code. */
export interface OpenAICompatibleSpec {
  type: string
  /** Used when the provider config gives no baseUrl; absent (or undefined) means it is required. */
  defaultBaseUrl?: string | ((provider: ProviderConfig) => string | undefined)
  /** Whether the upstream understands `stream_options.include_usage`. */
  streamUsage: boolean
  embeddings: boolean
  /** Builds the URL for an operation; the default appends /chat/completions or /embeddings. */
  url?: (base: string, op: Operation, model: string, provider: ProviderConfig) => string
  /** Auth headers; the default is `Authorization: Bearer <apiKey>`. */
  auth?: (apiKey: string) => Record<string, string>
}

const PATHS: Record<Operation, string> = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  messages: '',
}

export function baseUrlOf(spec: OpenAICompatibleSpec, provider: ProviderConfig): string {
  const fallback = spec.defaultBaseUrl
  const base = provider.baseUrl ?? (typeof fallback === 'function' ? fallback(provider) : fallback)
  if (base === undefined) throw new Error(`provider type ${spec.type} needs a baseUrl`)
  return base.endsWith('/') ? base.slice(0, -1) : base
}

interface UsageWire {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number } | null
}

export function usageFromOpenAI(u: UsageWire | null | undefined): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined
  const promptTokens = u.prompt_tokens ?? 0
  const completionTokens = u.completion_tokens ?? 0
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: u.total_tokens ?? promptTokens + completionTokens,
  }
  const cached = u.prompt_tokens_details?.cached_tokens
  if (cached) usage.cachedTokens = cached
  return usage
}

/** A Usage in OpenAI's wire shape. */
export function openAIUsage(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.totalTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const codeOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null

/**
 * Reads the error bodies OpenAI-compatible servers send: OpenAI's envelope and its cousins
 * (Mistral and vLLM put the fields at the root, xAI sends `error` as a string, OpenRouter and
 * Perplexity send numeric codes, some servers answer in plain text).
 */
export function parseOpenAIError(status: number, text: string): ProviderError {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { message: text.trim().slice(0, 500) || `upstream returned HTTP ${status}` }
  }
  if (parsed === null || typeof parsed !== 'object') return { message: String(parsed) }
  const root = parsed as Record<string, unknown>
  // Cloudflare's API envelope: { success: false, errors: [{ code, message }] }.
  const first = Array.isArray(root['errors'])
    ? (root['errors'][0] as Record<string, unknown>)
    : undefined
  if (first && typeof first === 'object' && str(first['message'])) {
    return { message: first['message'] as string, code: codeOf(first['code']) }
  }
  const nested = root['error']
  const e =
    nested !== null && typeof nested === 'object' ? (nested as Record<string, unknown>) : root
  const message =
    str(e['message']) ??
    str(nested) ??
    str(e['detail']) ??
    str(root['detail']) ??
    text.slice(0, 500)
  return {
    message,
    type: str(e['type']),
    code: codeOf(e['code'] ?? (e === root ? undefined : root['code'])),
    param: str(e['param']) ?? null,
  }
}

// A usage object, as opposed to the `"usage":null` every chunk carries once usage is requested.
const USAGE_OBJECT = /"usage"\s*:\s*\{/

class OpenAIStream implements StreamTranslator {
  done = false
  usage: Usage | undefined = undefined
  readonly #stripUsage: boolean

  constructor(stripUsage: boolean) {
    this.#stripUsage = stripUsage
  }

  event(ev: SseEvent, emit: Emit): void {
    const data = ev.data
    if (data === '[DONE]') {
      this.done = true
      emit(data)
      return
    }
    // Parse only the chunk that carries usage; every other chunk passes through as it came.
    if (USAGE_OBJECT.test(data)) {
      try {
        const chunk = JSON.parse(data) as { usage?: UsageWire; choices?: unknown[] }
        this.usage = usageFromOpenAI(chunk.usage) ?? this.usage
        if (this.#stripUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return
      } catch {
        // Not JSON: pass it on as it is; the client sees what the upstream sent.
      }
    }
    emit(data)
  }
}

export function openAICompatible(spec: OpenAICompatibleSpec): ProviderAdapter {
  return {
    type: spec.type,
    supports: (op) => op === 'chat' || (op === 'embeddings' && spec.embeddings),

    buildRequest(input: TranslateInput, provider: ProviderConfig): BuiltRequest {
      const base = baseUrlOf(spec, provider)
      const url = spec.url
        ? spec.url(base, input.op, input.model, provider)
        : base + PATHS[input.op]
      const headers = upstreamHeaders(provider, spec.auth ?? bearer)

      const streamOptions = input.body['stream_options'] as
        { include_usage?: boolean } | null | undefined
      const addUsage = input.stream && spec.streamUsage && streamOptions?.include_usage !== true
      // Forward the caller's bytes untouched unless the model name or stream options must change.
      if (input.body['model'] === input.model && !addUsage) {
        return { url, headers, body: input.raw, stripUsage: false }
      }
      const body: Record<string, unknown> = { ...input.body, model: input.model }
      if (addUsage) body['stream_options'] = { ...streamOptions, include_usage: true }
      return { url, headers, body: JSON.stringify(body), stripUsage: addUsage }
    },

    parseResponse(_op, text) {
      const parsed = JSON.parse(text) as { usage?: UsageWire }
      if (parsed === null || typeof parsed !== 'object')
        throw new Error('response is not a JSON object')
      return { body: text, usage: usageFromOpenAI(parsed.usage) }
    },

    parseError: parseOpenAIError,

    streamTranslator: (_op, { stripUsage }) => new OpenAIStream(stripUsage),
  }
}
