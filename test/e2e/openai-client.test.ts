import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXAMPLE_CONFIG } from '../support/example-config.ts'
import { FakeOpenAI, TOOL_ARGS } from '../support/fake-openai.ts'
import { spawnGateway, type SpawnedGateway } from '../support/gateway.ts'

// The official openai client against `node src/server.ts` in its own process, configured with the
// documented example file exactly as written (so the fake upstream listens on its port, 9100).

const PROBE_KEY = 'sk-sy-probe-e2e-0001'
let fake: FakeOpenAI
let gw: SpawnedGateway
let client: OpenAI

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string' } },
        required: ['city'],
      },
    },
  },
]

beforeAll(async () => {
  fake = await new FakeOpenAI({ apiKey: 'sk-upstream-e2e' }).start(9100)
  gw = await spawnGateway({
    config: EXAMPLE_CONFIG,
    env: { UPSTREAM_KEY: 'sk-upstream-e2e', PROBE_KEY },
  })
  client = new OpenAI({ apiKey: PROBE_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await gw?.stop()
  await fake?.close()
})

describe('the openai client through the Node gateway', () => {
  it('gets a chat completion with usage', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'ping pong' }],
    })
    expect(res.object).toBe('chat.completion')
    expect(res.choices[0]?.message.content).toBe('You said: ping pong')
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.usage?.completion_tokens).toBe(4)
    expect(fake.requests.at(-1)?.headers['authorization']).toBe('Bearer sk-upstream-e2e')
  })

  it('passes fields it does not know through to the upstream untouched', async () => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      // @ts-expect-error a field the SDK does not know either
      switchyard_probe: { nested: [1, 2, 3] },
      seed: 42,
    })
    expect(fake.requests.at(-1)?.json).toMatchObject({
      switchyard_probe: { nested: [1, 2, 3] },
      seed: 42,
    })
  })

  it('streams chunks and ends with the usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.length).toBeGreaterThan(4)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'You said: stream me please',
    )
    const last = chunks.at(-1)
    expect(last?.choices).toEqual([])
    expect(last?.usage?.total_tokens).toBe((last?.usage?.prompt_tokens ?? 0) + 5)
  })

  it('streams without a usage chunk when the caller did not ask for one', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true)
    // The gateway asked the upstream for usage on its own account.
    expect(fake.requests.at(-1)?.json?.['stream_options']).toEqual({ include_usage: true })
  })

  it('returns tool calls', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools,
    })
    const call = res.choices[0]?.message.tool_calls?.[0]
    expect(res.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(
      JSON.parse(TOOL_ARGS),
    )
  })

  it('assembles tool-call arguments split across stream chunks', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
    })
    const final = await runner.finalChatCompletion()
    const call = final.choices[0]?.message.tool_calls?.[0]
    expect(call?.type === 'function' && call.function.arguments).toBe(TOOL_ARGS)
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('creates embeddings (the SDK asks for base64 and decodes it)', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['first text', 'second'],
    })
    expect(res.data).toHaveLength(2)
    expect(res.data[1]?.embedding).toHaveLength(8)
    expect(res.data[1]?.embedding[0]).toBeCloseTo(0.02, 5)
    expect(res.usage.prompt_tokens).toBe(3)
  })

  it('lists the models the key may use', async () => {
    const ids: string[] = []
    for await (const m of client.models.list()) ids.push(m.id)
    expect(ids.sort()).toEqual(['gpt-4o-mini', 'text-embedding-3-small'])
  })

  it('refuses a wrong key with AuthenticationError', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${gw.url}/v1`, maxRetries: 0 })
    const err = await bad.models.list().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key')
  })
})
