import { z } from '@hono/zod-openapi'
import { modelRouteSchema, providerConfigSchema } from '../../core/gateway-config.ts'
import { cidrMatcher } from '../../core/keys.ts'

// The admin API's request and response shapes; @hono/zod-openapi turns them into the OpenAPI 3.1
// document at /openapi.json.

export const SCOPES = ['chat', 'embeddings', 'messages', 'admin'] as const

export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi('Error')

/** apiKey is encrypted at rest (or given as ${ENV_VAR}) and never returned. */
export const ProviderInput = providerConfigSchema

export const ProviderView = z
  .object({
    id: z.string(),
    type: z.string(),
    baseUrl: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    apiVersion: z.string().optional(),
    accountId: z.string().optional(),
    timeoutMs: z.number().optional(),
    apiKeySet: z.boolean(),
    source: z.enum(['config', 'admin']),
  })
  .openapi('Provider')

export const RouteInput = modelRouteSchema
export const RouteView = z
  .object({ name: z.string(), route: modelRouteSchema, source: z.enum(['config', 'admin']) })
  .openapi('Route')

const cidr = z.string().refine((v) => {
  try {
    cidrMatcher([v])
    return true
  } catch {
    return false
  }
}, 'expected an IPv4 or IPv6 address or CIDR block')

const keyFields = {
  name: z.string().min(1).max(200),
  owner: z.string().min(1).max(200).optional(),
  scopes: z.array(z.enum(SCOPES)).min(1),
  models: z.array(z.string().min(1)).min(1),
  expiresAt: z.iso.datetime({ offset: true }),
  ips: z.array(cidr),
  enabled: z.boolean(),
  tier: z.string().min(1).max(100).optional(),
  metadata: z.record(z.string(), z.string()),
}

export const KeyCreate = z
  .strictObject({
    ...keyFields,
    scopes: keyFields.scopes.default(['chat', 'embeddings', 'messages']),
    models: keyFields.models.default(['*']),
    expiresAt: keyFields.expiresAt.optional(),
    ips: keyFields.ips.default([]),
    enabled: keyFields.enabled.default(true),
    metadata: keyFields.metadata.default({}),
  })
  .openapi('KeyCreate')

export const KeyPatch = z
  .strictObject({
    name: keyFields.name.optional(),
    owner: keyFields.owner.nullable(),
    scopes: keyFields.scopes.optional(),
    models: keyFields.models.optional(),
    expiresAt: keyFields.expiresAt.nullable().optional(),
    ips: keyFields.ips.optional(),
    enabled: keyFields.enabled.optional(),
    tier: keyFields.tier.nullable(),
    metadata: keyFields.metadata.optional(),
  })
  .openapi('KeyPatch')

export const KeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    owner: z.string().nullable(),
    scopes: z.array(z.enum(SCOPES)),
    models: z.array(z.string()),
    expiresAt: z.string().nullable(),
    ips: z.array(z.string()),
    enabled: z.boolean(),
    tier: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    previousKeyValidUntil: z.string().nullable(),
  })
  .openapi('Key')

export const KeyWithSecret = KeyView.extend({
  key: z
    .string()
    .openapi({ description: 'The key itself: shown this once, stored only as a SHA-256 hash.' }),
}).openapi('KeyWithSecret')

export const RotateBody = z
  .strictObject({
    gracePeriodSeconds: z
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(3_600),
  })
  .openapi('Rotate')

export const UsageQueryParams = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: 7 days ago' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: now' }),
  groupBy: z
    .string()
    .regex(/^(key|model|provider|day)(,(key|model|provider|day))*$/)
    .default('day')
    .openapi({ description: 'Comma-separated: key, model, provider, day' }),
  key: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
})

export const UsageBody = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.array(z.string()),
    rows: z.array(
      z.object({
        key: z.string().optional(),
        model: z.string().optional(),
        provider: z.string().optional(),
        day: z.string().optional(),
        requests: z.number(),
        errors: z.number(),
        promptTokens: z.number(),
        completionTokens: z.number(),
        costUsd: z.number(),
      }),
    ),
  })
  .openapi('Usage')

export const BudgetBody = z
  .object({
    id: z.string(),
    budgets: z.array(
      z.object({
        scope: z.string(),
        spentUsd: z.number(),
        capUsd: z.number(),
        remainingUsd: z.number(),
      }),
    ),
  })
  .openapi('Budget')
