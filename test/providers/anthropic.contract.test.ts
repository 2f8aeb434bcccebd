import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../src/core/errors.ts'
import { SseParser } from '../../src/core/sse.ts'
import { toOpenAIChat } from '../../src/providers/anthropic/from-anthropic.ts'
import { anthropic } from '../../src/providers/anthropic/provider.ts'
import { anthropicSurface, toAnthropicResponse } from '../../src/providers/anthropic/surface.ts'
import type { AnthropicRequest } from '../../src/providers/anthropic/wire.ts'

// Anthropic's contract, with fixtures written from the Messages API reference (messages,
// streaming, errors): request translation, response, error, stream, in both directions.

const CTX = { created: 1_700_000_000, model: 'claude-alias' }
const PROVIDER = { type: 'anthropic' as const, apiKey: 'sk-ant-key' }

const build = (body: Record<string, unknown>, stream = false) =>
  anthropic.buildRequest(
    { op: 'chat', body, raw: JSON.stringify(body), model: 'claude-sonnet-4-5', stream },
    PROVIDER,
  )

function sse(events: [string, unknown][]): string {
  return events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join('')
}

function translate(text: string, op: 'chat' | 'messages', stripUsage: boolean) {
  const translator = anthropic.streamTranslator(op, { ...CTX, stripUsage })
  const out: { data: string; event: string | undefined }[] = []
  const parser = new SseParser({
    event: (ev) => translator.event(ev, (data, event) => out.push({ data, event })),
    comment: () => undefined,
  })
  const bytes = new TextEncoder().encode(text)
  for (let i = 0; i < bytes.length; i += 5) parser.push(bytes.slice(i, i + 5))
  parser.end()
  return { out, translator }
}

// The tool-use stream from Anthropic's streaming reference, abridged.
const TOOL_STREAM = sse([
  [
    'message_start',
    {
      type: 'message_start',
      message: {
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        stop_sequence: null,
        usage: { input_tokens: 472, output_tokens: 2, cache_read_input_tokens: 100 },
        content: [],
        stop_reason: null,
      },
    },
  ],
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ],
  ['ping', { type: 'ping' }],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay, let' } },
  ],
  [
    'content_block_delta',
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: "'s check the weather" },
    },
  ],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  [
    'content_block_start',
    {
      type: 'content_block_start',
      index: 1,
      content_block: {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        input: {},
      },
    },
  ],
  [
    'content_block_delta',
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '' },
    },
  ],
  [
    'content_block_delta',
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"location":' },
    },
  ],
  [
    'content_block_delta',
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: ' "San Francisco, CA"}' },
    },
  ],
  ['content_block_stop', { type: 'content_block_stop', index: 1 }],
  [
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 89 },
    },
  ],
  ['message_stop', { type: 'message_stop' }],
])

describe('anthropic: OpenAI chat -> Messages request', () => {
  it('sends to /v1/messages with x-api-key and anthropic-version', () => {
    const req = build({ model: 'a', messages: [{ role: 'user', content: 'hi' }] })
    expect(req.url).toBe('https://api.anthropic.com/v1/messages')
    expect(req.headers).toMatchObject({
      'x-api-key': 'sk-ant-key',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    })
    expect(req.headers['authorization']).toBeUndefined()
  })

  it('moves system messages to `system`, defaults max_tokens, maps stop, clamps temperature', () => {
    const req = JSON.parse(
      build({
        model: 'a',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'hi' },
        ],
        stop: ['END'],
        temperature: 1.5,
        top_p: 0.9,
        user: 'u-42',
      }).body,
    ) as AnthropicRequest
    expect(req).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: 'You are terse.\n\nAnswer in French.',
      max_tokens: 4096,
      stop_sequences: ['END'],
      temperature: 1,
      top_p: 0.9,
      metadata: { user_id: 'u-42' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    })
    expect(
      JSON.parse(
        build({ model: 'a', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 77 })
          .body,
      ).max_tokens,
    ).toBe(77)
  })

  it('turns images into base64 and URL image blocks', () => {
    const req = JSON.parse(
      build({
        model: 'a',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      }).body,
    ) as AnthropicRequest
    expect(req.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ])
  })

  it('maps tools, tool_choice, assistant tool calls and merged tool results', () => {
    const req = JSON.parse(
      build({
        model: 'a',
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'tool', tool_call_id: 'call_2', content: '24C' },
        ],
      }).body,
    ) as AnthropicRequest
    expect(req.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ])
    expect(req.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true })
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '24C' },
        ],
      },
    ])
  })

  it('forwards a native Messages body untouched when the model does not change', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
      cache_control: { type: 'ephemeral' },
    }
    const raw = JSON.stringify(body, null, 1)
    const req = anthropic.buildRequest(
      { op: 'messages', body, raw, model: 'claude-sonnet-4-5', stream: false },
      PROVIDER,
    )
    expect(req.body).toBe(raw)
  })
})

describe('anthropic: responses, errors and streams -> OpenAI', () => {
  it('reads a message with text and tool_use into a chat completion with usage', () => {
    const message = {
      id: 'msg_01Aq9w938a90dw8q',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: 'Checking.' },
        {
          type: 'tool_use',
          id: 'toolu_01A09q90qw90lq917835lq9',
          name: 'get_weather',
          input: { location: 'San Francisco, CA' },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 2095,
        output_tokens: 503,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 5,
      },
    }
    const { body, usage } = anthropic.parseResponse('chat', JSON.stringify(message), CTX)
    const out = JSON.parse(body)
    expect(out).toMatchObject({
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      created: CTX.created,
      choices: [
        {
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 3100,
        completion_tokens: 503,
        total_tokens: 3603,
        prompt_tokens_details: { cached_tokens: 1000 },
      },
    })
    expect(usage).toEqual({
      promptTokens: 3100,
      completionTokens: 503,
      totalTokens: 3603,
      cachedTokens: 1000,
      cacheWriteTokens: 5,
    })
  })

  it('maps every stop_reason to a finish_reason', () => {
    const finish = (stop_reason: string) =>
      JSON.parse(
        anthropic.parseResponse(
          'chat',
          JSON.stringify({ id: 'm', model: 'c', content: [], stop_reason, usage: {} }),
          CTX,
        ).body,
      ).choices[0].finish_reason
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal'].map(finish)).toEqual([
      'stop',
      'stop',
      'length',
      'tool_calls',
      'content_filter',
    ])
  })

  it('reads its error envelope, overloaded_error included', () => {
    const err = anthropic.parseError(
      529,
      JSON.stringify({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
        request_id: 'req_1',
      }),
    )
    expect(err).toEqual({
      message: 'Overloaded',
      type: 'overloaded_error',
      code: 'overloaded_error',
    })
    expect(anthropic.parseError(502, 'Bad gateway').message).toBe('Bad gateway')
  })

  it('turns a tool-use stream into OpenAI chunks with tool-call arguments in pieces and usage last', () => {
    const { out, translator } = translate(TOOL_STREAM, 'chat', false)
    const chunks = out
      .map((o) => o.data)
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d))
    expect(out.at(-1)?.data).toBe('[DONE]')
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(
      "Okay, let's check the weather",
    )
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])
      .map((t: { function: { arguments: string } }) => t.function.arguments)
      .join('')
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA' })
    expect(
      chunks.find((c) => c.choices[0]?.delta?.tool_calls?.[0]?.id)?.choices[0].delta.tool_calls[0],
    ).toMatchObject({
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      function: { name: 'get_weather' },
    })
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe(
      'tool_calls',
    )
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 572, completion_tokens: 89 },
    })
    expect(translator.done).toBe(true)
    expect(translator.usage).toMatchObject({
      promptTokens: 572,
      completionTokens: 89,
      cachedTokens: 100,
    })
  })

  it('leaves the usage chunk out when the caller did not ask for it', () => {
    const { out } = translate(TOOL_STREAM, 'chat', true)
    expect(out.some((o) => o.data.includes('"usage"'))).toBe(false)
  })

  it('ends the stream with an OpenAI error on an error event', () => {
    const text = sse([
      [
        'message_start',
        { type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 1 } } },
      ],
      ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
    ])
    const { out, translator } = translate(text, 'chat', false)
    expect(JSON.parse(out.at(-1)?.data ?? '{}')).toEqual({
      error: {
        message: 'Overloaded',
        type: 'overloaded_error',
        param: null,
        code: 'overloaded_error',
      },
    })
    expect(translator.done).toBe(true)
  })

  it('passes native Messages streams through event for event, reading usage on the way', () => {
    const { out, translator } = translate(TOOL_STREAM, 'messages', false)
    expect(out.map((o) => o.event)).toEqual(
      TOOL_STREAM.split('\n\n')
        .filter(Boolean)
        .map((e) => e.split('\n')[0]?.slice(7)),
    )
    expect(translator.usage).toMatchObject({ promptTokens: 572, completionTokens: 89 })
    expect(translator.done).toBe(true)
  })
})

describe('anthropic surface: Messages callers served by OpenAI-format providers', () => {
  it('translates an Anthropic request into OpenAI chat', () => {
    const chat = toOpenAIChat({
      model: 'm',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be kind.' }],
      stop_sequences: ['STOP'],
      stream: true,
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking' },
            { type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: '-3C' }] },
          ],
        },
      ],
    })
    expect(chat).toEqual({
      model: 'm',
      max_tokens: 100,
      stop: ['STOP'],
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'system', content: 'Be kind.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking',
          tool_calls: [
            {
              id: 't1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '-3C' },
      ],
    })
  })

  it('answers an OpenAI completion as an Anthropic message', () => {
    const msg = toAnthropicResponse(
      {
        id: 'chatcmpl-1',
        choices: [
          {
            message: {
              content: null,
              tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '{"a":1}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          prompt_tokens_details: { cached_tokens: 4 },
        },
      },
      CTX,
    )
    expect(msg).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-alias',
      content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 6,
        output_tokens: 5,
        cache_read_input_tokens: 4,
        cache_creation_input_tokens: 0,
      },
    })
  })

  it('turns OpenAI chunks into ordered Anthropic events', () => {
    const writer = anthropicSurface.streamWriter(false, CTX)
    const out: string[] = []
    const chunk = (delta: object, finish: string | null = null) =>
      JSON.stringify({ id: 'c1', choices: [{ index: 0, delta, finish_reason: finish }] })
    for (const d of [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hi' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_9', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
      JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } }),
      '[DONE]',
    ]) {
      writer.write(d, undefined, out)
    }
    const events = out.map((e) => e.split('\n')[0]?.slice(7))
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    const delta = JSON.parse(out[8]?.split('\ndata: ')[1] ?? '{}')
    expect(delta).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 7, output_tokens: 3 },
    })
  })

  it('ends broken streams with an Anthropic error event', () => {
    const event = anthropicSurface.errorEvent(new GatewayError('upstream_timeout', 'too slow'))
    expect(event).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"too slow"}}\n\n',
    )
  })
})
