import type { ProviderConfig } from '../core/gateway-config.ts'
import type { SseEvent } from '../core/sse.ts'

/**
 * `chat` and `embeddings` take and give OpenAI's shapes; `messages` is Anthropic's Messages API,
 * passed through natively by providers that speak it.
 */
export type Operation = 'chat' | 'embeddings' | 'messages'

export interface Usage {
  /** All input tokens, cached ones included (OpenAI's prompt_tokens). */
  promptTokens: number
  completionTokens: number
  totalTokens: number
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens?: number | undefined
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number | undefined
}

export interface TranslateInput {
  op: Operation
  /** The client's body, parsed and validated (OpenAI shape; Anthropic's for `messages`). */
  body: Record<string, unknown>
  /** The client's body as it came, forwarded untouched whenever nothing needs to change. */
  raw: string
  /** The model name to send upstream. */
  model: string
  stream: boolean
}

export interface BuiltRequest {
  url: string
  headers: Record<string, string>
  body: string
  /** The caller did not ask for stream usage: keep the usage chunk out of its stream. */
  stripUsage: boolean
}

/** What a translation may need besides the body: the clock's time and the requested model. */
export interface TranslateContext {
  /** Unix seconds, for the `created` of translated responses. */
  created: number
  /** The model name the caller asked for. */
  model: string
  /** Embeddings were asked for as base64 (`encoding_format`), as the openai SDK does by default. */
  base64Embeddings?: boolean
}

export interface ProviderError {
  message: string
  type?: string | undefined
  code?: string | null | undefined
  param?: string | null | undefined
}

/** Receives one outgoing stream event: its data, and the SSE event name where there is one. */
export type Emit = (data: string, event?: string) => void

export interface StreamTranslator {
  /** One upstream SSE event in; each chunk out goes to `emit` (OpenAI chunks for chat). */
  event(ev: SseEvent, emit: Emit): void
  /** True once the upstream has signalled a clean (or a final, error) end of the stream. */
  readonly done: boolean
  /** The usage the stream reported, if any. */
  readonly usage: Usage | undefined
}

export interface StreamOptions extends TranslateContext {
  stripUsage: boolean
}

/** A provider is pure translation: no I/O, no framework or runtime types. */
export interface ProviderAdapter {
  readonly type: string
  supports(op: Operation): boolean
  buildRequest(input: TranslateInput, provider: ProviderConfig): BuiltRequest
  /** A 2xx body in, the body for the caller out (OpenAI's shape for chat) with its usage. Throws on a body it cannot read. */
  parseResponse(
    op: Operation,
    text: string,
    ctx: TranslateContext,
  ): { body: string; usage: Usage | undefined }
  parseError(status: number, text: string): ProviderError
  streamTranslator(op: Operation, options: StreamOptions): StreamTranslator
}
