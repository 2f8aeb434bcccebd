import type { TranslateContext } from '../providers/types.ts'
import { openAIErrorBody, type GatewayError } from './errors.ts'
import { sseData } from './sse.ts'

/** Writes outgoing stream chunks in the caller's API. */
export interface StreamWriter {
  /** One chunk: `data` with its SSE event name, from a provider's translator. */
  write(data: string, event: string | undefined, out: string[]): void
}

/**
 * The API the caller speaks (OpenAI's, or Anthropic's on /v1/messages). Providers translate to
 * and from OpenAI chat; a surface turns that into the caller's API, unless the provider spoke
 * the caller's API natively (`native`), in which case it passes through.
 */
export interface Surface {
  streamWriter(native: boolean, ctx: TranslateContext): StreamWriter
  /** A 2xx body for the caller. */
  json(native: boolean, body: string, ctx: TranslateContext): string
  /** The event that ends a broken stream, in the caller's API. */
  errorEvent(err: GatewayError): string
}

const OPENAI_WRITER: StreamWriter = {
  write(data, _event, out) {
    out.push(sseData(data))
  },
}

export const openAISurface: Surface = {
  streamWriter: () => OPENAI_WRITER,
  json: (_native, body) => body,
  errorEvent: (err) => sseData(openAIErrorBody(err)),
}
