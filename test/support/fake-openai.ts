import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

// A local upstream that speaks OpenAI's wire format as its API reference documents it: paths,
// bearer auth, the chat.completion and chat.completion.chunk objects, SSE framing with a final
// usage chunk and `data: [DONE]`, embeddings, and the error envelope. Faults are scripted per
// request so tests can prove retries, fallback and timeouts against real sockets.

export type Behaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Streams `after` events, then destroys the socket. */
  | { kind: 'cut'; after: number }
  /** Streams `after` events, then goes silent (the socket stays open). */
  | { kind: 'stall'; after: number }

export interface Recorded {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  json: Record<string, unknown> | undefined
}

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (or Azure's `api-key`). */
  apiKey?: string
  /** Words in a reply, so streams have several content events. */
  reply?: string
  /** Pause between stream events. */
  eventDelayMs?: number
}

export const TOOL_ARGS = '{"city":"Paris","unit":"celsius"}'

const words = (s: string): number => s.split(/\s+/).filter(Boolean).length

function promptTokens(body: Record<string, unknown>): number {
  const messages = (body['messages'] as { content?: unknown }[] | undefined) ?? []
  return (
    messages.reduce((n, m) => n + (typeof m.content === 'string' ? words(m.content) : 1), 0) + 3
  )
}

export class FakeOpenAI {
  readonly requests: Recorded[] = []
  /** Streams whose connection closed before the fake finished writing them. */
  abortedStreams = 0
  readonly #queue: Behaviour[] = []
  readonly #sockets = new Set<Socket>()
  readonly #opts: FakeOpenAIOptions
  #server: Server | undefined
  url = ''
  port = 0

  constructor(opts: FakeOpenAIOptions = {}) {
    this.#opts = opts
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.keepAliveTimeout = 60_000
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject)
      this.#server?.listen(port, '127.0.0.1', resolve)
    })
    this.port = (this.#server.address() as AddressInfo).port
    this.url = `http://127.0.0.1:${this.port}`
    return this
  }

  /** Scripts the next requests, in order; after the script the fake answers normally. */
  enqueue(...behaviours: Behaviour[]): void {
    this.#queue.push(...behaviours)
  }

  reset(): void {
    this.#queue.length = 0
    this.requests.length = 0
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    )
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let json: Record<string, unknown> | undefined
    try {
      json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined
    } catch {
      json = undefined
    }
    const url = new URL(req.url ?? '/', 'http://x')
    // Azure's deployment paths and Workers AI's account paths map onto the same operations.
    const path = url.pathname
      .replace(/^\/openai\/deployments\/[^/]+/, '/v1')
      .replace(/^\/client\/v4\/accounts\/[^/]+\/ai\/v1/, '/v1')
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      json,
    })

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

    const behaviour = this.#queue.shift() ?? { kind: 'ok' }
    switch (behaviour.kind) {
      case 'hang':
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'status': {
        const payload = behaviour.body ?? {
          error: {
            message: `fake failure ${behaviour.status}`,
            type: 'server_error',
            param: null,
            code: null,
          },
        }
        res.writeHead(behaviour.status, {
          'content-type': 'application/json',
          ...behaviour.headers,
        })
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload))
        return
      }
      case 'ok':
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs))
    }

    if (req.method === 'GET' && path === '/v1/models') {
      return this.#json(res, {
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

  #json(res: ServerResponse, body: unknown, status = 200): void {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    res.end(text)
  }

  #error(
    res: ServerResponse,
    status: number,
    message: string,
    type: string,
    code: string | null,
  ): void {
    this.#json(res, { error: { message, type, param: null, code } }, status)
  }

  #replyText(body: Record<string, unknown>): string {
    if (this.#opts.reply) return this.#opts.reply
    const messages = body['messages'] as { role: string; content?: unknown }[]
    const last = [...messages].reverse().find((m) => m.role === 'user')
    return `You said: ${typeof last?.content === 'string' ? last.content : 'something'}`
  }

  #chat(res: ServerResponse, body: Record<string, unknown>): void {
    const useTool = Array.isArray(body['tools']) && body['tool_choice'] !== 'none'
    const text = this.#replyText(body)
    const prompt = promptTokens(body)
    const completion = useTool ? 12 : words(text)
    this.#json(res, {
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

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    res.on('close', () => {
      if (!res.writableFinished) this.abortedStreams++
    })
    const limit =
      behaviour.kind === 'cut' || behaviour.kind === 'stall' ? behaviour.after : Infinity
    let sent = 0
    for (const ev of events) {
      if (sent >= limit) break
      if (res.destroyed) return
      await new Promise<void>((resolve) =>
        res.write(`data: ${JSON.stringify(ev)}\n\n`, () => resolve()),
      )
      sent++
      if (this.#opts.eventDelayMs) await new Promise((r) => setTimeout(r, this.#opts.eventDelayMs))
    }
    if (behaviour.kind === 'cut') {
      // Let the events already written reach the gateway before the connection drops.
      await new Promise((r) => setTimeout(r, 30))
      return void res.socket?.destroy()
    }
    if (behaviour.kind === 'stall') return
    res.end('data: [DONE]\n\n')
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
    this.#json(res, {
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
