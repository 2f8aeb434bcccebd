import type { ProviderConfig } from '../core/gateway-config.ts'
import type { SseEvent } from '../core/sse.ts'
import { openAIUsage } from './openai-compatible.ts'
import type { Emit, StreamOptions, StreamTranslator, Usage } from './types.ts'

/** What every native translation to OpenAI chunks shares: the chunk shape, the clean end, errors. */
export abstract class TranslatedStream implements StreamTranslator {
  done = false
  usage: Usage | undefined = undefined
  protected id: string
  protected model: string
  protected readonly opts: StreamOptions

  constructor(opts: StreamOptions, id: string) {
    this.opts = opts
    this.id = id
    this.model = opts.model
  }

  /** Parses each event's JSON once; events that are not JSON are skipped. */
  event(ev: SseEvent, emit: Emit): void {
    let data: unknown
    try {
      data = JSON.parse(ev.data)
    } catch {
      return
    }
    if (data !== null && typeof data === 'object')
      this.on(data as Record<string, unknown>, emit, ev)
  }

  protected abstract on(data: Record<string, unknown>, emit: Emit, ev: SseEvent): void

  protected chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    return JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.opts.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })
  }

  /** A clean end: the usage chunk when the caller asked for one, then [DONE]. */
  protected finish(emit: Emit): void {
    if (!this.opts.stripUsage && this.usage) {
      emit(
        JSON.stringify({
          id: this.id,
          object: 'chat.completion.chunk',
          created: this.opts.created,
          model: this.model,
          choices: [],
          usage: openAIUsage(this.usage),
        }),
      )
    }
    this.done = true
    emit('[DONE]')
  }

  /** An upstream's mid-stream error ends the stream, in OpenAI's shape. */
  protected fail(emit: Emit, message: string | undefined, type: string | undefined): void {
    this.done = true
    emit(
      JSON.stringify({
        error: {
          message: message ?? 'upstream error',
          type: type ?? 'api_error',
          param: null,
          code: type ?? null,
        },
      }),
    )
  }
}

export function baseUrlOr(provider: ProviderConfig, fallback: string): string {
  const base = provider.baseUrl ?? fallback
  return base.endsWith('/') ? base.slice(0, -1) : base
}
