import { Redis } from 'ioredis'
import type { RatelimitRedis } from './limiter-upstash.ts'
import { ScriptMap } from './redis-scripts.ts'

/**
 * Gives @upstash/ratelimit the two Redis methods it calls, over a plain Redis TCP connection
 * (REDIS_URL), so self-hosters need no HTTP hop.
 */
export function redisTcpForRatelimit(client: Redis): RatelimitRedis {
  const scripts = new ScriptMap()
  return {
    eval: (script, keys, args) =>
      client.eval(scripts.remember(script), keys.length, ...keys, ...args.map(String)),
    evalsha: (sha, keys, args) =>
      client.evalsha(scripts.resolve(sha), keys.length, ...keys, ...args.map(String)),
  }
}

export function redisClient(url: string): Redis {
  // Fail fast when Redis is down: the limiter's failure policy decides, not a long retry loop.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    lazyConnect: false,
  })
}
