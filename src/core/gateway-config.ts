import { z } from 'zod'
import { PROVIDER_TYPES, resolvesBaseUrl } from '../providers/registry.ts'
import { budgetsSchema } from './budgets.ts'
import { limitsSchema } from './limits.ts'

// The gateway config file, as users write it. Objects are strict so a misspelt field is an error
// that names the field, instead of a setting silently ignored.

const positiveMs = z.int().positive()

export const providerConfigSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: z.string().optional(),
  /** Extra headers sent upstream on every request (OpenRouter's HTTP-Referer, say). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Azure OpenAI's `api-version` query parameter; Anthropic's `anthropic-version` header. */
  apiVersion: z.string().min(1).optional(),
  /** Cloudflare account id, for Workers AI. */
  accountId: z.string().min(1).optional(),
  /** Per-attempt timeout for this provider, overriding timeouts.attemptMs. */
  timeoutMs: positiveMs.optional(),
})

export const targetSchema = z.strictObject({
  provider: z.string().min(1),
  /** The upstream's model (or Azure deployment) name; defaults to the requested model. */
  model: z.string().min(1).optional(),
})

const modality = z.enum(['text', 'image', 'audio', 'video', 'file'])
const perMillion = z.number().nonnegative()

export const modelRouteSchema = z.strictObject({
  /** Tried in order: the first is the primary, the rest are fallbacks. */
  targets: z.array(targetSchema).min(1),
  /** Largest prompt plus completion, in tokens. */
  contextWindow: z.int().positive().optional(),
  maxOutputTokens: z.int().positive().optional(),
  modalities: z
    .strictObject({ input: z.array(modality).min(1), output: z.array(modality).min(1) })
    .optional(),
  /** USD per million tokens; prices usage records. */
  pricing: z
    .strictObject({ input: perMillion, output: perMillion, cachedInput: perMillion.optional() })
    .optional(),
})

export type ModelRoute = z.output<typeof modelRouteSchema>

export const keyConfigSchema = z
  .strictObject({
    name: z.string().min(1),
    key: z.string().min(8, 'a gateway key must be at least 8 characters').optional(),
    hash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lower-case hex digits')
      .optional(),
    /** Model names or globs (`gpt-4o*`, `*`) this key may call. */
    models: z.array(z.string().min(1)).default(['*']),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    enabled: z.boolean().default(true),
  })
  .refine((k) => (k.key === undefined) !== (k.hash === undefined), {
    message: 'give exactly one of "key" and "hash"',
    path: ['key'],
  })

export const gatewayConfigSchema = z
  .strictObject({
    providers: z.record(z.string().min(1), providerConfigSchema).default({}),
    models: z.record(z.string().min(1), modelRouteSchema).default({}),
    keys: z.array(keyConfigSchema).default([]),
    maxBodyBytes: z
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    timeouts: z
      .strictObject({
        /** Until an attempt's response headers (non-streaming upstreams send them with the answer). */
        attemptMs: positiveMs.default(60_000),
        /** Longest silence between stream events, the first one included. */
        streamIdleMs: positiveMs.default(60_000),
        /** Across all retries and fallbacks, until the response starts. */
        totalMs: positiveMs.default(180_000),
      })
      .prefault({}),
    limits: limitsSchema,
    budgets: budgetsSchema,
    retry: z
      .strictObject({
        /** Retries per target for connection errors, 429 and 5xx, before falling back. */
        maxRetries: z.int().min(0).max(10).default(2),
        baseDelayMs: z.int().min(0).default(250),
        maxDelayMs: z.int().min(0).default(8_000),
        /** A Retry-After longer than this moves on to the next target instead of waiting. */
        maxRetryAfterMs: z.int().min(0).default(20_000),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    for (const [id, p] of Object.entries(cfg.providers)) {
      if (!resolvesBaseUrl(p)) {
        const need = p.type === 'workers-ai' ? 'an accountId or a baseUrl' : 'a baseUrl'
        ctx.addIssue({
          code: 'custom',
          path: ['providers', id, p.type === 'workers-ai' ? 'accountId' : 'baseUrl'],
          message: `provider type "${p.type}" needs ${need}`,
        })
      }
    }
    for (const [name, route] of Object.entries(cfg.models)) {
      route.targets.forEach((t, i) => {
        if (!(t.provider in cfg.providers)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', name, 'targets', i, 'provider'],
            message: `unknown provider "${t.provider}"`,
          })
        }
      })
    }
    const seen = new Set<string>()
    cfg.keys.forEach((k, i) => {
      if (seen.has(k.name)) {
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'name'], message: 'duplicate key name' })
      }
      seen.add(k.name)
    })
  })

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>
export type GatewayConfig = z.output<typeof gatewayConfigSchema>
export type ProviderConfig = z.output<typeof providerConfigSchema>
export type KeyConfig = z.output<typeof keyConfigSchema>
export type Target = z.output<typeof targetSchema>

/** Formats zod issues as `path.to.field: message` lines. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('\n')
}
