import { z } from 'zod'
import {
  describeIssues,
  gatewayConfigSchema,
  type GatewayConfig,
  type GatewayConfigInput,
} from './core/gateway-config.ts'

// Env and the gateway config file, validated once at the entry; everything inward gets types.

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Node: a path to the config file (or inline JSON). Workers: the JSON itself. */
  SWITCHYARD_CONFIG: z.string().optional(),
  /** Comma-separated gateway keys, for the embedded default config. */
  SWITCHYARD_API_KEYS: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  GEMINI_API_KEY: z.string().optional(),
  GOOGLE_API_KEY: z.string().optional(),
  COHERE_API_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Admin API credentials: a static token, and/or JWTs by secret or JWKS. */
  SWITCHYARD_ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  SWITCHYARD_ADMIN_JWT_SECRET: z.string().min(16).optional(),
  SWITCHYARD_ADMIN_JWKS_URL: z.url().optional(),
  /** 32 bytes, base64: encrypts provider credentials stored through the admin API. */
  SWITCHYARD_ENCRYPTION_KEY: z.string().optional(),
  /** Node: a JSON file the memory store persists keys, providers and routes to. */
  SWITCHYARD_DATA: z.string().optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected mongodb:// or mongodb+srv://')
    .optional(),
  MONGODB_DB: z.string().min(1).default('switchyard'),
  /** Create MongoDB indexes at start-up (npm run db:migrate does it on demand). */
  SWITCHYARD_MIGRATE: z.stringbool().default(false),
  USAGE_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  /** Rate limits shared across instances: Redis over TCP (Node) or Upstash's REST API (anywhere). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis:// or rediss://')
    .optional(),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  /** How often an instance looks for admin changes made on other instances. */
  SWITCHYARD_RELOAD_MS: z.coerce.number().int().positive().default(5_000),
})

export type Env = z.infer<typeof envSchema>

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

export function parseEnv(raw: Record<string, string | undefined>): Env {
  // An empty variable means "not set", as it does for most tools.
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''),
  )
  const parsed = envSchema.safeParse(present)
  if (!parsed.success)
    throw new ConfigError(`Invalid environment:\n${describeIssues(parsed.error)}`)
  return parsed.data
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of a parsed config with the
 * environment's value, so secrets stay out of files. Unset names become '' and are reported.
 */
export function interpolate(
  value: unknown,
  env: Record<string, string | undefined>,
  missing: Set<string>,
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (_, name: string, fallback: string | undefined) => {
      const v = env[name]
      if (v !== undefined && v !== '') return v
      if (fallback !== undefined) return fallback
      missing.add(name)
      return ''
    })
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]),
    )
  }
  return value
}

export interface LoadedConfig {
  config: GatewayConfig
  /** Environment variables the config referred to that were not set. */
  missing: string[]
}

/** Parses and validates a config document; throws ConfigError naming each bad field. */
export function parseGatewayConfig(
  input: string | GatewayConfigInput,
  env: Record<string, string | undefined>,
  source: string,
): LoadedConfig {
  let doc: unknown = input
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input)
    } catch (err) {
      throw new ConfigError(
        `Invalid gateway config (${source}): not valid JSON: ${(err as Error).message}`,
      )
    }
  }
  const missing = new Set<string>()
  const parsed = gatewayConfigSchema.safeParse(interpolate(doc, env, missing))
  if (!parsed.success) {
    const unset = missing.size ? `\n(unset environment variables: ${[...missing].join(', ')})` : ''
    throw new ConfigError(
      `Invalid gateway config (${source}):\n${describeIssues(parsed.error)}${unset}`,
    )
  }
  return { config: parsed.data, missing: [...missing] }
}

/**
 * The embedded default, for a gateway started with no config file: providers from the usual
 * environment variables (OPENAI_*, ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY,
 * COHERE_API_KEY), keys from SWITCHYARD_API_KEYS, and any other model name passed to OpenAI.
 */
export function defaultGatewayConfig(env: Env): GatewayConfigInput {
  const providers: NonNullable<GatewayConfigInput['providers']> = {}
  const models: NonNullable<GatewayConfigInput['models']> = {}
  // Native providers claim their model families; `provider/model` reaches any of them too.
  const native: [string, string | undefined, 'anthropic' | 'gemini' | 'cohere', string[]][] = [
    ['anthropic', env.ANTHROPIC_API_KEY, 'anthropic', ['claude-*']],
    [
      'gemini',
      env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY,
      'gemini',
      ['gemini-*', 'gemma-*', 'text-embedding-00*'],
    ],
    ['cohere', env.COHERE_API_KEY, 'cohere', ['command-*', 'embed-*']],
  ]
  for (const [id, apiKey, type, globs] of native) {
    if (apiKey === undefined) continue
    providers[id] = { type, apiKey }
    for (const glob of globs) models[glob] = { targets: [{ provider: id }] }
  }
  if (env.OPENAI_API_KEY !== undefined || env.OPENAI_BASE_URL !== undefined) {
    providers['openai'] = {
      type: 'openai',
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
    }
    models['*'] = { targets: [{ provider: 'openai' }] }
  }
  const keys = (env.SWITCHYARD_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((key, i) => ({ name: `env-${i + 1}`, key }))
  return { providers, models, keys }
}

export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
  )
}
