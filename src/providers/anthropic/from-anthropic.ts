import type {
  AnthropicBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicToolChoice,
} from './wire.ts'

// Anthropic Messages request -> OpenAI chat request, for /v1/messages routed to a provider that
// does not speak Messages.

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }

function textOfBlocks(content: string | AnthropicBlock[] | undefined): string {
  if (content === undefined) return ''
  if (typeof content === 'string') return content
  return content.map((b) => (b.type === 'text' ? b.text : '')).join('')
}

function part(block: AnthropicBlock): Part | undefined {
  if (block.type === 'text') return { type: 'text', text: block.text }
  if (block.type === 'image') {
    const s = block.source
    const url = s.type === 'base64' ? `data:${s.media_type};base64,${s.data}` : s.url
    return { type: 'image_url', image_url: { url } }
  }
  return undefined
}

function messages(m: AnthropicMessage): Record<string, unknown>[] {
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }]
  if (m.role === 'assistant') {
    const text = textOfBlocks(m.content)
    const toolCalls = m.content
      .filter((b): b is Extract<AnthropicBlock, { type: 'tool_use' }> => b.type === 'tool_use')
      .map((b) => ({
        id: b.id,
        type: 'function',
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      }))
    return [
      {
        role: 'assistant',
        content: text || null,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      },
    ]
  }
  // A user turn: tool results become tool messages (they must directly follow the assistant's
  // tool calls), the rest one user message.
  const out: Record<string, unknown>[] = []
  const parts: Part[] = []
  for (const block of m.content) {
    if (block.type === 'tool_result') {
      const content = textOfBlocks(block.content)
      out.push({
        role: 'tool',
        tool_call_id: block.tool_use_id,
        content: block.is_error ? `Error: ${content}` : content,
      })
    } else {
      const p = part(block)
      if (p) parts.push(p)
    }
  }
  if (parts.length) {
    const onlyText = parts.every((p) => p.type === 'text')
    out.push({
      role: 'user',
      content: onlyText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts,
    })
  }
  return out
}

function toolChoice(choice: AnthropicToolChoice | undefined): unknown {
  switch (choice?.type) {
    case 'any':
      return 'required'
    case 'none':
      return 'none'
    case 'tool':
      return { type: 'function', function: { name: choice.name } }
    case 'auto':
      return 'auto'
    default:
      return undefined
  }
}

export function toOpenAIChat(req: AnthropicRequest): Record<string, unknown> {
  const out: Record<string, unknown>[] = []
  const system =
    typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('\n\n')
  if (system) out.push({ role: 'system', content: system })
  for (const m of req.messages) out.push(...messages(m))

  const body: Record<string, unknown> = {
    model: req.model,
    messages: out,
    max_tokens: req.max_tokens,
  }
  if (req.stop_sequences?.length) body['stop'] = req.stop_sequences
  if (req.temperature !== undefined) body['temperature'] = req.temperature
  if (req.top_p !== undefined) body['top_p'] = req.top_p
  if (req.tools?.length) {
    body['tools'] = req.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema,
      },
    }))
    const choice = toolChoice(req.tool_choice)
    if (choice !== undefined) body['tool_choice'] = choice
    if (req.tool_choice?.disable_parallel_tool_use) body['parallel_tool_calls'] = false
  }
  if (req.metadata?.user_id) body['user'] = req.metadata.user_id
  if (req.stream) {
    body['stream'] = true
    // Anthropic's stream reports usage at its end: ask the upstream for it.
    body['stream_options'] = { include_usage: true }
  }
  return body
}
