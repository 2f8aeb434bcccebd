import { describe, expect, it } from 'vitest'
import { backoffMs, retryAfterMs } from '../../src/core/retry.ts'
import { fixedRandom } from '../support/fixed.ts'

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 }

describe('backoffMs', () => {
  it('doubles the window per retry with jitter in its upper half', () => {
    expect(backoffMs(0, policy, fixedRandom(0))).toBe(50)
    expect(backoffMs(0, policy, fixedRandom(0.999))).toBe(100)
    expect(backoffMs(2, policy, fixedRandom(0))).toBe(200)
  })

  it('caps the window at maxDelayMs', () => {
    expect(backoffMs(10, policy, fixedRandom(0.999))).toBe(1000)
  })
})

describe('retryAfterMs', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name]

  it('prefers retry-after-ms, then seconds, then an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), 0)).toBe(250)
    expect(retryAfterMs(headers({ 'retry-after': '2' }), 0)).toBe(2000)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(
      3000,
    )
  })

  it('ignores values it cannot read', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), 0)).toBeUndefined()
    expect(retryAfterMs(headers({}), 0)).toBeUndefined()
  })
})
