import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { Env } from '../config.ts'
import type { Limiter } from '../core/limits.ts'
import type { Store } from '../core/store.ts'
import { Redis } from '@upstash/redis'
import type { BudgetCounter } from '../core/budgets.ts'
import { redisBudgetCounter } from './budget-counters.ts'
import { upstashLimiter, type RatelimitRedis } from './limiter-upstash.ts'
import { memoryStore, type Persistence } from './store-memory.ts'

/** A JSON file, written atomically (temp file + rename) so a crash never leaves half a file. */
export function filePersistence(path: string): Persistence {
  return {
    load: () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    save: (text) => {
      writeFileSync(`${path}.tmp`, text, { mode: 0o600 })
      renameSync(`${path}.tmp`, path)
    },
  }
}

/** MongoDB when MONGODB_URI is set, else the memory store (persisted to SWITCHYARD_DATA if set). */
export async function nodeStore(env: Env): Promise<Store> {
  if (env.MONGODB_URI) {
    const { mongoStoreFromUri } = await import('./store-mongo.ts')
    const store = await mongoStoreFromUri(env.MONGODB_URI, env.MONGODB_DB)
    if (env.SWITCHYARD_MIGRATE)
      await store.migrate({ usageRetentionDays: env.USAGE_RETENTION_DAYS })
    return store
  }
  return memoryStore({
    persistence: env.SWITCHYARD_DATA ? filePersistence(env.SWITCHYARD_DATA) : undefined,
  })
}

export const nodeClientIp = (c: Context): string | undefined => {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}

/**
 * The config on Node: SWITCHYARD_CONFIG (a path, or inline JSON), else ./switchyard.config.json,
 * else the embedded default from the environment.
 */
export function nodeConfigSource(env: Env): { input: string | undefined; source: string } {
  const path =
    env.SWITCHYARD_CONFIG ??
    (existsSync('switchyard.config.json') ? 'switchyard.config.json' : undefined)
  if (path === undefined) return { input: undefined, source: 'embedded default' }
  if (path.trimStart().startsWith('{')) return { input: path, source: 'SWITCHYARD_CONFIG' }
  return { input: readFileSync(path, 'utf8'), source: path }
}

/**
 * Limits and budgets shared across instances: Redis over TCP (REDIS_URL), else Upstash REST, else
 * nothing (per-process ones).
 */
export async function nodeShared(
  env: Env,
): Promise<{ limiter?: Limiter; budgetCounter?: BudgetCounter }> {
  let redis: RatelimitRedis | Redis | undefined
  if (env.REDIS_URL) {
    const { redisClient, redisTcpForRatelimit } = await import('./redis-tcp.ts')
    const client = redisClient(env.REDIS_URL)
    client.on('error', () => undefined) // reported per decision by the failure policy
    redis = redisTcpForRatelimit(client)
  } else if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN })
  }
  if (!redis) return {}
  return {
    limiter: upstashLimiter(redis),
    budgetCounter: redisBudgetCounter(redis as RatelimitRedis),
  }
}
