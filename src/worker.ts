import type { ExecutionContext, Hono } from 'hono'
import { webCryptoHasher } from './adapters/hasher-webcrypto.ts'
import { consoleLogger } from './adapters/logger-console.ts'
import { Redis } from '@upstash/redis'
import { redisBudgetCounter } from './adapters/budget-counters.ts'
import { upstashLimiter } from './adapters/limiter-upstash.ts'
import { webCryptoSealer } from './adapters/sealer-webcrypto.ts'
import { fetchUpstream } from './adapters/upstream-fetch.ts'
import { defaultGatewayConfig, parseEnv, parseGatewayConfig, type Env } from './config.ts'
import type { Store } from './core/store.ts'
import { buildDeps } from './deps.ts'
import { createApp, type AppEnv } from './http/app.ts'

export type WorkerEnv = Record<string, unknown>

/** Where a Worker build gets its durable store from (the MongoDB build passes one). */
export type StoreFactory = (env: Env) => Promise<Store>

// One app per env object, kept at module scope on purpose (workerHandler is called once per
// isolate): a warm isolate reuses it, and a new deploy or secret (a new env) builds a fresh one.

async function build(env: WorkerEnv, makeStore?: StoreFactory): Promise<Hono<AppEnv>> {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  const parsed = parseEnv(vars)
  const log = consoleLogger(parsed.LOG_LEVEL)
  const input = parsed.SWITCHYARD_CONFIG ?? defaultGatewayConfig(parsed)
  const { config } = parseGatewayConfig(
    input,
    vars,
    parsed.SWITCHYARD_CONFIG ? 'SWITCHYARD_CONFIG' : 'embedded default',
  )
  // The default Worker keeps its store per isolate; src/worker-mongo.ts shares one through MongoDB.
  const store = makeStore && parsed.MONGODB_URI ? await makeStore(parsed) : undefined
  if (config.keys.length === 0 && !store)
    log.warn('no gateway keys configured: only admin-created keys will be accepted')
  const sealer = parsed.SWITCHYARD_ENCRYPTION_KEY
    ? await webCryptoSealer(parsed.SWITCHYARD_ENCRYPTION_KEY)
    : undefined
  const redis =
    parsed.UPSTASH_REDIS_REST_URL && parsed.UPSTASH_REDIS_REST_TOKEN
      ? new Redis({ url: parsed.UPSTASH_REDIS_REST_URL, token: parsed.UPSTASH_REDIS_REST_TOKEN })
      : undefined
  const deps = await buildDeps(config, {
    limiter: redis ? upstashLimiter(redis) : undefined,
    budgetCounter: redis ? redisBudgetCounter(redis) : undefined,
    upstream: fetchUpstream(),
    hasher: webCryptoHasher,
    logger: log,
    store,
    sealer,
    env: vars,
    admin: {
      token: parsed.SWITCHYARD_ADMIN_TOKEN,
      jwtSecret: parsed.SWITCHYARD_ADMIN_JWT_SECRET,
      jwksUrl: parsed.SWITCHYARD_ADMIN_JWKS_URL,
    },
    clientIp: (c) => c.req.header('cf-connecting-ip'),
    waitUntil: true,
    reloadMs: parsed.SWITCHYARD_RELOAD_MS,
  })
  return createApp(deps)
}

/** The Cloudflare handler: `fetch` serves the app; `scheduled` and `queue` come with later work. */
export function workerHandler(makeStore?: StoreFactory) {
  const apps = new WeakMap<WorkerEnv, Promise<Hono<AppEnv>>>()
  const appFor = (env: WorkerEnv): Promise<Hono<AppEnv>> => {
    let app = apps.get(env)
    if (!app) {
      app = build(env, makeStore)
      apps.set(env, app)
    }
    return app
  }
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
      let app: Hono<AppEnv>
      try {
        app = await appFor(env)
      } catch (err) {
        apps.delete(env)
        const message = err instanceof Error ? err.message : String(err)
        console.error(message)
        const body = {
          error: {
            message: `The gateway is misconfigured: ${message}`,
            type: 'api_error',
            param: null,
            code: 'not_configured',
          },
        }
        const requestId = request.headers.get('x-request-id') ?? crypto.randomUUID()
        return Response.json(body, { status: 503, headers: { 'x-request-id': requestId } })
      }
      return app.fetch(request, env, ctx)
    },
    async scheduled(): Promise<void> {},
    async queue(): Promise<void> {},
  }
}

export default workerHandler()
