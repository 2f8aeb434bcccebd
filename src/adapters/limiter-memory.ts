import type { LimitDecision, LimitRule, Limiter } from '../core/limits.ts'

interface Counter {
  window: number
  count: number
  previous: number
  tokens: number
  updatedAt: number
}

/**
 * The single-process limiter (the embedded default): the same three algorithms as
 * @upstash/ratelimit, with the same sliding-window approximation, over a bounded map.
 */
export function memoryLimiter(
  now: () => number = () => Date.now(),
  maxSubjects = 100_000,
): Limiter {
  const counters = new Map<string, Counter>()
  const counter = (key: string, window: number, rule: LimitRule, t: number): Counter => {
    let c = counters.get(key)
    if (!c) {
      if (counters.size >= maxSubjects) counters.delete(counters.keys().next().value as string)
      c = { window, count: 0, previous: 0, tokens: rule.limit, updatedAt: t }
      counters.set(key, c)
    }
    return c
  }

  return {
    async check(rule, subject, cost): Promise<LimitDecision> {
      const t = now()
      const key = `${rule.id}|${subject}`
      const window = Math.floor(t / rule.windowMs)
      const reset = (window + 1) * rule.windowMs
      const c = counter(key, window, rule, t)
      if (rule.algorithm === 'token-bucket') {
        c.tokens = Math.min(rule.limit, c.tokens + ((t - c.updatedAt) * rule.limit) / rule.windowMs)
        c.updatedAt = t
        if (cost > 0 && c.tokens < cost) {
          const wait = ((cost - c.tokens) * rule.windowMs) / rule.limit
          return {
            allowed: false,
            limit: rule.limit,
            remaining: Math.floor(c.tokens),
            reset: t + Math.ceil(wait),
          }
        }
        c.tokens = Math.min(rule.limit, c.tokens - cost)
        return {
          allowed: true,
          limit: rule.limit,
          remaining: Math.floor(c.tokens),
          reset: t + Math.ceil(((rule.limit - c.tokens) * rule.windowMs) / rule.limit),
        }
      }
      if (c.window !== window) {
        c.previous = c.window === window - 1 ? c.count : 0
        c.count = 0
        c.window = window
      }
      const carried =
        rule.algorithm === 'sliding'
          ? Math.floor((1 - (t % rule.windowMs) / rule.windowMs) * c.previous)
          : 0
      const used = carried + c.count
      if (cost > 0 && used >= rule.limit)
        return { allowed: false, limit: rule.limit, remaining: 0, reset }
      c.count += cost
      return {
        allowed: true,
        limit: rule.limit,
        remaining: Math.max(0, rule.limit - used - cost),
        reset,
      }
    },
  }
}
