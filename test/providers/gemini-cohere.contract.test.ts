import { describe, expect, it } from 'vitest'
import { SseParser } from '../../src/core/sse.ts'
import { cohere } from '../../src/providers/cohere.ts'
import { gemini } from '../../src/providers/gemini/provider.ts'
import type { ProviderAdapter } from '../../src/providers/types.ts'

// Gemini's and Cohere's contracts, with fixtures written from their API references.

const CTX = { created: 1_700_000_000, model: 'alias' }

function translate(adapter: ProviderAdapter, text: string, stripUsage = false) {
  const translator = adapter.streamTranslator('chat', { ...CTX, stripUsage })
  const out: string[] = []
  const parser = new SseParser({
    event: (ev) => translator.event(ev, (d) => out.push(d)),
    comment: () => undefined,
  })
  parser.push(new TextEncoder().encode(text))
  parser.end()
  return { out, translator }
}

const req = (
  adapter: ProviderAdapter,
  body: Record<string, unknown>,
  provider: object,
  op: 'chat' | 'embeddings' = 'chat',
  stream = false,
) =>
  adapter.buildRequest({ op, body, raw: JSON.stringify(body), model: 'the-model', stream }, {
    type: adapter.type,
    ...provider,
  } as never)

describe('gemini contract', () => {
  const P = { apiKey: 'AIza-key' }

  it('addresses generateContent, streamGenerateContent?alt=sse and batchEmbedContents with x-goog-api-key', () => {
    const base = 'https://generativelanguage.googleapis.com/v1beta/models/the-model'
    expect(req(gemini, { messages: [] }, P).url).toBe(`${base}:generateContent`)
    expect(req(gemini, { messages: [], stream: true }, P, 'chat', true).url).toBe(
      `${base}:streamGenerateContent?alt=sse`,
    )
    const emb = req(gemini, { input: ['a', 'b'], dimensions: 256 }, P, 'embeddings')
    expect(emb.url).toBe(`${base}:batchEmbedContents`)
    expect(JSON.parse(emb.body).requests[1]).toEqual({
      model: 'models/the-model',
      content: { parts: [{ text: 'b' }] },
      outputDimensionality: 256,
    })
    expect(emb.headers['x-goog-api-key']).toBe('AIza-key')
  })

  it('maps roles, system_instruction, images, function calls and responses, and generation config', () => {
    const body = JSON.parse(
      req(
        gemini,
        {
          messages: [
            { role: 'system', content: 'Be terse.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Weather here?' },
                { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
              ],
            },
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                },
              ],
            },
            { role: 'tool', tool_call_id: 'call_1', content: '{"temp":18}' },
          ],
          tools: [
            {
              type: 'function',
              function: {
                name: 'get_weather',
                description: 'Weather',
                parameters: { type: 'object', additionalProperties: false },
              },
            },
          ],
          tool_choice: { type: 'function', function: { name: 'get_weather' } },
          temperature: 0.3,
          max_tokens: 100,
          stop: 'END',
          response_format: { type: 'json_object' },
        },
        P,
      ).body,
    )
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Weather here?' },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { temp: 18 } } }],
        },
      ],
      generationConfig: {
        temperature: 0.3,
        maxOutputTokens: 100,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather',
              parametersJsonSchema: { type: 'object', additionalProperties: false },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    })
  })

  it('reads a response with usage, and a safety block as content_filter', () => {
    const res = {
      candidates: [
        {
          content: { parts: [{ text: 'Hi there' }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 8,
        candidatesTokenCount: 3,
        thoughtsTokenCount: 2,
        totalTokenCount: 13,
        cachedContentTokenCount: 4,
      },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'abc',
    }
    const out = gemini.parseResponse('chat', JSON.stringify(res), CTX)
    expect(JSON.parse(out.body)).toMatchObject({
      id: 'chatcmpl-abc',
      model: 'gemini-2.5-flash',
      choices: [{ message: { content: 'Hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 },
    })
    expect(out.usage).toEqual({
      promptTokens: 8,
      completionTokens: 5,
      totalTokens: 13,
      cachedTokens: 4,
    })
    const blocked = gemini.parseResponse(
      'chat',
      JSON.stringify({
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 5 },
      }),
      CTX,
    )
    expect(JSON.parse(blocked.body).choices[0]).toMatchObject({
      message: { content: null },
      finish_reason: 'content_filter',
    })
    const filtered = gemini.parseResponse(
      'chat',
      JSON.stringify({ candidates: [{ content: { parts: [] }, finishReason: 'SAFETY' }] }),
      CTX,
    )
    expect(JSON.parse(filtered.body).choices[0].finish_reason).toBe('content_filter')
  })

  it('reads Google’s error envelope', () => {
    const text = JSON.stringify({
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
      },
    })
    expect(gemini.parseError(400, text)).toEqual({
      message: 'API key not valid. Please pass a valid API key.',
      type: 'INVALID_ARGUMENT',
      code: 'INVALID_ARGUMENT',
    })
  })

  it('streams chunks until the finishReason, then usage and [DONE]', () => {
    const events = [
      {
        candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }],
        responseId: 'r1',
      },
      {
        candidates: [
          { content: { parts: [{ text: 'lo' }], role: 'model' }, finishReason: 'STOP', index: 0 },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
      },
    ]
    const { out, translator } = translate(
      gemini,
      events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join(''),
    )
    const chunks = out.slice(0, -1).map((d) => JSON.parse(d))
    expect(out.at(-1)).toBe('[DONE]')
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello')
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop')
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 2 })
    expect(translator.done).toBe(true)
  })
})

describe('cohere contract', () => {
  const P = { apiKey: 'co-key' }

  it('addresses /v2/chat and /v2/embed with a bearer key, renaming OpenAI parameters', () => {
    const chat = req(
      cohere,
      {
        messages: [
          { role: 'developer', content: 'x' },
          { role: 'user', content: 'hi' },
        ],
        top_p: 0.5,
        stop: 'END',
        max_completion_tokens: 50,
        tool_choice: 'required',
        tools: [{ type: 'function', function: { name: 'f' } }],
      },
      P,
    )
    expect(chat.url).toBe('https://api.cohere.com/v2/chat')
    expect(chat.headers['authorization']).toBe('Bearer co-key')
    expect(JSON.parse(chat.body)).toEqual({
      model: 'the-model',
      messages: [
        { role: 'system', content: 'x' },
        { role: 'user', content: 'hi' },
      ],
      p: 0.5,
      stop_sequences: ['END'],
      max_tokens: 50,
      tool_choice: 'REQUIRED',
      tools: [{ type: 'function', function: { name: 'f' } }],
    })
    const emb = req(cohere, { input: 'hello' }, P, 'embeddings')
    expect(emb.url).toBe('https://api.cohere.com/v2/embed')
    expect(JSON.parse(emb.body)).toEqual({
      model: 'the-model',
      texts: ['hello'],
      input_type: 'search_document',
      embedding_types: ['float'],
    })
  })

  it('reads a tool-call response with usage, and its error body', () => {
    const res = {
      id: 'c1',
      finish_reason: 'TOOL_CALL',
      message: {
        role: 'assistant',
        tool_plan: 'I will call it.',
        tool_calls: [
          { id: 'f_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
        ],
      },
      usage: {
        billed_units: { input_tokens: 5, output_tokens: 7 },
        tokens: { input_tokens: 205, output_tokens: 7 },
      },
    }
    const out = cohere.parseResponse('chat', JSON.stringify(res), CTX)
    expect(JSON.parse(out.body).choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [{ id: 'f_1', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      finish_reason: 'tool_calls',
    })
    expect(out.usage).toEqual({ promptTokens: 205, completionTokens: 7, totalTokens: 212 })
    expect(
      cohere.parseError(401, JSON.stringify({ id: 'x', message: 'invalid api token' })).message,
    ).toBe('invalid api token')
  })

  it('streams named events into chunks, ending at message-end', () => {
    const ev = (type: string, data: object) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
    const text =
      ev('message-start', { id: 'm1', delta: { message: { role: 'assistant' } } }) +
      ev('content-delta', { index: 0, delta: { message: { content: { text: 'Hi' } } } }) +
      ev('message-end', {
        delta: {
          finish_reason: 'MAX_TOKENS',
          usage: { tokens: { input_tokens: 3, output_tokens: 1 } },
        },
      })
    const { out, translator } = translate(cohere, text, true)
    expect(out.at(-1)).toBe('[DONE]')
    expect(JSON.parse(out.at(-2) ?? '{}').choices[0].finish_reason).toBe('length')
    expect(out.some((d) => d.includes('"usage"'))).toBe(false)
    expect(translator.usage).toEqual({ promptTokens: 3, completionTokens: 1, totalTokens: 4 })
  })
})
