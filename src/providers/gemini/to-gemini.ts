// OpenAI chat and embeddings requests -> Google Gemini (Generative Language API) requests.

interface Part {
  text?: string
  inlineData?: { mimeType: string; data: string }
  fileData?: { mimeType: string; fileUri: string }
  functionCall?: { name: string; args: unknown }
  functionResponse?: { name: string; response: unknown }
}

interface Content {
  role: 'user' | 'model'
  parts: Part[]
}

interface OpenAIMessage {
  role: string
  content?: string | { type: string; text?: string; image_url?: { url: string } | string }[] | null
  tool_calls?: { id: string; function: { name: string; arguments: string } }[]
  tool_call_id?: string
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s
const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  pdf: 'application/pdf',
}

function imagePart(url: string): Part {
  const m = DATA_URL.exec(url)
  if (m) return { inlineData: { mimeType: m[1] as string, data: m[2] as string } }
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? ''
  return { fileData: { mimeType: MIME_BY_EXT[ext] ?? 'image/jpeg', fileUri: url } }
}

function partsOf(content: OpenAIMessage['content']): Part[] {
  if (content == null) return []
  if (typeof content === 'string') return content ? [{ text: content }] : []
  const parts: Part[] = []
  for (const p of content) {
    if (p.type === 'text' && p.text) parts.push({ text: p.text })
    else if (p.type === 'image_url' && p.image_url)
      parts.push(imagePart(typeof p.image_url === 'string' ? p.image_url : p.image_url.url))
  }
  return parts
}

function textOf(content: OpenAIMessage['content']): string {
  if (content == null) return ''
  return typeof content === 'string' ? content : content.map((p) => p.text ?? '').join('')
}

function jsonObject(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text)
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v
  } catch {
    // not JSON: wrap it below
  }
  return { content: text }
}

function toolConfig(choice: unknown): unknown {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } }
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } }
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } }
  const name = (choice as { function?: { name?: string } } | undefined)?.function?.name
  return name ? { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } } : undefined
}

export function toGeminiRequest(body: Record<string, unknown>): Record<string, unknown> {
  const system: string[] = []
  const contents: Content[] = []
  // Gemini answers a function by name; OpenAI tool messages carry only the call id.
  const nameById = new Map<string, string>()
  const push = (role: Content['role'], parts: Part[]): void => {
    if (parts.length === 0) return
    const last = contents.at(-1)
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  for (const m of (body['messages'] as OpenAIMessage[] | undefined) ?? []) {
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content))
    else if (m.role === 'assistant') {
      const parts = partsOf(m.content)
      for (const call of m.tool_calls ?? []) {
        nameById.set(call.id, call.function.name)
        parts.push({
          functionCall: {
            name: call.function.name,
            args: jsonObject(call.function.arguments || '{}'),
          },
        })
      }
      push('model', parts)
    } else if (m.role === 'tool' || m.role === 'function') {
      const id = m.tool_call_id ?? ''
      push('user', [
        {
          functionResponse: {
            name: nameById.get(id) ?? id,
            response: jsonObject(textOf(m.content)),
          },
        },
      ])
    } else push('user', partsOf(m.content))
  }

  const req: Record<string, unknown> = { contents }
  if (system.some(Boolean))
    req['systemInstruction'] = { parts: [{ text: system.filter(Boolean).join('\n\n') }] }
  const gen: Record<string, unknown> = {}
  if (typeof body['temperature'] === 'number') gen['temperature'] = body['temperature']
  if (typeof body['top_p'] === 'number') gen['topP'] = body['top_p']
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens']
  if (typeof maxTokens === 'number') gen['maxOutputTokens'] = maxTokens
  const stop = body['stop']
  if (stop !== undefined && stop !== null)
    gen['stopSequences'] = Array.isArray(stop) ? stop : [stop]
  if (typeof body['n'] === 'number') gen['candidateCount'] = body['n']
  if (typeof body['seed'] === 'number') gen['seed'] = body['seed']
  const format = body['response_format'] as
    { type?: string; json_schema?: { schema?: unknown } } | undefined
  if (format?.type === 'json_object' || format?.type === 'json_schema')
    gen['responseMimeType'] = 'application/json'
  if (format?.type === 'json_schema' && format.json_schema?.schema)
    gen['responseJsonSchema'] = format.json_schema.schema
  if (Object.keys(gen).length) req['generationConfig'] = gen
  const tools = body['tools'] as
    | { type: string; function?: { name: string; description?: string; parameters?: unknown } }[]
    | undefined
  if (tools?.length) {
    req['tools'] = [
      {
        functionDeclarations: tools
          .filter((t) => t.type === 'function' && t.function)
          .map((t) => ({
            name: t.function?.name,
            ...(t.function?.description ? { description: t.function.description } : {}),
            // Full JSON Schema (OpenAI's strict schemas use additionalProperties, which `parameters` rejects).
            ...(t.function?.parameters ? { parametersJsonSchema: t.function.parameters } : {}),
          })),
      },
    ]
    const config = toolConfig(body['tool_choice'])
    if (config) req['toolConfig'] = config
  }
  return req
}

export function toGeminiEmbeddings(
  body: Record<string, unknown>,
  model: string,
): Record<string, unknown> {
  const input = body['input']
  const texts = (Array.isArray(input) ? input : [input]).map((t) =>
    typeof t === 'string' ? t : JSON.stringify(t),
  )
  const dims = body['dimensions']
  return {
    requests: texts.map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(typeof dims === 'number' ? { outputDimensionality: dims } : {}),
    })),
  }
}
