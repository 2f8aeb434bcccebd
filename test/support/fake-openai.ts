import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  FakeUpstream,
  lastUserText,
  words,
  type Behaviour,
  type Recorded,
} from './fake-upstream.ts'

// A local upstream that speaks OpenAI's wire format as its API reference documents it: paths,
// bearer auth, the chat.completion and chat.completion.chunk objects, SSE framing with a final
// usage chunk and `data: [DONE]`, embeddings, and the error envelope. Faults are scripted per
// request so tests can prove retries, fallback and timeouts against real sockets.

export type { Behaviour, Recorded } from './fake-upstream.ts'

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (or Azure's `api-key`). */
  apiKey?: string
  /** Words in a reply, so streams have several content events. */
  reply?: string
  /** Pause between stream events. */
  eventDelayMs?: number
}

export const TOOL_ARGS = '{"city":"Paris","unit":"celsius"}'

function promptTokens(body: Record<string, unknown>): number {
  const messages = (body['messages'] as { content?: unknown }[] | undefined) ?? []
  return (
    messages.reduce((n, m) => n + (typeof m.content === 'string' ? words(m.content) : 1), 0) + 3
  )
}

export class FakeOpenAI extends FakeUpstream {
  readonly #opts: FakeOpenAIOptions

  constructor(opts: FakeOpenAIOptions = {}) {
    super()
    this.#opts = opts
  }

  protected defaultErrorBody(status: number): unknown {
    return {
      error: { message: `fake failure ${status}`, type: 'server_error', param: null, code: null },
    }
  }

  protected answer(
    req: IncomingMessage,
    res: ServerResponse,
    rec: Recorded,
    behaviour: Behaviour,
  ): Promise<void> | void {
    const json = rec.json
    const url = new URL(req.url ?? '/', 'http://x')
    // Azure's deployment paths and Workers AI's account paths map onto the same operations.
    const path = url.pathname
      .replace(/^\/openai\/deployments\/[^/]+/, '/v1')
      .replace(/^\/client\/v4\/accounts\/[^/]+\/ai\/v1/, '/v1')
    if (this.#opts.apiKey) {
      const bearer = req.headers['authorization'] === `Bearer ${this.#opts.apiKey}`
      if (!bearer && req.headers['api-key'] !== this.#opts.apiKey) {
        return this.#error(
          res,
          401,
          'Incorrect API key provided.',
          'invalid_request_error',
          'invalid_api_key',
        )
      }
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return this.json(res, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }],
      })
    }
    if (req.method === 'POST' && path === '/v1/embeddings' && json)
      return this.#embeddings(res, json)
    if (req.method === 'POST' && path === '/v1/chat/completions' && json) {
      return json['stream'] === true ? this.#stream(res, json, behaviour) : this.#chat(res, json)
    }
    return this.#error(
      res,
      404,
      `Invalid URL (${req.method} ${url.pathname})`,
      'invalid_request_error',
      null,
    )
  }

  #error(
    res: ServerResponse,
    status: number,
    message: string,
    type: string,
    code: string | null,
  ): void {
    this.json(res, { error: { message, type, param: null, code } }, status)
  }

  #replyText(body: Record<string, unknown>): string {
    if (this.#opts.reply) return this.#opts.reply
    return `You said: ${lastUserText(body['messages'] as { role: string; content?: unknown }[])}`
  }

  #chat(res: ServerResponse, body: Record<string, unknown>): void {
    const useTool = Array.isArray(body['tools']) && body['tool_choice'] !== 'none'
    const text = this.#replyText(body)
    const prompt = promptTokens(body)
    const completion = useTool ? 12 : words(text)
    this.json(res, {
      id: 'chatcmpl-fake123',
      object: 'chat.completion',
      created: 1721172741,
      model: `${String(body['model'])}-2024-07-18`,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: useTool
            ? {
                role: 'assistant',
                content: null,
                refusal: null,
                tool_calls: [
                  {
                    id: 'call_abc123',
                    type: 'function',
                    function: { name: 'get_weather', arguments: TOOL_ARGS },
                  },
                ],
              }
            : { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: useTool ? 'tool_calls' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
    })
  }

  async #stream(
    res: ServerResponse,
    body: Record<string, unknown>,
    behaviour: Behaviour,
  ): Promise<void> {
    const includeUsage =
      (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true
    const useTool = Array.isArray(body['tools']) && body['tool_choice'] !== 'none'
    const base = {
      id: 'chatcmpl-fake123',
      object: 'chat.completion.chunk',
      created: 1721172741,
      model: `${String(body['model'])}-2024-07-18`,
      system_fingerprint: 'fp_fake',
    }
    const chunk = (delta: unknown, finish: string | null = null): unknown => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    })
    const events: unknown[] = [
      chunk({ role: 'assistant', content: useTool ? null : '', refusal: null }),
    ]
    const text = this.#replyText(body)
    if (useTool) {
      events.push(
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 'call_abc123',
              type: 'function',
              function: { name: 'get_weather', arguments: '' },
            },
          ],
        }),
      )
      // Arguments split mid-token across chunks, as real streams do.
      for (const part of ['{"ci', 'ty":"Par', 'is","unit"', ':"celsius"}']) {
        events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }))
      }
      events.push(chunk({}, 'tool_calls'))
    } else {
      const parts = text.split(' ')
      parts.forEach((w, i) => events.push(chunk({ content: i === 0 ? w : ` ${w}` })))
      events.push(chunk({}, 'stop'))
    }
    if (includeUsage) {
      const prompt = promptTokens(body)
      const completion = useTool ? 12 : words(text)
      events.push({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
        },
      })
    }

    const framed = events.map((ev) => `data: ${JSON.stringify(ev)}\n\n`)
    await this.stream(res, framed, behaviour, 'data: [DONE]\n\n', this.#opts.eventDelayMs)
  }

  #embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    const input = body['input']
    const inputs = Array.isArray(input) ? input : [input]
    const dims = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8
    const tokens = inputs.reduce<number>((n, i) => n + (typeof i === 'string' ? words(i) : 1), 0)
    const base64 = body['encoding_format'] === 'base64'
    const vector = (index: number): number[] | string => {
      const floats = Array.from({ length: dims }, (_, d) =>
        Math.fround((index + 1) * 0.01 + d * 0.001),
      )
      // As the API does: base64 of little-endian float32s, which the openai SDK asks for by default.
      return base64 ? Buffer.from(new Float32Array(floats).buffer).toString('base64') : floats
    }
    this.json(res, {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: vector(index) })),
      model: String(body['model']),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    })
  }
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  return new FakeOpenAI(opts).start()
}
