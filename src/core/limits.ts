import { z } from 'zod'
import { GatewayError } from './errors.ts'
import type { Logger } from './ports.ts'

// Rate limits: the limiter port, the policy from the config file, and the decisions the gateway
// makes with them. Expected outcomes are values: a decision, never an exception.

export type Algorithm = 'sliding' | 'fixed' | 'token-bucket'

export interface LimitRule {
  /** Names the counter family, e.g. `key:rpm`. */
  id: string
  algorithm: Algorithm
  limit: number
  windowMs: number
}

export interface LimitDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** When the window resets (ms since the epoch). */
  reset: number
  /** Set when the limiter could not decide (Redis down or slow) and the failure policy did. */
  failure?: 'timeout' | 'error'
}

export interface Limiter {
  /** Takes `cost` units from `subject`'s allowance under `rule` (a negative cost gives units back). */
  check(rule: LimitRule, subject: string, cost: number): Promise<LimitDecision>
}

const algorithm = z.enum(['sliding', 'fixed', 'token-bucket']).default('sliding')
const ruleSet = z.strictObject({
  /** Burst control. */
  requestsPerSecond: z.int().positive().optional(),
  requestsPerMinute: z.int().positive().optional(),
  requestsPerDay: z.int().positive().optional(),
  tokensPerMinute: z.int().positive().optional(),
  algorithm,
})

export const limitsSchema = z
  .strictObject({
    /** Per gateway key; `tiers` override by the key's tier. */
    keys: ruleSet.optional(),
    tiers: z.record(z.string(), ruleSet).default({}),
    /** Per gateway key and model. */
    models: z.record(z.string(), ruleSet).default({}),
    /** Per client IP, counting requests that are unauthenticated or fail authentication. */
    ip: z.strictObject({ requestsPerMinute: z.int().positive(), algorithm }).optional(),
    /** Per provider target, to protect upstream quotas; a full target is skipped like a 429. */
    providers: z.record(z.string(), ruleSet).default({}),
    /** What to do when the limiter's store fails or is slower than timeoutMs. */
    failurePolicy: z.enum(['open', 'closed']).default('open'),
    timeoutMs: z.int().positive().default(200),
  })
  .prefault({})

export type LimitsConfig = z.output<typeof limitsSchema>
type RuleSet = z.output<typeof ruleSet>

const MINUTE = 60_000
const DAY = 86_400_000

export interface Checked {
  rule: LimitRule
  subject: string
  cost: number
  decision: LimitDecision
}

function rules(
  prefix: string,
  set: RuleSet | undefined,
): { requests: LimitRule[]; tokens: LimitRule | undefined } {
  if (!set) return { requests: [], tokens: undefined }
  const a = set.algorithm
  const requests: LimitRule[] = []
  if (set.requestsPerSecond)
    requests.push({
      id: `${prefix}:rps`,
      algorithm: a,
      limit: set.requestsPerSecond,
      windowMs: 1_000,
    })
  if (set.requestsPerMinute)
    requests.push({
      id: `${prefix}:rpm`,
      algorithm: a,
      limit: set.requestsPerMinute,
      windowMs: MINUTE,
    })
  if (set.requestsPerDay)
    requests.push({ id: `${prefix}:rpd`, algorithm: a, limit: set.requestsPerDay, windowMs: DAY })
  const tokens = set.tokensPerMinute
    ? { id: `${prefix}:tpm`, algorithm: a, limit: set.tokensPerMinute, windowMs: MINUTE }
    : undefined
  return { requests, tokens }
}

/** A rough prompt size (4 characters a token) plus the completion allowance, reserved before the call. */
export function estimateTokens(raw: string, body: Record<string, unknown>): number {
  const out = body['max_completion_tokens'] ?? body['max_tokens']
  return promptEstimate(raw) + (typeof out === 'number' ? out : 1024)
}

/** About four characters a token: an upper-side guess for reservations, settled afterwards. */
export function promptEstimate(raw: string): number {
  return Math.ceil(raw.length / 4)
}

export class LimitGuard {
  readonly #limiter: Limiter
  readonly #config: LimitsConfig
  readonly #logger: Logger
  readonly #now: () => number

  constructor(limiter: Limiter, config: LimitsConfig, logger: Logger, now: () => number) {
    this.#limiter = limiter
    this.#config = config
    this.#logger = logger
    this.#now = now
  }

  get config(): LimitsConfig {
    return this.#config
  }

  /** One check, with the deployment's timeout and failure policy applied; every such decision is logged. */
  async check(rule: LimitRule, subject: string, cost: number): Promise<LimitDecision> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.#config.timeoutMs)),
    )
    let outcome: LimitDecision | 'timeout' | 'error'
    try {
      outcome = await Promise.race([this.#limiter.check(rule, subject, cost), timeout])
    } catch (err) {
      this.#logger.error('rate limiter error', { rule: rule.id, err: String(err) })
      outcome = 'error'
    } finally {
      clearTimeout(timer)
    }
    if (typeof outcome !== 'string' && outcome.failure === undefined) return outcome
    const failure = typeof outcome === 'string' ? outcome : (outcome.failure as 'timeout' | 'error')
    const allowed = this.#config.failurePolicy === 'open'
    this.#logger.warn('rate limiter unavailable: failure policy applied', {
      rule: rule.id,
      failure,
      policy: this.#config.failurePolicy,
    })
    failures[failure][allowed ? 'open' : 'closed']++
    return {
      allowed,
      limit: rule.limit,
      remaining: allowed ? rule.limit : 0,
      reset: this.#now() + 1_000,
      failure,
    }
  }

  /** Request and token rules for a key (its tier's, else the defaults) and for the key and model. */
  keyRules(
    tier: string | undefined,
    model: string,
  ): { requests: LimitRule[]; tokens: LimitRule[] } {
    const base = (tier !== undefined ? this.#config.tiers[tier] : undefined) ?? this.#config.keys
    const k = rules(tier !== undefined && this.#config.tiers[tier] ? `tier:${tier}` : 'key', base)
    const m = rules(`model:${model}`, this.#config.models[model])
    return {
      requests: [...k.requests, ...m.requests],
      tokens: [k.tokens, m.tokens].filter((r): r is LimitRule => r !== undefined),
    }
  }

  providerRules(providerId: string): { requests: LimitRule[]; tokens: LimitRule | undefined } {
    return rules(`provider:${providerId}`, this.#config.providers[providerId])
  }

  ipRule(): LimitRule | undefined {
    const ip = this.#config.ip
    return ip
      ? { id: 'ip:rpm', algorithm: ip.algorithm, limit: ip.requestsPerMinute, windowMs: MINUTE }
      : undefined
  }
}

/** Counts of limiter failures by policy outcome, for metrics. */
export const failures = { timeout: { open: 0, closed: 0 }, error: { open: 0, closed: 0 } }

/** OpenAI-style duration: `1s`, `6m0s`, `2h3m4s`. */
export function resetIn(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`
}

/** OpenAI's rate-limit headers from the tightest request and token decisions. */
export function limitHeaders(
  requests: Checked | undefined,
  tokens: Checked | undefined,
  now: number,
): Record<string, string> {
  const h: Record<string, string> = {}
  if (requests) {
    h['x-ratelimit-limit-requests'] = String(requests.decision.limit)
    h['x-ratelimit-remaining-requests'] = String(Math.max(0, requests.decision.remaining))
    h['x-ratelimit-reset-requests'] = resetIn(requests.decision.reset - now)
  }
  if (tokens) {
    h['x-ratelimit-limit-tokens'] = String(tokens.decision.limit)
    h['x-ratelimit-remaining-tokens'] = String(Math.max(0, tokens.decision.remaining))
    h['x-ratelimit-reset-tokens'] = resetIn(tokens.decision.reset - now)
  }
  return h
}

/** The tightest of several checks: a refusal if any, else the one with the least left. */
export function tightest(checks: Checked[]): Checked | undefined {
  const refused = checks.find((c) => !c.decision.allowed)
  if (refused) return refused
  return checks.reduce<Checked | undefined>(
    (a, c) =>
      !a || c.decision.remaining / c.decision.limit < a.decision.remaining / a.decision.limit
        ? c
        : a,
    undefined,
  )
}

const KIND: Record<string, string> = {
  rpm: 'requests per minute',
  rpd: 'requests per day',
  tpm: 'tokens per minute',
}

export function limitError(c: Checked, now: number, headers: Record<string, string>): GatewayError {
  const kind = KIND[c.rule.id.split(':').pop() ?? ''] ?? 'requests'
  const wait = Math.max(1, Math.ceil((c.decision.reset - now) / 1000))
  const msg = c.decision.failure
    ? 'The rate limiter is unavailable and this gateway fails closed. Try again shortly.'
    : `Rate limit reached for ${kind} (${c.rule.id.split(':').slice(0, -1).join(':')}): limit ${c.decision.limit}. Try again in ${wait}s.`
  return new GatewayError('rate_limited', msg, {
    publicCode: 'rate_limit_exceeded',
    headers: { ...headers, 'retry-after': String(wait) },
  })
}
