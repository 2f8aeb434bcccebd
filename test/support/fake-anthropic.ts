import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Behaviour, Recorded } from './fake-openai.ts'

// A local upstream speaking Anthropic's Messages API as its reference documents it: POST
// /v1/messages with x-api-key and anthropic-version, message objects with text and tool_use
// blocks, named SSE events (message_start, content_block_start/delta/stop with text_delta and
// input_json_delta, ping, message_delta with usage, message_stop), and the error envelope.

export const ANTHROPIC_TOOL_INPUT = { city: 'Paris', unit: 'celsius' }

interface Msg {
  role: string
  content: string | { type: string; text?: string }[]
}

export class FakeAnthropic {
  readonly requests: Recorded[] = []
  readonly #queue: Behaviour[] = []
  readonly #sockets = new Set<Socket>()
  readonly #apiKey: string
  #server: Server | undefined
  url = ''

  constructor(apiKey = 'sk-ant-test') {
    this.#apiKey = apiKey
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject)
      this.#server?.listen(0, '127.0.0.1', resolve)
    })
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this
  }

  enqueue(...b: Behaviour[]): void {
    this.#queue.push(...b)
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    )
  }

  #error(res: ServerResponse, status: number, type: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake' })
    res.end(JSON.stringify({ type: 'error', error: { type, message } }))
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    for await (const c of req) body += (c as Buffer).toString()
    const json = JSON.parse(body || '{}') as Record<string, unknown>
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      json,
    })
    if (req.headers['x-api-key'] !== this.#apiKey)
      return this.#error(res, 401, 'authentication_error', 'invalid x-api-key')
    if (!req.headers['anthropic-version'])
      return this.#error(res, 400, 'invalid_request_error', 'anthropic-version: header is required')
    if (req.url !== '/v1/messages') return this.#error(res, 404, 'not_found_error', 'Not found')
    if (typeof json['max_tokens'] !== 'number')
      return this.#error(res, 400, 'invalid_request_error', 'max_tokens: Field required')

    const b = this.#queue.shift() ?? { kind: 'ok' }
    if (b.kind === 'hang') return
    if (b.kind === 'reset') return void req.socket.destroy()
    if (b.kind === 'status') {
      res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers })
      return void res.end(
        JSON.stringify(
          b.body ?? { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        ),
      )
    }

    const messages = json['messages'] as Msg[]
    const last = [...messages].reverse().find((m) => m.role === 'user')
    const lastText =
      typeof last?.content === 'string'
        ? last.content
        : (last?.content.find((c) => c.type === 'text')?.text ?? 'something')
    const system = typeof json['system'] === 'string' ? `[${json['system']}] ` : ''
    const text = `${system}You said: ${lastText}`
    const useTool =
      Array.isArray(json['tools']) &&
      (json['tool_choice'] as { type?: string } | undefined)?.type !== 'none'
    const usage = {
      input_tokens: 21,
      output_tokens: useTool ? 14 : text.split(' ').length,
      cache_read_input_tokens: 4,
      cache_creation_input_tokens: 0,
    }
    const message = {
      id: 'msg_fake01',
      type: 'message',
      role: 'assistant',
      model: String(json['model']),
      content: useTool
        ? [
            { type: 'text', text: 'Let me check.' },
            {
              type: 'tool_use',
              id: 'toolu_fake01',
              name: 'get_weather',
              input: ANTHROPIC_TOOL_INPUT,
            },
          ]
        : [{ type: 'text', text }],
      stop_reason: useTool ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage,
    }
    if (json['stream'] !== true) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' })
      return void res.end(JSON.stringify(message))
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'request-id': 'req_fake',
    })
    const events: [string, unknown][] = [
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            ...message,
            content: [],
            stop_reason: null,
            usage: { ...usage, output_tokens: 1 },
          },
        },
      ],
      ['ping', { type: 'ping' }],
    ]
    if (useTool) {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ])
      events.push([
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'Let me check.' },
        },
      ])
      events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }])
      events.push([
        'content_block_start',
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_fake01', name: 'get_weather', input: {} },
        },
      ])
      for (const part of ['', '{"city": "Par', 'is", "unit"', ': "celsius"}']) {
        events.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json: part },
          },
        ])
      }
      events.push(['content_block_stop', { type: 'content_block_stop', index: 1 }])
    } else {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ])
      text.split(' ').forEach((w, i) =>
        events.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: i ? ` ${w}` : w },
          },
        ]),
      )
      events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }])
    }
    events.push([
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: message.stop_reason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ])
    events.push(['message_stop', { type: 'message_stop' }])
    const limit = b.kind === 'cut' ? b.after : Infinity
    let sent = 0
    for (const [name, data] of events) {
      if (sent++ >= limit) break
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    if (b.kind === 'cut') {
      await new Promise((r) => setTimeout(r, 30))
      return void res.socket?.destroy()
    }
    res.end()
  }
}
