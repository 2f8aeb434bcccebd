import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  FakeUpstream,
  lastUserText,
  words,
  type Behaviour,
  type Recorded,
} from './fake-upstream.ts'

// A local upstream speaking the Gemini (Generative Language) API as its reference documents it:
// POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse (each event a whole
// GenerateContentResponse, the last with finishReason and usageMetadata), :batchEmbedContents,
// x-goog-api-key, functionCall parts, safety blocks, and Google's error envelope.

export const GEMINI_TOOL_ARGS = { city: 'Paris', unit: 'celsius' }

interface Content {
  role: string
  parts: { text?: string }[]
}

export class FakeGemini extends FakeUpstream {
  readonly #apiKey: string

  constructor(apiKey = 'gemini-key') {
    super()
    this.#apiKey = apiKey
  }

  protected defaultErrorBody(status: number): unknown {
    return {
      error: {
        code: status,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    }
  }

  #error(res: ServerResponse, status: number, message: string, code: string): void {
    this.json(res, { error: { code: status, message, status: code } }, status)
  }

  protected async answer(
    req: IncomingMessage,
    res: ServerResponse,
    rec: Recorded,
    b: Behaviour,
  ): Promise<void> {
    if (req.headers['x-goog-api-key'] !== this.#apiKey) {
      return this.#error(
        res,
        400,
        'API key not valid. Please pass a valid API key.',
        'INVALID_ARGUMENT',
      )
    }
    const m =
      /^\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent|batchEmbedContents)(\?alt=sse)?$/.exec(
        req.url ?? '',
      )
    if (!m) return this.#error(res, 404, `Not found: ${req.url}`, 'NOT_FOUND')
    const [, model, method] = m
    const json = rec.json ?? {}

    if (method === 'batchEmbedContents') {
      const requests = json['requests'] as {
        content: { parts: { text: string }[] }
        outputDimensionality?: number
      }[]
      return this.json(res, {
        embeddings: requests.map((r, i) => ({
          values: Array.from({ length: r.outputDimensionality ?? 8 }, (_, d) =>
            Math.fround((i + 1) * 0.01 + d * 0.001),
          ),
        })),
      })
    }

    const contents = json['contents'] as Content[]
    const said = lastUserText(contents.map((c) => ({ role: c.role, parts: c.parts })))
    const sys = (json['systemInstruction'] as { parts: { text: string }[] } | undefined)?.parts[0]
      ?.text
    const text = `${sys ? `[${sys}] ` : ''}You said: ${said}`
    const mode = (json['toolConfig'] as { functionCallingConfig?: { mode?: string } } | undefined)
      ?.functionCallingConfig?.mode
    const useTool = Array.isArray(json['tools']) && mode !== 'NONE'
    const blocked = said.includes('BLOCKME')
    const usageMetadata = {
      promptTokenCount: 11,
      candidatesTokenCount: useTool ? 7 : words(text),
      totalTokenCount: 11 + (useTool ? 7 : words(text)),
      cachedContentTokenCount: 3,
    }
    const base = { modelVersion: `${model}-001`, responseId: 'gem-resp-1' }

    if (method === 'generateContent') {
      if (blocked)
        return this.json(res, {
          promptFeedback: { blockReason: 'SAFETY' },
          usageMetadata: { promptTokenCount: 11, totalTokenCount: 11 },
          ...base,
        })
      const parts = useTool
        ? [{ functionCall: { name: 'get_weather', args: GEMINI_TOOL_ARGS } }]
        : [{ text }]
      return this.json(res, {
        candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
        usageMetadata,
        ...base,
      })
    }

    const chunks: unknown[] = []
    if (blocked) {
      chunks.push({
        candidates: [
          { content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'SAFETY', index: 0 },
        ],
        usageMetadata,
        ...base,
      })
    } else if (useTool) {
      chunks.push({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ functionCall: { name: 'get_weather', args: GEMINI_TOOL_ARGS } }],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata,
        ...base,
      })
    } else {
      const pieces = text.split(' ')
      pieces.forEach((w, i) => {
        const last = i === pieces.length - 1
        chunks.push({
          candidates: [
            {
              content: { role: 'model', parts: [{ text: i ? ` ${w}` : w }] },
              index: 0,
              ...(last ? { finishReason: 'STOP' } : {}),
            },
          ],
          usageMetadata: last ? usageMetadata : { promptTokenCount: 11, totalTokenCount: 11 },
          ...base,
        })
      })
    }
    // Gemini ends its streams by closing them: no [DONE].
    await this.stream(
      res,
      chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`),
      b,
    )
  }
}
