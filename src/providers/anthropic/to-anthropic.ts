import type {
  AnthropicBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicToolChoice,
} from './wire.ts'

// OpenAI chat request -> Anthropic Messages request.

export const DEFAULT_MAX_TOKENS = 4096

interface OpenAIPart {
  type: string
  text?: string
  image_url?: { url: string } | string
}

interface OpenAIToolCall {
  id: string
  type: string
  function: { name: string; arguments: string }
}

interface OpenAIMessage {
  role: string
  content?: string | OpenAIPart[] | null
  tool_calls?: OpenAIToolCall[]
  tool_call_id?: string
}

interface OpenAITool {
  type: string
  function?: { name: string; description?: string; parameters?: unknown }
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s

function imageBlock(url: string): AnthropicBlock {
  const m = DATA_URL.exec(url)
  if (m)
    return {
      type: 'image',
      source: { type: 'base64', media_type: m[1] as string, data: m[2] as string },
    }
  return { type: 'image', source: { type: 'url', url } }
}

/** OpenAI content (a string or parts) as Anthropic blocks; empty text is dropped (Anthropic rejects it). */
export function blocksOf(content: OpenAIMessage['content']): AnthropicBlock[] {
  if (content == null) return []
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : []
  const blocks: AnthropicBlock[] = []
  for (const part of content) {
    if (part.type === 'text' && part.text) blocks.push({ type: 'text', text: part.text })
    else if (part.type === 'image_url' && part.image_url) {
      blocks.push(
        imageBlock(typeof part.image_url === 'string' ? part.image_url : part.image_url.url),
      )
    }
  }
  return blocks
}

export function textOf(content: OpenAIMessage['content']): string {
  if (content == null) return ''
  if (typeof content === 'string') return content
  return content.map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('')
}

function parseArguments(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args || '{}')
    return v !== null && typeof v === 'object' ? v : { value: v }
  } catch {
    return {}
  }
}

function toolChoice(choice: unknown, parallel: unknown): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined
  if (choice === 'auto') out = { type: 'auto' }
  else if (choice === 'required') out = { type: 'any' }
  else if (choice === 'none') out = { type: 'none' }
  else if (choice && typeof choice === 'object') {
    const name = (choice as { function?: { name?: string } }).function?.name
    if (name) out = { type: 'tool', name }
  }
  if (parallel === false) {
    out ??= { type: 'auto' }
    if (out.type !== 'none') out.disable_parallel_tool_use = true
  }
  return out
}

export function toAnthropicRequest(body: Record<string, unknown>, model: string): AnthropicRequest {
  const system: string[] = []
  const messages: AnthropicMessage[] = []
  // Anthropic wants turns to alternate: consecutive same-role messages (several tool results,
  // say) merge into one turn.
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]): void => {
    if (blocks.length === 0) return
    const last = messages.at(-1)
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks)
    else messages.push({ role, content: blocks })
  }
  for (const m of (body['messages'] as OpenAIMessage[] | undefined) ?? []) {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOf(m.content))
        break
      case 'assistant': {
        const blocks = blocksOf(m.content)
        for (const call of m.tool_calls ?? []) {
          blocks.push({
            type: 'tool_use',
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments),
          })
        }
        push('assistant', blocks)
        break
      }
      case 'tool':
      case 'function':
        push('user', [
          { type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: textOf(m.content) },
        ])
        break
      default:
        push('user', blocksOf(m.content))
    }
  }

  const req: AnthropicRequest = {
    model,
    max_tokens: (body['max_completion_tokens'] ??
      body['max_tokens'] ??
      DEFAULT_MAX_TOKENS) as number,
    messages,
  }
  if (system.some(Boolean)) req.system = system.filter(Boolean).join('\n\n')
  const stop = body['stop']
  if (typeof stop === 'string') req.stop_sequences = [stop]
  else if (Array.isArray(stop) && stop.length) req.stop_sequences = stop as string[]
  // OpenAI's temperature runs 0-2, Anthropic's 0-1.
  if (typeof body['temperature'] === 'number') req.temperature = Math.min(body['temperature'], 1)
  if (typeof body['top_p'] === 'number') req.top_p = body['top_p']
  if (body['stream'] === true) req.stream = true
  const tools = body['tools'] as OpenAITool[] | undefined
  if (tools?.length) {
    req.tools = tools
      .filter((t) => t.type === 'function' && t.function)
      .map((t) => ({
        name: t.function?.name as string,
        ...(t.function?.description ? { description: t.function.description } : {}),
        input_schema: t.function?.parameters ?? { type: 'object', properties: {} },
      }))
  }
  const choice = toolChoice(body['tool_choice'], body['parallel_tool_calls'])
  if (choice && req.tools?.length) req.tool_choice = choice
  if (typeof body['user'] === 'string') req.metadata = { user_id: body['user'] }
  return req
}
