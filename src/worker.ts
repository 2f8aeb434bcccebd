import type { ExecutionContext, Hono } from 'hono'
import { webCryptoHasher } from './adapters/hasher-webcrypto.ts'
import { consoleLogger } from './adapters/logger-console.ts'
import { fetchUpstream } from './adapters/upstream-fetch.ts'
import { defaultGatewayConfig, parseEnv, parseGatewayConfig } from './config.ts'
import { buildDeps } from './deps.ts'
import { createApp, type AppEnv } from './http/app.ts'

export type WorkerEnv = Record<string, unknown>

// One app per env object, kept at module scope on purpose: a warm isolate reuses it, and a new
// deploy or secret (a new env) builds a fresh one.
const apps = new WeakMap<WorkerEnv, Promise<Hono<AppEnv>>>()

function build(env: WorkerEnv): Promise<Hono<AppEnv>> {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  const parsedEnv = parseEnv(vars)
  const log = consoleLogger(parsedEnv.LOG_LEVEL)
  const input = parsedEnv.SWITCHYARD_CONFIG ?? defaultGatewayConfig(parsedEnv)
  const source = parsedEnv.SWITCHYARD_CONFIG ? 'SWITCHYARD_CONFIG' : 'embedded default'
  const { config } = parseGatewayConfig(input, vars, source)
  if (config.keys.length === 0)
    log.warn('no gateway keys configured: every request will be refused')
  return buildDeps(config, {
    upstream: fetchUpstream(),
    hasher: webCryptoHasher,
    logger: log,
  }).then(createApp)
}

function appFor(env: WorkerEnv): Promise<Hono<AppEnv>> {
  let app = apps.get(env)
  if (!app) {
    app = build(env)
    apps.set(env, app)
  }
  return app
}

export default {
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
