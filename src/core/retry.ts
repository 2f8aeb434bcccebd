import type { Random } from './ports.ts'

export interface RetryPolicy {
  maxRetries: number
  baseDelayMs: number
  maxDelayMs: number
  maxRetryAfterMs: number
}

/**
 * Exponential backoff with "equal jitter": half the window is fixed, half random, so retries
 * spread out without ever collapsing to an immediate retry.
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: Random): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  return Math.round(window / 2 + random.float() * (window / 2))
}

/**
 * How long the upstream asked us to wait, in ms: OpenAI's `retry-after-ms`, else `Retry-After`
 * as seconds or as an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(
  header: (name: string) => string | undefined,
  now: number,
): number | undefined {
  const ms = header('retry-after-ms')
  if (ms !== undefined) {
    const n = Number(ms)
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n)
  }
  const value = header('retry-after')
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (value.trim() !== '' && Number.isFinite(seconds))
    return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
