import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NATIVE_API_TYPES, PROVIDER_TYPES as ALL_TYPES } from '../../src/providers/registry.ts'
import { FakeOpenAI } from '../support/fake-openai.ts'
import { startGateway, type InProcessGateway } from '../support/gateway.ts'

// Native-API providers have their own end-to-end suites (anthropic.test.ts).
const PROVIDER_TYPES = ALL_TYPES.filter((t) => !NATIVE_API_TYPES.includes(t))

// Every OpenAI-compatible provider type end to end over real HTTP, each pointed at a local upstream that speaks
// the OpenAI wire format (Azure's deployment paths included).

const KEY = 'sk-sy-providers-test'
let fake: FakeOpenAI
let gw: InProcessGateway
let client: OpenAI

beforeAll(async () => {
  fake = await new FakeOpenAI({ apiKey: 'upstream-secret' }).start()
  const providers = Object.fromEntries(
    PROVIDER_TYPES.map((type) => [
      type,
      type === 'azure-openai'
        ? { type, baseUrl: fake.url, apiKey: 'upstream-secret', apiVersion: '2024-10-21' }
        : type === 'workers-ai'
          ? {
              type,
              baseUrl: `${fake.url}/client/v4/accounts/acc123/ai/v1`,
              apiKey: 'upstream-secret',
            }
          : { type, baseUrl: `${fake.url}/v1`, apiKey: 'upstream-secret' },
    ]),
  )
  const models = Object.fromEntries(
    PROVIDER_TYPES.map((type) => [
      `via-${type}`,
      { targets: [{ provider: type, model: `${type}-model` }] },
    ]),
  )
  gw = await startGateway({ providers, models, keys: [{ name: 'k', key: KEY }] })
  client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  await gw?.close()
  await fake?.close()
})

describe.each(PROVIDER_TYPES)('%s end to end', (type) => {
  it('answers a chat completion and a stream through the gateway', async () => {
    const res = await client.chat.completions.create({
      model: `via-${type}`,
      messages: [{ role: 'user', content: 'hello' }],
    })
    expect(res.choices[0]?.message.content).toBe('You said: hello')
    const sent = fake.requests.at(-1)
    if (type === 'azure-openai') {
      expect(sent?.path).toBe(
        '/openai/deployments/azure-openai-model/chat/completions?api-version=2024-10-21',
      )
      expect(sent?.headers['api-key']).toBe('upstream-secret')
      expect(sent?.headers['authorization']).toBeUndefined()
    } else if (type === 'workers-ai') {
      expect(sent?.path).toBe('/client/v4/accounts/acc123/ai/v1/chat/completions')
      expect(sent?.headers['authorization']).toBe('Bearer upstream-secret')
    } else {
      expect(sent?.path).toBe('/v1/chat/completions')
      expect(sent?.headers['authorization']).toBe('Bearer upstream-secret')
      expect(sent?.json?.['model']).toBe(`${type}-model`)
    }

    const stream = await client.chat.completions.create({
      model: `via-${type}`,
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
    })
    let text = ''
    for await (const c of stream) text += c.choices[0]?.delta.content ?? ''
    expect(text).toBe('You said: hi there')
  })
})
