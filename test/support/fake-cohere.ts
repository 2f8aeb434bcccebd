import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  FakeUpstream,
  lastUserText,
  words,
  type Behaviour,
  type Recorded,
} from './fake-upstream.ts'

// A local upstream speaking Cohere's v2 API as its reference documents it: POST /v2/chat with a
// bearer key, message objects with content blocks and tool_calls, named stream events
// (message-start, content-start/delta/end, tool-plan-delta, tool-call-start/delta/end,
// message-end with finish_reason and usage), POST /v2/embed, and `{ message }` errors.

export const COHERE_TOOL_ARGS = '{"city":"Paris","unit":"celsius"}'

export class FakeCohere extends FakeUpstream {
  readonly #apiKey: string

  constructor(apiKey = 'co-key') {
    super()
    this.#apiKey = apiKey
  }

  protected defaultErrorBody(): unknown {
    return {
      id: 'err-1',
      message: 'internal server error, this has been reported to our developers',
    }
  }

  protected async answer(
    req: IncomingMessage,
    res: ServerResponse,
    rec: Recorded,
    b: Behaviour,
  ): Promise<void> {
    if (req.headers['authorization'] !== `Bearer ${this.#apiKey}`)
      return this.json(res, { id: 'e', message: 'invalid api token' }, 401)
    const json = rec.json ?? {}
    if (req.url === '/v2/embed') {
      const texts = json['texts'] as string[]
      return this.json(res, {
        id: 'emb-1',
        embeddings: {
          float: texts.map((_, i) =>
            Array.from({ length: 8 }, (_, d) => Math.fround((i + 1) * 0.01 + d * 0.001)),
          ),
        },
        texts,
        meta: {
          api_version: { version: '2' },
          billed_units: { input_tokens: texts.reduce((n, t) => n + words(t), 0) },
        },
      })
    }
    if (req.url !== '/v2/chat')
      return this.json(res, { id: 'e', message: `no route for ${req.url}` }, 404)

    const messages = json['messages'] as { role: string; content?: unknown }[]
    const text = `You said: ${lastUserText(messages)}`
    const useTool = Array.isArray(json['tools']) && json['tool_choice'] !== 'NONE'
    const usage = {
      billed_units: { input_tokens: 13, output_tokens: useTool ? 9 : words(text) },
      tokens: { input_tokens: 213, output_tokens: useTool ? 9 : words(text) },
    }
    const toolCall = {
      id: 'get_weather_abc123',
      type: 'function',
      function: { name: 'get_weather', arguments: COHERE_TOOL_ARGS },
    }
    if (json['stream'] !== true) {
      return this.json(res, {
        id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
        finish_reason: useTool ? 'TOOL_CALL' : 'COMPLETE',
        message: useTool
          ? { role: 'assistant', tool_plan: 'I will look up the weather.', tool_calls: [toolCall] }
          : { role: 'assistant', content: [{ type: 'text', text }] },
        usage,
      })
    }

    const events: [string, unknown][] = [
      [
        'message-start',
        {
          id: 'c14c80c3',
          type: 'message-start',
          delta: {
            message: {
              role: 'assistant',
              content: [],
              tool_plan: '',
              tool_calls: [],
              citations: [],
            },
          },
        },
      ],
    ]
    if (useTool) {
      events.push([
        'tool-plan-delta',
        {
          type: 'tool-plan-delta',
          delta: { message: { tool_plan: 'I will look up the weather.' } },
        },
      ])
      events.push([
        'tool-call-start',
        {
          type: 'tool-call-start',
          index: 0,
          delta: {
            message: {
              tool_calls: { ...toolCall, function: { name: 'get_weather', arguments: '' } },
            },
          },
        },
      ])
      for (const part of ['{"city":"Pa', 'ris","unit":', '"celsius"}']) {
        events.push([
          'tool-call-delta',
          {
            type: 'tool-call-delta',
            index: 0,
            delta: { message: { tool_calls: { function: { arguments: part } } } },
          },
        ])
      }
      events.push(['tool-call-end', { type: 'tool-call-end', index: 0 }])
    } else {
      events.push([
        'content-start',
        {
          type: 'content-start',
          index: 0,
          delta: { message: { content: { type: 'text', text: '' } } },
        },
      ])
      text.split(' ').forEach((w, i) =>
        events.push([
          'content-delta',
          {
            type: 'content-delta',
            index: 0,
            delta: { message: { content: { text: i ? ` ${w}` : w } } },
          },
        ]),
      )
      events.push(['content-end', { type: 'content-end', index: 0 }])
    }
    events.push([
      'message-end',
      { type: 'message-end', delta: { finish_reason: useTool ? 'TOOL_CALL' : 'COMPLETE', usage } },
    ])
    await this.stream(
      res,
      events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`),
      b,
    )
  }
}
