import { z } from 'zod'
import { GatewayError } from './errors.ts'

// The request bodies the gateway itself relies on. Objects are loose: every field the gateway
// does not know passes through to the upstream untouched.

const contentPart = z.looseObject({ type: z.string() })

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string(),
        type: z.string(),
        function: z.looseObject({ name: z.string(), arguments: z.string() }),
      }),
    )
    .optional(),
})

const tool = z.looseObject({
  type: z.string(),
  function: z.looseObject({ name: z.string().min(1) }).optional(),
})

const optionalNumber = z.number().nullish()

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.int().positive().nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  n: z.int().positive().nullish(),
  temperature: optionalNumber,
  top_p: optionalNumber,
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(tool).optional(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).optional(),
})

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.int()).min(1),
    z.array(z.array(z.int())).min(1),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.int().positive().optional(),
})

export type ChatRequest = z.infer<typeof chatRequestSchema>
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>

/** `messages.0.role` -> `messages[0].role`, the way OpenAI names params. */
function paramName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
}

/** Parses a body with a schema; the first issue becomes a 400 naming the offending param. */
export function validate<T>(
  schema: z.ZodType<T>,
  value: unknown,
): { ok: true; value: T } | { ok: false; error: GatewayError } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      error: new GatewayError('invalid_request', 'The request body must be a JSON object.'),
    }
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  const param = issue && issue.path.length > 0 ? paramName(issue.path) : null
  const what =
    issue?.code === 'invalid_type' && issue.input === undefined
      ? 'Missing required parameter'
      : 'Invalid value for'
  const message = param
    ? `${what} '${param}': ${issue?.message ?? 'invalid'}.`
    : `Invalid request: ${issue?.message ?? 'invalid'}.`
  return { ok: false, error: new GatewayError('invalid_request', message, { param }) }
}

const anthropicBlock = z.looseObject({ type: z.string() })

/** Anthropic's Messages request, as /v1/messages accepts it. */
export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.int().positive(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(anthropicBlock)]),
      }),
    )
    .min(1),
  system: z
    .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string() }))])
    .optional(),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), input_schema: z.unknown() })).optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']) }).optional(),
})
