import { z } from 'zod'
import type { Usage } from '../providers/types.ts'
import { costUsd } from './cost.ts'
import { GatewayError } from './errors.ts'
import type { ModelRoute } from './gateway-config.ts'
import type { GatewayKey } from './gateway.ts'
import type { Logger } from './ports.ts'

// Spend caps in USD, per key and per owner, per day and per month. The worst-case cost of a
// request is reserved atomically before any upstream call (refused when it would pass the cap)
// and the difference is refunded once the real usage is known.

/** Counts in micro-dollars, so every store can add integers atomically. */
export interface BudgetCounter {
  /** Adds `amount` to `counter` unless that would pass `cap` (amount <= 0 always applies). */
  reserve(
    counter: string,
    amount: number,
    cap: number,
    ttlMs: number,
  ): Promise<{ allowed: boolean; spent: number }>
  spent(counter: string): Promise<number>
}

const caps = z.strictObject({
  dailyUsd: z.number().positive().optional(),
  monthlyUsd: z.number().positive().optional(),
})

export const budgetsSchema = z
  .strictObject({ keys: caps.optional(), owners: caps.optional() })
  .prefault({})

export type BudgetsConfig = z.output<typeof budgetsSchema>

const MICRO = 1_000_000

interface Period {
  name: 'day' | 'month'
  id: string
  ttlMs: number
}

function periods(now: number): Period[] {
  const d = new Date(now)
  return [
    { name: 'day', id: d.toISOString().slice(0, 10), ttlMs: 2 * 86_400_000 },
    { name: 'month', id: d.toISOString().slice(0, 7), ttlMs: 32 * 86_400_000 },
  ]
}

interface Line {
  counter: string
  cap: number
  label: string
  ttlMs: number
}

export interface Reservation {
  /** Settles with the real usage: refunds what was reserved beyond the actual cost. */
  settle(usage: Usage | undefined): Promise<unknown>
}

const NOTHING: Reservation = { settle: () => Promise.resolve() }

export class BudgetGuard {
  readonly #counter: BudgetCounter
  readonly #config: BudgetsConfig
  readonly #logger: Logger

  constructor(counter: BudgetCounter, config: BudgetsConfig, logger: Logger) {
    this.#counter = counter
    this.#config = config
    this.#logger = logger
  }

  #lines(key: GatewayKey, now: number): Line[] {
    const lines: Line[] = []
    for (const p of periods(now)) {
      const cap = (c: z.output<typeof caps> | undefined): number | undefined =>
        p.name === 'day' ? c?.dailyUsd : c?.monthlyUsd
      const k = cap(this.#config.keys)
      if (k)
        lines.push({
          counter: `key:${key.id}:${p.id}`,
          cap: Math.round(k * MICRO),
          label: `key ${key.name}, ${p.name} ${p.id}`,
          ttlMs: p.ttlMs,
        })
      const o = cap(this.#config.owners)
      if (o && key.owner)
        lines.push({
          counter: `owner:${key.owner}:${p.id}`,
          cap: Math.round(o * MICRO),
          label: `owner ${key.owner}, ${p.name} ${p.id}`,
          ttlMs: p.ttlMs,
        })
    }
    return lines
  }

  /**
   * Reserves the worst case (prompt estimate at the input price, the full completion allowance at
   * the output price). Without prices on the route there is nothing to count, and nothing is held.
   */
  async reserve(
    key: GatewayKey,
    pricing: ModelRoute['pricing'],
    estimate: { promptTokens: number; completionTokens: number },
    now: number,
  ): Promise<{ ok: true; reservation: Reservation } | { ok: false; error: GatewayError }> {
    if (!this.#config.keys && !this.#config.owners) return { ok: true, reservation: NOTHING }
    const lines = this.#lines(key, now)
    const worst = costUsd(
      { ...estimate, totalTokens: estimate.promptTokens + estimate.completionTokens },
      pricing,
    )
    if (lines.length === 0 || worst === undefined)
      return { ok: true, reservation: { settle: () => Promise.resolve() } }
    const amount = Math.ceil(worst * MICRO)
    const taken: Line[] = []
    for (const line of lines) {
      const r = await this.#counter.reserve(line.counter, amount, line.cap, line.ttlMs)
      if (!r.allowed) {
        await Promise.all(taken.map((t) => this.#counter.reserve(t.counter, -amount, t.cap, 0)))
        const msg = `Budget exceeded for ${line.label}: $${(r.spent / MICRO).toFixed(4)} of $${(line.cap / MICRO).toFixed(2)} spent; this request could cost up to $${(amount / MICRO).toFixed(4)}.`
        return {
          ok: false,
          error: new GatewayError('rate_limited', msg, {
            publicCode: 'budget_exceeded',
            type: 'insufficient_quota',
          }),
        }
      }
      taken.push(line)
    }
    return {
      ok: true,
      reservation: {
        settle: async (usage) => {
          const actual = Math.ceil((costUsd(usage, pricing) ?? 0) * MICRO)
          const refund = actual - amount
          if (refund === 0) return
          await Promise.all(
            taken.map((t) => this.#counter.reserve(t.counter, refund, t.cap, 0)),
          ).catch((err: unknown) =>
            this.#logger.error('budget settlement failed', { err: String(err) }),
          )
        },
      },
    }
  }

  /** Spend and what is left, for the admin API. */
  async status(
    key: GatewayKey,
    now: number,
  ): Promise<{ scope: string; spentUsd: number; capUsd: number; remainingUsd: number }[]> {
    return Promise.all(
      this.#lines(key, now).map(async (line) => {
        const spent = await this.#counter.spent(line.counter)
        return {
          scope: line.label,
          spentUsd: spent / MICRO,
          capUsd: line.cap / MICRO,
          remainingUsd: Math.max(0, line.cap - spent) / MICRO,
        }
      }),
    )
  }
}
