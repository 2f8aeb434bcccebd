import { redisClient } from './adapters/redis-tcp.ts'
import { upstashBridge } from './adapters/upstash-bridge.ts'

// npm run redis:rest: the Upstash REST protocol in front of REDIS_URL, for tests and for running
// the edge build's limiter against your own Redis.
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const token = process.env['UPSTASH_REDIS_REST_TOKEN']
if (!token) {
  console.error('Set UPSTASH_REDIS_REST_TOKEN: the bridge refuses anonymous callers.')
  process.exit(1)
}
const port = Number(process.env['PORT'] ?? 8079)
const host = process.env['HOST'] ?? '127.0.0.1'
upstashBridge(redisClient(url), token).listen(port, host, () => {
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'upstash REST bridge listening',
      url: `http://${host}:${port}`,
      redis: url,
    }),
  )
})
