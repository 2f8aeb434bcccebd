import { bearer, upstreamHeaders } from './headers.ts'
import type { ProviderConfig } from '../core/gateway-config.ts'
import type { SseEvent } from '../core/sse.ts'
import { baseUrlOr, TranslatedStream } from './chunks.ts'
import { openAIEmbeddings } from './embeddings.ts'
import { openAIUsage } from './openai-compatible.ts'
import type {
  Emit,
  ProviderAdapter,
  ProviderError,
  StreamOptions,
  TranslateContext,
  Usage,
} from './types.ts'

// Cohere's v2 Chat and Embed APIs. Close to OpenAI's messages and tools, with its own parameter
// names, finish reasons, usage and (named) stream events.

const DEFAULT_BASE = 'https://api.cohere.com/v2'

interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number }
  tokens?: { input_tokens?: number; output_tokens?: number }
  cached_tokens?: number
}

interface CohereToolCall {
  id?: string
  type?: string
  function?: { name?: string; arguments?: string }
}

interface CohereResponse {
  id?: string
  finish_reason?: string
  message?: {
    content?: { type: string; text?: string }[]
    tool_calls?: CohereToolCall[]
    tool_plan?: string
  }
  usage?: CohereUsage
}

const FINISH: Record<string, string> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
  ERROR: 'stop',
  TIMEOUT: 'stop',
}

export function usageFromCohere(u: CohereUsage | undefined): Usage | undefined {
  const t = u?.tokens ?? u?.billed_units
  if (!t) return undefined
  const promptTokens = t.input_tokens ?? 0
  const completionTokens = t.output_tokens ?? 0
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
  }
  if (u?.cached_tokens) usage.cachedTokens = u.cached_tokens
  return usage
}

export function toCohereRequest(
  body: Record<string, unknown>,
  model: string,
): Record<string, unknown> {
  const messages = ((body['messages'] as Record<string, unknown>[] | undefined) ?? []).map((m) =>
    m['role'] === 'developer' ? { ...m, role: 'system' } : m,
  )
  const req: Record<string, unknown> = { model, messages }
  const copy: [string, string][] = [
    ['temperature', 'temperature'],
    ['top_p', 'p'],
    ['seed', 'seed'],
    ['frequency_penalty', 'frequency_penalty'],
    ['presence_penalty', 'presence_penalty'],
    ['stream', 'stream'],
  ]
  for (const [from, to] of copy)
    if (body[from] !== undefined && body[from] !== null) req[to] = body[from]
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens']
  if (typeof maxTokens === 'number') req['max_tokens'] = maxTokens
  const stop = body['stop']
  if (stop !== undefined && stop !== null)
    req['stop_sequences'] = Array.isArray(stop) ? stop : [stop]
  let tools = body['tools'] as { function?: { name?: string } }[] | undefined
  const choice = body['tool_choice']
  if (choice && typeof choice === 'object') {
    // Cohere cannot name the tool to call: offer only that one, and require a call.
    const name = (choice as { function?: { name?: string } }).function?.name
    tools = tools?.filter((t) => t.function?.name === name)
    req['tool_choice'] = 'REQUIRED'
  } else if (choice === 'required') req['tool_choice'] = 'REQUIRED'
  else if (choice === 'none') req['tool_choice'] = 'NONE'
  if (tools?.length) req['tools'] = tools
  const format = body['response_format'] as
    { type?: string; json_schema?: { schema?: unknown } } | undefined
  if (format?.type === 'json_object') req['response_format'] = { type: 'json_object' }
  if (format?.type === 'json_schema')
    req['response_format'] = { type: 'json_object', json_schema: format.json_schema?.schema }
  return req
}

const callsOf = (calls: CohereToolCall[] | undefined, first = 0) =>
  (calls ?? []).map((c, i) => ({
    index: first + i,
    id: c.id ?? `call_${first + i}`,
    type: 'function',
    function: { name: c.function?.name ?? '', arguments: c.function?.arguments ?? '{}' },
  }))

export function fromCohereResponse(
  res: CohereResponse,
  ctx: TranslateContext,
): Record<string, unknown> {
  const text = (res.message?.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('')
  const calls = callsOf(res.message?.tool_calls).map(({ index: _i, ...c }) => c)
  const usage = usageFromCohere(res.usage)
  return {
    id: res.id ?? 'chatcmpl-cohere',
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (calls.length ? null : ''),
          refusal: null,
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: FINISH[res.finish_reason ?? ''] ?? 'stop',
      },
    ],
    ...(usage ? { usage: openAIUsage(usage) } : {}),
  }
}

export function parseCohereError(status: number, text: string): ProviderError {
  try {
    const body = JSON.parse(text) as { message?: string; id?: string }
    if (body.message) return { message: body.message }
  } catch {
    // not JSON
  }
  return { message: text.trim().slice(0, 500) || `upstream returned HTTP ${status}` }
}

interface CohereStreamEvent {
  type?: string
  id?: string
  index?: number
  delta?: {
    message?: { content?: { text?: string }; tool_calls?: CohereToolCall }
    finish_reason?: string
    usage?: CohereUsage
  }
}

class CohereStream extends TranslatedStream {
  #tools = 0

  constructor(opts: StreamOptions) {
    super(opts, 'chatcmpl-cohere')
  }

  protected on(raw: Record<string, unknown>, emit: Emit, ev: SseEvent): void {
    const data = raw as unknown as CohereStreamEvent
    const call = data.delta?.message?.tool_calls
    switch (data.type ?? ev.event) {
      case 'message-start':
        this.id = data.id ?? this.id
        emit(this.chunk({ role: 'assistant', content: '' }))
        return
      case 'content-delta': {
        const text = data.delta?.message?.content?.text
        if (text) emit(this.chunk({ content: text }))
        return
      }
      case 'tool-call-start': {
        const index = this.#tools++
        emit(
          this.chunk({
            tool_calls: [
              {
                index,
                id: call?.id ?? `call_${index}`,
                type: 'function',
                function: {
                  name: call?.function?.name ?? '',
                  arguments: call?.function?.arguments ?? '',
                },
              },
            ],
          }),
        )
        return
      }
      case 'tool-call-delta': {
        const args = call?.function?.arguments
        if (args)
          emit(
            this.chunk({
              tool_calls: [{ index: this.#tools - 1, function: { arguments: args } }],
            }),
          )
        return
      }
      case 'message-end':
        this.usage = usageFromCohere(data.delta?.usage)
        emit(this.chunk({}, FINISH[data.delta?.finish_reason ?? ''] ?? 'stop'))
        this.finish(emit)
        return
    }
  }
}

const baseOf = (provider: ProviderConfig): string => baseUrlOr(provider, DEFAULT_BASE)

export const cohere: ProviderAdapter = {
  type: 'cohere',
  supports: (op) => op === 'chat' || op === 'embeddings',

  buildRequest(input, provider) {
    const headers = upstreamHeaders(provider, bearer)
    if (input.op === 'embeddings') {
      const raw = input.body['input']
      const texts = (Array.isArray(raw) ? raw : [raw]).map((t) =>
        typeof t === 'string' ? t : JSON.stringify(t),
      )
      const dims = input.body['dimensions']
      const body = {
        model: input.model,
        texts,
        input_type: 'search_document',
        embedding_types: ['float'],
        ...(typeof dims === 'number' ? { output_dimension: dims } : {}),
      }
      return {
        url: `${baseOf(provider)}/embed`,
        headers,
        body: JSON.stringify(body),
        stripUsage: false,
      }
    }
    const streamOptions = input.body['stream_options'] as
      { include_usage?: boolean } | null | undefined
    return {
      url: `${baseOf(provider)}/chat`,
      headers,
      body: JSON.stringify(toCohereRequest(input.body, input.model)),
      stripUsage: streamOptions?.include_usage !== true,
    }
  },

  parseResponse(op, text, ctx) {
    const res = JSON.parse(text) as CohereResponse & {
      embeddings?: { float?: number[][] }
      meta?: { billed_units?: { input_tokens?: number } }
    }
    if (res === null || typeof res !== 'object') throw new Error('not a Cohere response')
    if (op === 'embeddings') {
      const vectors = res.embeddings?.float
      if (!Array.isArray(vectors)) throw new Error('not a Cohere embed response')
      const tokens = res.meta?.billed_units?.input_tokens ?? 0
      const usage = { promptTokens: tokens, completionTokens: 0, totalTokens: tokens }
      return {
        body: JSON.stringify(
          openAIEmbeddings(vectors, ctx.model, ctx.base64Embeddings === true, tokens),
        ),
        usage,
      }
    }
    if (!res.message) throw new Error('not a Cohere chat response')
    return { body: JSON.stringify(fromCohereResponse(res, ctx)), usage: usageFromCohere(res.usage) }
  },

  parseError: parseCohereError,

  streamTranslator: (_op, opts) => new CohereStream(opts),
}
