import { upstreamHeaders } from '../headers.ts'
import type { ProviderConfig } from '../../core/gateway-config.ts'
import type { SseEvent } from '../../core/sse.ts'
import type {
  Emit,
  ProviderAdapter,
  ProviderError,
  StreamOptions,
  StreamTranslator,
  TranslateContext,
  Usage,
} from '../types.ts'
import { openAIUsage } from '../openai-compatible.ts'
import { baseUrlOr, TranslatedStream } from '../chunks.ts'
import { toAnthropicRequest } from './to-anthropic.ts'
import { FINISH_FROM_STOP, type AnthropicResponse, type AnthropicUsage } from './wire.ts'

export const ANTHROPIC_VERSION = '2023-06-01'
const DEFAULT_BASE = 'https://api.anthropic.com/v1'

export function usageFromAnthropic(u: AnthropicUsage | undefined): Usage | undefined {
  if (!u) return undefined
  const cachedTokens = u.cache_read_input_tokens ?? 0
  const cacheWriteTokens = u.cache_creation_input_tokens ?? 0
  const promptTokens = (u.input_tokens ?? 0) + cachedTokens + cacheWriteTokens
  const completionTokens = u.output_tokens ?? 0
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
  }
  if (cachedTokens) usage.cachedTokens = cachedTokens
  if (cacheWriteTokens) usage.cacheWriteTokens = cacheWriteTokens
  return usage
}

/** An Anthropic message as an OpenAI chat.completion. */
export function fromAnthropicResponse(
  res: AnthropicResponse,
  ctx: TranslateContext,
): Record<string, unknown> {
  let text = ''
  const toolCalls: unknown[] = []
  for (const block of res.content ?? []) {
    if (block.type === 'text') text += block.text
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      })
    }
  }
  const usage = usageFromAnthropic(res.usage)
  return {
    id: res.id,
    object: 'chat.completion',
    created: ctx.created,
    model: res.model ?? ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (toolCalls.length ? null : ''),
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: FINISH_FROM_STOP[res.stop_reason ?? ''] ?? 'stop',
      },
    ],
    ...(usage ? { usage: openAIUsage(usage) } : {}),
  }
}

export function parseAnthropicError(status: number, text: string): ProviderError {
  try {
    const body = JSON.parse(text) as { error?: { type?: string; message?: string } }
    if (body.error?.message)
      return { message: body.error.message, type: body.error.type, code: body.error.type ?? null }
  } catch {
    // fall through: not JSON
  }
  return { message: text.trim().slice(0, 500) || `upstream returned HTTP ${status}` }
}

interface StreamEventData {
  type: string
  message?: { id?: string; model?: string; usage?: AnthropicUsage }
  index?: number
  content_block?: { type: string; id?: string; name?: string; text?: string }
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null }
  usage?: AnthropicUsage
  error?: { type?: string; message?: string }
}

/** Anthropic stream events -> OpenAI chat.completion.chunk payloads. */
class AnthropicToOpenAIStream extends TranslatedStream {
  #wire: AnthropicUsage = {}
  #toolIndex = new Map<number, number>()

  constructor(opts: StreamOptions) {
    super(opts, 'msg')
  }

  protected on(raw: Record<string, unknown>, emit: Emit): void {
    const data = raw as unknown as StreamEventData
    switch (data.type) {
      case 'message_start':
        this.id = data.message?.id ?? this.id
        this.model = data.message?.model ?? this.model
        this.#wire = { ...data.message?.usage }
        emit(this.chunk({ role: 'assistant', content: '' }))
        return
      case 'content_block_start': {
        const block = data.content_block
        if (block?.type === 'tool_use') {
          const index = this.#toolIndex.size
          this.#toolIndex.set(data.index ?? 0, index)
          emit(
            this.chunk({
              tool_calls: [
                {
                  index,
                  id: block.id,
                  type: 'function',
                  function: { name: block.name, arguments: '' },
                },
              ],
            }),
          )
        } else if (block?.type === 'text' && block.text) {
          emit(this.chunk({ content: block.text }))
        }
        return
      }
      case 'content_block_delta': {
        const d = data.delta
        if (d?.type === 'text_delta' && d.text) emit(this.chunk({ content: d.text }))
        else if (d?.type === 'input_json_delta' && d.partial_json) {
          const index = this.#toolIndex.get(data.index ?? 0) ?? 0
          emit(this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }))
        }
        return
      }
      case 'message_delta':
        this.#wire = { ...this.#wire, ...data.usage }
        this.usage = usageFromAnthropic(this.#wire)
        emit(this.chunk({}, FINISH_FROM_STOP[data.delta?.stop_reason ?? ''] ?? 'stop'))
        return
      case 'message_stop':
        this.usage = usageFromAnthropic(this.#wire)
        this.finish(emit)
        return
      case 'error':
        // A mid-stream error (overloaded_error, say) ends the stream, in OpenAI's shape.
        this.fail(emit, data.error?.message, data.error?.type)
        return
    }
  }
}

/** Messages in, Messages out: events pass through untouched; only usage is read on the way. */
class AnthropicNativeStream implements StreamTranslator {
  done = false
  usage: Usage | undefined = undefined
  #wire: AnthropicUsage = {}

  event(ev: SseEvent, emit: Emit): void {
    const type = ev.event ?? ''
    if (type === 'message_start' || type === 'message_delta') {
      try {
        const data = JSON.parse(ev.data) as StreamEventData
        this.#wire = {
          ...this.#wire,
          ...(type === 'message_start' ? data.message?.usage : data.usage),
        }
        this.usage = usageFromAnthropic(this.#wire)
      } catch {
        // pass it on as it came
      }
    } else if (type === 'message_stop' || type === 'error') {
      this.done = true
    }
    emit(ev.data, type || undefined)
  }
}

const baseOf = (provider: ProviderConfig): string => baseUrlOr(provider, DEFAULT_BASE)

export const anthropic: ProviderAdapter = {
  type: 'anthropic',
  supports: (op) => op === 'chat' || op === 'messages',

  buildRequest(input, provider) {
    const headers = upstreamHeaders(provider, (apiKey) => ({ 'x-api-key': apiKey }), {
      'anthropic-version': provider.apiVersion ?? ANTHROPIC_VERSION,
    })
    const url = `${baseOf(provider)}/messages`
    if (input.op === 'messages') {
      const same = input.body['model'] === input.model
      return {
        url,
        headers,
        body: same ? input.raw : JSON.stringify({ ...input.body, model: input.model }),
        stripUsage: false,
      }
    }
    const streamOptions = input.body['stream_options'] as
      { include_usage?: boolean } | null | undefined
    return {
      url,
      headers,
      body: JSON.stringify(toAnthropicRequest(input.body, input.model)),
      stripUsage: streamOptions?.include_usage !== true,
    }
  },

  parseResponse(op, text, ctx) {
    const res = JSON.parse(text) as AnthropicResponse
    if (res === null || typeof res !== 'object' || !Array.isArray(res.content))
      throw new Error('not an Anthropic message')
    const usage = usageFromAnthropic(res.usage)
    if (op === 'messages') return { body: text, usage }
    return { body: JSON.stringify(fromAnthropicResponse(res, ctx)), usage }
  },

  parseError: parseAnthropicError,

  streamTranslator: (op, opts) =>
    op === 'messages' ? new AnthropicNativeStream() : new AnthropicToOpenAIStream(opts),
}
