import type { Clock, Logger, Random } from '../../src/core/ports.ts'

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/** A logger that keeps what it is told, for asserting on warnings. */
export function recordingLogger(): Logger & {
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[]
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = []
  return {
    lines,
    info: (msg, fields) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, fields }),
  }
}

/** A clock that only moves when told to, and whose sleeps complete at once (and are recorded). */
export function manualClock(
  start = 1_700_000_000_000,
): Clock & { advance(ms: number): void; sleeps: number[] } {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    advance: (ms) => void (now += ms),
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
  }
}

/** A random source that returns the given floats in turn, and sequential ids. */
export function fixedRandom(...floats: number[]): Random {
  let i = 0
  let id = 0
  return {
    float: () => (floats.length ? (floats[i++ % floats.length] as number) : 0.5),
    id: () => `req-${++id}`,
    bytes: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + id) & 0xff),
  }
}
