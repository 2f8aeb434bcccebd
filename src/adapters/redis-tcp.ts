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
  // Commands give up after one reconnection attempt when Redis is down; the limiter's own timeout
  // and failure policy decide what the request gets meanwhile.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A request's limit checks go out in one write, and come back in one round trip.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  })
}
