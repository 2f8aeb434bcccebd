import type { GatewayError } from '../../core/errors.ts'
import type { StreamWriter, Surface } from '../../core/surface.ts'
import type { TranslateContext } from '../types.ts'
import { anthropicErrorType, STOP_FROM_FINISH, type AnthropicBlock } from './wire.ts'

// The Anthropic API spoken back to /v1/messages callers: OpenAI chat completions and chunks
// become Anthropic messages and stream events; native Anthropic responses pass through.

export function anthropicErrorBody(err: GatewayError): string {
  return JSON.stringify({
    type: 'error',
    error: { type: anthropicErrorType(err.status), message: err.message },
  })
}

const sse = (type: string, data: unknown): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`

interface OpenAIUsageWire {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number } | null
}

function anthropicUsage(u: OpenAIUsageWire | undefined): Record<string, number> {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached),
    output_tokens: u?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
  }
}

const messageId = (id: string | undefined): string =>
  id?.startsWith('msg_') ? id : `msg_${id ?? 'switchyard'}`

interface OpenAICompletion {
  id?: string
  choices?: {
    message?: {
      content?: string | null
      tool_calls?: { id: string; function: { name: string; arguments: string } }[]
    }
    finish_reason?: string | null
  }[]
  usage?: OpenAIUsageWire
}

function parseInput(args: string): unknown {
  try {
    return JSON.parse(args || '{}')
  } catch {
    return {}
  }
}

export function toAnthropicResponse(
  c: OpenAICompletion,
  ctx: TranslateContext,
): Record<string, unknown> {
  const choice = c.choices?.[0]
  const content: AnthropicBlock[] = []
  if (choice?.message?.content) content.push({ type: 'text', text: choice.message.content })
  for (const call of choice?.message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseInput(call.function.arguments),
    })
  }
  return {
    id: messageId(c.id),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: STOP_FROM_FINISH[choice?.finish_reason ?? 'stop'] ?? 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(c.usage),
  }
}

interface OpenAIChunk {
  id?: string
  error?: { message?: string }
  choices?: {
    delta?: {
      content?: string | null
      tool_calls?: {
        index: number
        id?: string
        function?: { name?: string; arguments?: string }
      }[]
    }
    finish_reason?: string | null
  }[]
  usage?: OpenAIUsageWire | null
}

type OpenBlock = { kind: 'text' } | { kind: 'tool'; tool: number }

/** OpenAI chat chunks -> Anthropic stream events: blocks opened and closed in order. */
class OpenAIToAnthropicWriter implements StreamWriter {
  #started = false
  #open: OpenBlock | undefined
  #index = -1
  #stop = 'end_turn'
  #usage: OpenAIUsageWire | undefined
  readonly #ctx: TranslateContext

  constructor(ctx: TranslateContext) {
    this.#ctx = ctx
  }

  write(data: string, _event: string | undefined, out: string[]): void {
    if (data === '[DONE]') return this.#finish(out)
    let chunk: OpenAIChunk
    try {
      chunk = JSON.parse(data) as OpenAIChunk
    } catch {
      return
    }
    if (chunk.error) {
      out.push(
        sse('error', {
          type: 'error',
          error: { type: 'api_error', message: chunk.error.message ?? 'upstream error' },
        }),
      )
      return
    }
    if (!this.#started) {
      this.#started = true
      out.push(
        sse('message_start', {
          type: 'message_start',
          message: {
            id: messageId(chunk.id),
            type: 'message',
            role: 'assistant',
            model: this.#ctx.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        }),
      )
    }
    if (chunk.usage) this.#usage = chunk.usage
    const choice = chunk.choices?.[0]
    if (!choice) return
    const delta = choice.delta ?? {}
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.#open?.kind !== 'text')
        this.#startBlock(out, { kind: 'text' }, { type: 'text', text: '' })
      out.push(
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: this.#index,
          delta: { type: 'text_delta', text: delta.content },
        }),
      )
    }
    for (const call of delta.tool_calls ?? []) {
      const current = this.#open?.kind === 'tool' ? this.#open.tool : undefined
      if (call.id !== undefined || current !== call.index) {
        this.#startBlock(
          out,
          { kind: 'tool', tool: call.index },
          {
            type: 'tool_use',
            id: call.id ?? `toolu_${call.index}`,
            name: call.function?.name ?? '',
            input: {},
          },
        )
      }
      const args = call.function?.arguments
      if (args) {
        out.push(
          sse('content_block_delta', {
            type: 'content_block_delta',
            index: this.#index,
            delta: { type: 'input_json_delta', partial_json: args },
          }),
        )
      }
    }
    if (choice.finish_reason) this.#stop = STOP_FROM_FINISH[choice.finish_reason] ?? 'end_turn'
  }

  #startBlock(out: string[], open: OpenBlock, block: AnthropicBlock): void {
    this.#closeBlock(out)
    this.#index++
    this.#open = open
    out.push(
      sse('content_block_start', {
        type: 'content_block_start',
        index: this.#index,
        content_block: block,
      }),
    )
  }

  #closeBlock(out: string[]): void {
    if (this.#open)
      out.push(sse('content_block_stop', { type: 'content_block_stop', index: this.#index }))
    this.#open = undefined
  }

  #finish(out: string[]): void {
    this.#closeBlock(out)
    out.push(
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: this.#stop, stop_sequence: null },
        usage: anthropicUsage(this.#usage),
      }),
    )
    out.push(sse('message_stop', { type: 'message_stop' }))
  }
}

const NATIVE_WRITER: StreamWriter = {
  write(data, event, out) {
    out.push(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`)
  },
}

export const anthropicSurface: Surface = {
  streamWriter: (native, ctx) => (native ? NATIVE_WRITER : new OpenAIToAnthropicWriter(ctx)),
  json: (native, body, ctx) =>
    native ? body : JSON.stringify(toAnthropicResponse(JSON.parse(body) as OpenAICompletion, ctx)),
  errorEvent: (err) => `event: error\ndata: ${anthropicErrorBody(err)}\n\n`,
}
