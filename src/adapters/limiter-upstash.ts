import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis'
import type { LimitDecision, LimitRule, Limiter } from '../core/limits.ts'

/** The Redis methods @upstash/ratelimit calls for single-region limits. */
export interface RatelimitRedis {
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>
}

function algorithm(rule: LimitRule) {
  const window = `${rule.windowMs} ms` as const
  switch (rule.algorithm) {
    case 'fixed':
      return Ratelimit.fixedWindow(rule.limit, window)
    case 'token-bucket':
      return Ratelimit.tokenBucket(rule.limit, window, rule.limit)
    default:
      return Ratelimit.slidingWindow(rule.limit, window)
  }
}

/**
 * Limits shared by every instance through Redis, with @upstash/ratelimit: over Upstash's REST API
 * (@upstash/redis, for the edge) or a plain Redis TCP connection (redisTcpForRatelimit, on Node).
 */
export function upstashLimiter(
  redis: Redis | RatelimitRedis,
  options: { prefix?: string; ephemeralCache?: boolean } = {},
): Limiter {
  const limiters = new Map<string, Ratelimit>()
  const limiterFor = (rule: LimitRule): Ratelimit => {
    const id = `${rule.id}|${rule.algorithm}|${rule.limit}|${rule.windowMs}`
    let rl = limiters.get(id)
    if (!rl) {
      rl = new Ratelimit({
        redis: redis as Redis,
        limiter: algorithm(rule),
        prefix: `${options.prefix ?? 'sy:rl'}:${rule.id}`,
        // Blocked callers answered from memory until their reset: no Redis call while over the limit.
        ephemeralCache: options.ephemeralCache === false ? false : new Map(),
        analytics: false,
        // The gateway applies its own timeout and failure policy (LimitGuard).
        timeout: 0,
      })
      limiters.set(id, rl)
    }
    return rl
  }
  return {
    async check(rule, subject, cost): Promise<LimitDecision> {
      const r = await limiterFor(rule).limit(subject, { rate: cost })
      const decision: LimitDecision = {
        allowed: r.success,
        limit: r.limit,
        remaining: r.remaining,
        reset: r.reset,
      }
      if (r.reason === 'timeout') decision.failure = 'timeout'
      return decision
    },
  }
}
