import type { UsageEvent, UsageSink } from '../core/ports.ts'

export interface MemoryUsageSink extends UsageSink {
  /** The newest events, oldest first. */
  events(): readonly UsageEvent[]
  totals(): { requests: number; promptTokens: number; completionTokens: number }
}

/** Keeps the last `capacity` usage events in a ring buffer: bounded memory, O(1) per record. */
export function memoryUsageSink(capacity = 10_000): MemoryUsageSink {
  const ring: UsageEvent[] = []
  let next = 0
  const totals = { requests: 0, promptTokens: 0, completionTokens: 0 }
  return {
    record(event) {
      totals.requests++
      totals.promptTokens += event.promptTokens ?? 0
      totals.completionTokens += event.completionTokens ?? 0
      if (ring.length < capacity) ring.push(event)
      else ring[next] = event
      next = (next + 1) % capacity
    },
    events: () =>
      ring.length < capacity ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)],
    totals: () => ({ ...totals }),
  }
}
