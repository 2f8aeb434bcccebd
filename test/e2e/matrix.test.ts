import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeAnthropic } from '../support/fake-anthropic.ts'
import { FakeCohere } from '../support/fake-cohere.ts'
import { FakeGemini } from '../support/fake-gemini.ts'
import { FakeOpenAI } from '../support/fake-openai.ts'
import type { FakeUpstream } from '../support/fake-upstream.ts'
import { startGateway, type InProcessGateway } from '../support/gateway.ts'

// The cross-provider matrix: the same OpenAI requests through every native translation (and the
// OpenAI-compatible base) return equivalent normalized answers to the official openai client.

const KEY = 'sk-sy-matrix'
const WEATHER = { city: 'Paris', unit: 'celsius' }
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

const fakes: Record<string, FakeUpstream> = {}
let gw: InProcessGateway
let client: OpenAI

const PROVIDERS = ['openai', 'anthropic', 'gemini', 'cohere', 'workers-ai'] as const
type P = (typeof PROVIDERS)[number]

beforeAll(async () => {
  fakes['openai'] = await new FakeOpenAI({ apiKey: 'k-openai' }).start()
  fakes['anthropic'] = await new FakeAnthropic('k-anthropic').start()
  fakes['gemini'] = await new FakeGemini('k-gemini').start()
  fakes['cohere'] = await new FakeCohere('k-cohere').start()
  fakes['workers-ai'] = await new FakeOpenAI({ apiKey: 'k-cf' }).start()
  const url = (p: P): string => fakes[p]?.url as string
  gw = await startGateway({
    providers: {
      openai: { type: 'openai', baseUrl: `${url('openai')}/v1`, apiKey: 'k-openai' },
      anthropic: { type: 'anthropic', baseUrl: `${url('anthropic')}/v1`, apiKey: 'k-anthropic' },
      gemini: { type: 'gemini', baseUrl: `${url('gemini')}/v1beta`, apiKey: 'k-gemini' },
      cohere: { type: 'cohere', baseUrl: `${url('cohere')}/v2`, apiKey: 'k-cohere' },
      'workers-ai': {
        type: 'workers-ai',
        baseUrl: `${url('workers-ai')}/client/v4/accounts/acc-1/ai/v1`,
        apiKey: 'k-cf',
      },
    },
    models: Object.fromEntries(
      PROVIDERS.map((p) => [`m-${p}`, { targets: [{ provider: p, model: `${p}-model` }] }]),
    ),
    keys: [{ name: 'k', key: KEY }],
  })
  client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  for (const f of Object.values(fakes)) await f.close()
})

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather now',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string' } },
        required: ['city'],
      },
    },
  },
]

describe.each(PROVIDERS)('through %s', (p) => {
  const model = `m-${p}`

  it('answers plain text with a stop finish and usage', async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hello matrix' }],
    })
    expect(res.object).toBe('chat.completion')
    expect(res.choices[0]?.message.role).toBe('assistant')
    expect(res.choices[0]?.message.content).toBe('You said: hello matrix')
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    )
  })

  it('returns a tool call with its arguments', async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools,
    })
    const call = res.choices[0]?.message.tool_calls?.[0]
    expect(res.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(WEATHER)
    expect(call?.id).toBeTruthy()
  })

  it('streams a tool call whose arguments arrive in pieces', async () => {
    const final = await client.chat.completions
      .stream({ model, messages: [{ role: 'user', content: 'weather?' }], tools })
      .finalChatCompletion()
    const call = final.choices[0]?.message.tool_calls?.[0]
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(WEATHER)
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('sends an image in the provider’s own form', async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe this' },
            { type: 'image_url', image_url: { url: PNG } },
          ],
        },
      ],
    })
    expect(res.choices[0]?.message.content).toBe('You said: describe this')
    const sent = JSON.stringify(fakes[p]?.requests.at(-1)?.json)
    const data = PNG.split(',')[1] as string
    expect(sent).toContain(data)
    if (p === 'anthropic') expect(sent).toContain('"media_type":"image/png"')
    if (p === 'gemini') expect(sent).toContain('"inlineData":{"mimeType":"image/png"')
  })

  it('streams text and ends with a usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const c of stream) chunks.push(c)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'You said: one two three',
    )
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop')
    const last = chunks.at(-1)
    expect(last?.choices).toEqual([])
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it('creates embeddings (base64, as the SDK asks by default), or says it has none', async () => {
    if (p === 'anthropic') {
      const err = await client.embeddings.create({ model, input: 'x' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAI.BadRequestError)
      expect(String((err as Error).message)).toContain('does not support embeddings')
      return
    }
    const res = await client.embeddings.create({ model, input: ['first', 'second'] })
    expect(res.data.map((d) => d.index)).toEqual([0, 1])
    expect(res.data[1]?.embedding).toHaveLength(8)
    expect(res.data[1]?.embedding[0]).toBeCloseTo(0.02, 5)
  })
})
