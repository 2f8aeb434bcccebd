import type { BudgetCounter } from '../core/budgets.ts'
import type { RatelimitRedis } from './limiter-upstash.ts'

/** Budget counters in one process (the embedded default). */
export function memoryBudgetCounter(now: () => number = () => Date.now()): BudgetCounter {
  const counters = new Map<string, { value: number; expiresAt: number }>()
  const read = (counter: string): number => {
    const c = counters.get(counter)
    if (c && c.expiresAt <= now()) counters.delete(counter)
    return counters.get(counter)?.value ?? 0
  }
  return {
    async reserve(counter, amount, cap, ttlMs) {
      const spent = read(counter)
      if (amount > 0 && spent + amount > cap) return { allowed: false, spent }
      const prev = counters.get(counter)
      counters.set(counter, {
        value: spent + amount,
        expiresAt: prev?.expiresAt ?? now() + Math.max(ttlMs, 1),
      })
      return { allowed: true, spent: spent + amount }
    },
    spent: async (counter) => read(counter),
  }
}

// Check and add in one step, so concurrent requests on any number of instances cannot overspend.
const RESERVE = `
local spent = tonumber(redis.call("GET", KEYS[1]) or "0")
local amount = tonumber(ARGV[1])
if amount > 0 and spent + amount > tonumber(ARGV[2]) then
  return {0, spent}
end
local now = redis.call("INCRBY", KEYS[1], amount)
if tonumber(ARGV[3]) > 0 and redis.call("PTTL", KEYS[1]) < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[3])
end
return {1, now}
`

/** Budget counters in Redis, through the same client the rate limiter uses (TCP or Upstash REST). */
export function redisBudgetCounter(redis: RatelimitRedis, prefix = 'sy:budget'): BudgetCounter {
  return {
    async reserve(counter, amount, cap, ttlMs) {
      const [ok, spent] = (await redis.eval(
        RESERVE,
        [`${prefix}:${counter}`],
        [amount, cap, ttlMs],
      )) as [number, number]
      return { allowed: Number(ok) === 1, spent: Number(spent) }
    },
    async spent(counter) {
      const [, spent] = (await redis.eval(RESERVE, [`${prefix}:${counter}`], [0, 0, 0])) as [
        number,
        number,
      ]
      return Number(spent)
    },
  }
}
