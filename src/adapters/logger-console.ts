import type { Logger } from '../core/ports.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 }

/** One JSON line per entry: what log drains on Cloudflare, Netlify and Node all ingest. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const min = RANK[level]
  const write = (
    lvl: Exclude<LogLevel, 'silent' | 'debug'>,
    msg: string,
    fields?: Record<string, unknown>,
  ): void => {
    if (RANK[lvl] < min) return
    const line = JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...fields })
    if (lvl === 'error') console.error(line)
    else if (lvl === 'warn') console.warn(line)
    else console.log(line)
  }
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  }
}
