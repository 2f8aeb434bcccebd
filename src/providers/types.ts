import type { ProviderConfig } from '../core/gateway-config.ts'
import type { SseEvent } from '../core/sse.ts'

export type Operation = 'chat' | 'embeddings'

export interface Usage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

export interface TranslateInput {
  op: Operation
  /** The client's body, parsed and validated (OpenAI shape). */
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
  /** The gateway asked for stream usage on its own account: hide the usage chunk from the client. */
  stripUsage: boolean
}

export interface ProviderError {
  message: string
  type?: string | undefined
  code?: string | null | undefined
  param?: string | null | undefined
}

export interface StreamTranslator {
  /** One upstream SSE event in; each OpenAI chunk out (a `data:` payload) goes to `emit`. */
  event(ev: SseEvent, emit: (data: string) => void): void
  /** True once the upstream has signalled a clean end of the stream. */
  readonly done: boolean
  /** The usage the stream reported, if any. */
  readonly usage: Usage | undefined
}

/** A provider is pure translation: no I/O, no framework or runtime types. */
export interface ProviderAdapter {
  readonly type: string
  supports(op: Operation): boolean
  buildRequest(input: TranslateInput, provider: ProviderConfig): BuiltRequest
  /** A 2xx body in, the OpenAI body out (as text) with its usage. Throws on a body it cannot read. */
  parseResponse(op: Operation, text: string): { body: string; usage: Usage | undefined }
  parseError(status: number, text: string): ProviderError
  streamTranslator(options: { stripUsage: boolean }): StreamTranslator
}
