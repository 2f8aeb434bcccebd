import type { IncomingMessage, ServerResponse } from 'node:http'
import { FakeUpstream, lastUserText, type Behaviour, type Recorded } from './fake-upstream.ts'

// A local upstream speaking Anthropic's Messages API as its reference documents it: POST
// /v1/messages with x-api-key and anthropic-version, message objects with text and tool_use
// blocks, named SSE events (message_start, content_block_start/delta/stop with text_delta and
// input_json_delta, ping, message_delta with usage, message_stop), and the error envelope.

export const ANTHROPIC_TOOL_INPUT = { city: 'Paris', unit: 'celsius' }

interface Msg {
  role: string
  content: string | { type: string; text?: string }[]
}

export class FakeAnthropic extends FakeUpstream {
  readonly #apiKey: string

  constructor(apiKey = 'sk-ant-test') {
    super()
    this.#apiKey = apiKey
  }

  protected defaultErrorBody(): unknown {
    return { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }
  }

  #error(res: ServerResponse, status: number, type: string, message: string): void {
    this.json(res, { type: 'error', error: { type, message } }, status, {
      'request-id': 'req_fake',
    })
  }

  protected async answer(
    req: IncomingMessage,
    res: ServerResponse,
    rec: Recorded,
    b: Behaviour,
  ): Promise<void> {
    const json = rec.json ?? {}
    if (req.headers['x-api-key'] !== this.#apiKey)
      return this.#error(res, 401, 'authentication_error', 'invalid x-api-key')
    if (!req.headers['anthropic-version'])
      return this.#error(res, 400, 'invalid_request_error', 'anthropic-version: header is required')
    if (req.url !== '/v1/messages') return this.#error(res, 404, 'not_found_error', 'Not found')
    if (typeof json['max_tokens'] !== 'number')
      return this.#error(res, 400, 'invalid_request_error', 'max_tokens: Field required')

    const lastText = lastUserText(json['messages'] as Msg[])
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
    if (json['stream'] !== true) return this.json(res, message, 200, { 'request-id': 'req_fake' })
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
    await this.stream(
      res,
      events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
      b,
    )
  }
}
