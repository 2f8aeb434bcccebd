import type { Clock, Random } from '../core/ports.ts'

// The real clock and random source. Both are web-standard globals, so one file serves every
// runtime; tests pass fixed twins instead (test/support/fixed.ts).

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    }),
}

export const systemRandom: Random = {
  float: () => Math.random(),
  id: () => crypto.randomUUID(),
  bytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
}
