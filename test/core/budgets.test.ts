import { describe, expect, it } from 'vitest'
import { memoryBudgetCounter } from '../../src/adapters/budget-counters.ts'
import { BudgetGuard } from '../../src/core/budgets.ts'
import type { GatewayKey } from '../../src/core/gateway.ts'
import { silentLogger } from '../support/fixed.ts'

const NOW = Date.parse('2026-11-22T10:00:00Z')
const key = {
  id: 'k1',
  name: 'app',
  owner: 'team-a',
  hash: '',
  models: ['*'],
  mayUse: () => true,
  expiresAt: undefined,
  enabled: true,
  scopes: new Set(['chat' as const]),
  allowsIp: undefined,
} satisfies GatewayKey
const pricing = { input: 10, output: 30 } // USD per million tokens

describe('budgets', () => {
  it('reserves the worst case, refuses what would pass the cap, and refunds the difference', async () => {
    const counter = memoryBudgetCounter(() => NOW)
    const guard = new BudgetGuard(counter, { keys: { dailyUsd: 0.01 } }, silentLogger)
    const estimate = { promptTokens: 100, completionTokens: 100 } // $0.001 + $0.003 = $0.004
    const a = await guard.reserve(key, pricing, estimate, NOW)
    const b = await guard.reserve(key, pricing, estimate, NOW)
    const c = await guard.reserve(key, pricing, estimate, NOW)
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false])
    if (c.ok) throw new Error('unreachable')
    expect(c.error.status).toBe(429)
    expect(c.error.publicCode).toBe('budget_exceeded')
    expect(c.error.message).toContain('key app, day 2026-11-22')
    // The first request really used 100 + 10 tokens: $0.0013, so $0.0027 comes back.
    if (a.ok)
      await a.reservation.settle({ promptTokens: 100, completionTokens: 10, totalTokens: 110 })
    expect(await guard.status(key, NOW)).toEqual([
      { scope: 'key app, day 2026-11-22', spentUsd: 0.0053, capUsd: 0.01, remainingUsd: 0.0047 },
    ])
    expect((await guard.reserve(key, pricing, estimate, NOW)).ok).toBe(true)
  })

  it('caps owners across their keys, and monthly as well as daily', async () => {
    const guard = new BudgetGuard(
      memoryBudgetCounter(() => NOW),
      { owners: { dailyUsd: 1, monthlyUsd: 0.005 } },
      silentLogger,
    )
    const estimate = { promptTokens: 100, completionTokens: 100 }
    expect((await guard.reserve(key, pricing, estimate, NOW)).ok).toBe(true)
    const other = { ...key, id: 'k2', name: 'other' }
    const refused = await guard.reserve(other, pricing, estimate, NOW)
    expect(refused.ok === false && refused.error.message).toContain('owner team-a, month 2026-11')
  })

  it('holds nothing for routes without prices', async () => {
    const guard = new BudgetGuard(
      memoryBudgetCounter(() => NOW),
      { keys: { dailyUsd: 0.000001 } },
      silentLogger,
    )
    expect(
      (await guard.reserve(key, undefined, { promptTokens: 1e6, completionTokens: 1e6 }, NOW)).ok,
    ).toBe(true)
  })
})
