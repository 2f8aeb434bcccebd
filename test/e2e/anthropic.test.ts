import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANTHROPIC_TOOL_INPUT, FakeAnthropic } from '../support/fake-anthropic.ts'
import { FakeOpenAI, TOOL_ARGS } from '../support/fake-openai.ts'
import { startGateway, type InProcessGateway } from '../support/gateway.ts'

// Both official SDKs, both directions: the Anthropic SDK on /v1/messages routed to an Anthropic
// upstream (native) and to an OpenAI upstream (translated), and the openai SDK on
// /v1/chat/completions routed to the Anthropic upstream (translated).

const KEY = 'sk-sy-anthropic-e2e'
let claude: FakeAnthropic
let gpt: FakeOpenAI
let gw: InProcessGateway
let anthropic: Anthropic
let openai: OpenAI

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, unit: { type: 'string' } },
    required: ['city'],
  },
}

beforeAll(async () => {
  claude = await new FakeAnthropic('sk-ant-upstream').start()
  gpt = await new FakeOpenAI({ apiKey: 'sk-openai-upstream' }).start()
  gw = await startGateway({
    providers: {
      claude: { type: 'anthropic', baseUrl: `${claude.url}/v1`, apiKey: 'sk-ant-upstream' },
      gpt: { type: 'openai', baseUrl: `${gpt.url}/v1`, apiKey: 'sk-openai-upstream' },
    },
    models: {
      'claude-sonnet-5-5': { targets: [{ provider: 'claude' }] },
      'gpt-4o-mini': { targets: [{ provider: 'gpt' }] },
      'claude-then-gpt': {
        targets: [
          { provider: 'claude', model: 'claude-sonnet-5-5' },
          { provider: 'gpt', model: 'gpt-4o-mini' },
        ],
      },
    },
    keys: [{ name: 'k', key: KEY }],
    retry: { maxRetries: 1, baseDelayMs: 5 },
  })
  anthropic = new Anthropic({ apiKey: KEY, baseURL: gw.url, maxRetries: 0 })
  openai = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await claude?.close()
  await gpt?.close()
})

describe.each([
  ['an Anthropic upstream (native)', 'claude-sonnet-5-5'],
  ['an OpenAI upstream (translated)', 'gpt-4o-mini'],
])('the Anthropic SDK on /v1/messages, routed to %s', (_label, model) => {
  it('creates a message', async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 256,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello there' }],
    })
    expect(msg.type).toBe('message')
    expect(msg.role).toBe('assistant')
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('')
    expect(text).toContain('You said: hello there')
    expect(msg.stop_reason).toBe('end_turn')
    expect(msg.usage.output_tokens).toBeGreaterThan(0)
    if (model.startsWith('claude')) {
      // Native: the caller's Messages body goes upstream as it came.
      expect(claude.requests.at(-1)?.json).toMatchObject({
        model,
        system: 'Be brief.',
        max_tokens: 256,
      })
    } else {
      expect(gpt.requests.at(-1)?.json?.['messages']).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ])
    }
  })

  it('streams, and its helpers assemble the final message', async () => {
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'stream this please' }],
    })
    let deltas = ''
    stream.on('text', (t) => (deltas += t))
    const final = await stream.finalMessage()
    const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('')
    expect(text).toBe('You said: stream this please')
    expect(deltas).toBe(text)
    expect(final.stop_reason).toBe('end_turn')
    expect(final.usage.output_tokens).toBeGreaterThan(0)
  })

  it('uses tools, with arguments streamed in pieces', async () => {
    const params = {
      model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [{ role: 'user' as const, content: 'weather in Paris?' }],
    }
    const msg = await anthropic.messages.create(params)
    const call = msg.content.find((b) => b.type === 'tool_use')
    expect(msg.stop_reason).toBe('tool_use')
    expect(call?.type === 'tool_use' && call.name).toBe('get_weather')
    expect(call?.type === 'tool_use' && call.input).toEqual(JSON.parse(TOOL_ARGS))

    const streamed = await anthropic.messages.stream(params).finalMessage()
    const streamedCall = streamed.content.find((b) => b.type === 'tool_use')
    expect(streamedCall?.type === 'tool_use' && streamedCall.input).toEqual(ANTHROPIC_TOOL_INPUT)
    expect(streamed.stop_reason).toBe('tool_use')
  })

  it('sends a tool result back in a second turn', async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'none' },
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C and sunny' },
            { type: 'text', text: 'and so?' },
          ],
        },
      ],
    })
    expect(msg.content[0]?.type === 'text' && msg.content[0].text).toContain('You said: and so?')
  })
})

describe('the Anthropic SDK on /v1/messages: errors and auth', () => {
  it('accepts the gateway key as x-api-key and refuses a wrong one with Anthropic errors', async () => {
    const bad = new Anthropic({ apiKey: 'sk-wrong-key', baseURL: gw.url, maxRetries: 0 })
    const err = await bad.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError)
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    })
  })

  it('answers a bad body with invalid_request_error', async () => {
    const err = await anthropic.messages
      .create({ model: 'claude-sonnet-5-5', messages: [{ role: 'user', content: 'x' }] } as never)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.BadRequestError)
    expect(String((err as Error).message)).toContain('max_tokens')
  })

  it('answers an unknown model with not_found_error', async () => {
    const err = await anthropic.messages
      .create({ model: 'claude-none', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.NotFoundError)
  })

  it('retries an overloaded (529) Anthropic upstream, then falls back to the next provider', async () => {
    claude.enqueue({ kind: 'status', status: 529 }, { kind: 'status', status: 529 })
    const msg = await anthropic.messages.create({
      model: 'claude-then-gpt',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'anyone?' }],
    })
    expect(msg.content[0]?.type === 'text' && msg.content[0].text).toBe('You said: anyone?')
    expect(gpt.requests.at(-1)?.json?.['model']).toBe('gpt-4o-mini')
  })
})

describe('the openai SDK routed to an Anthropic upstream', () => {
  it('translates the request: system, max_tokens default, stop, tools', async () => {
    await openai.chat.completions.create({
      model: 'claude-sonnet-5-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stop: 'END',
      temperature: 1.7,
    })
    const sent = claude.requests.at(-1)
    expect(sent?.headers['x-api-key']).toBe('sk-ant-upstream')
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01')
    expect(sent?.json).toMatchObject({
      system: 'Be brief.',
      max_tokens: 4096,
      stop_sequences: ['END'],
      temperature: 1,
    })
  })

  it('returns a chat completion with usage including cached tokens', async () => {
    const res = await openai.chat.completions.create({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'hello' }],
    })
    expect(res.choices[0]?.message.content).toBe('You said: hello')
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({
      prompt_tokens: 25,
      prompt_tokens_details: { cached_tokens: 4 },
    })
  })

  it('streams chunks with a final usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'a b c' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const c of stream) chunks.push(c)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: a b c')
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5)
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop')
  })

  it('assembles tool-call arguments from input_json_delta events', async () => {
    const final = await openai.chat.completions
      .stream({
        model: 'claude-sonnet-5-5',
        messages: [{ role: 'user', content: 'weather?' }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: weatherTool.input_schema },
          },
        ],
      })
      .finalChatCompletion()
    const call = final.choices[0]?.message.tool_calls?.[0]
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(
      ANTHROPIC_TOOL_INPUT,
    )
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    expect(final.choices[0]?.message.content).toBe('Let me check.')
  })

  it('records usage from the Anthropic stream', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
    })
    for await (const _ of stream) void _
    expect(gw.usage.events().at(-1)).toMatchObject({
      provider: 'claude',
      promptTokens: 25,
      completionTokens: 4,
      stream: true,
    })
  })
})
