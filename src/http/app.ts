import { Hono, type Context } from 'hono'
import type { Gateway, GatewayKey } from '../core/gateway.ts'
import type { PipelineDeps } from '../core/pipeline.ts'
import type { Hasher, Sealer } from '../core/ports.ts'
import type { GatewayState } from '../core/state.ts'
import type { Store } from '../core/store.ts'
import { adminRoutes } from './admin/routes.ts'
import { notFound, onError } from './errors.ts'
import { gatewayAuth } from './middleware/auth.ts'
import { limitBody } from './middleware/body-limit.ts'
import { requestId } from './middleware/request-id.ts'
import { json } from './respond.ts'
import { anthropicRoutes } from './routes/anthropic.ts'
import { openAIRoutes } from './routes/openai.ts'

export interface AdminAuth {
  /** A static bearer token (SWITCHYARD_ADMIN_TOKEN). */
  token?: string | undefined
  /** HS256 secret for admin JWTs (SWITCHYARD_ADMIN_JWT_SECRET). */
  jwtSecret?: string | undefined
  /** JWKS URL for admin JWTs (SWITCHYARD_ADMIN_JWKS_URL). */
  jwksUrl?: string | undefined
}

export interface AppDeps extends PipelineDeps {
  /** The current compiled config; a function so a reload swaps it without a new app. */
  gateway: () => Gateway
  state: GatewayState
  store: Store
  sealer: Sealer | undefined
  admin: AdminAuth
  clientIp: (c: Context) => string | undefined
  /** True on runtimes with an ExecutionContext (Workers): background work goes to waitUntil. */
  waitUntil?: boolean
  /** Marks a key used (throttled); returns background work, if any. */
  touchKey: (id: string) => Promise<void> | undefined
  hasher: Hasher
}

export interface AppEnv {
  Variables: { requestId: string; key: GatewayKey; flavor?: 'anthropic' }
}

/** The whole HTTP surface, written against app.fetch only: the entries pick the runtime. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError(onError(deps.logger))
  app.notFound(notFound)
  app.use(requestId(() => deps.random.id()))

  app.get('/health/live', (c) => json(c, { status: 'ok' }))
  app.get('/health/ready', (c) => {
    const gw = deps.gateway()
    const providers = Object.keys(gw.config.providers).length
    const keys = gw.config.keys.length
    const reason =
      providers === 0
        ? 'no providers are configured'
        : keys === 0
          ? 'no gateway keys are configured'
          : undefined
    const body = {
      status: reason ? 'not_ready' : 'ready',
      providers,
      models: Object.keys(gw.config.models).length,
      keys,
      reason,
    }
    return json(c, body, reason ? 503 : 200)
  })

  // Anthropic's API answers (errors included) in Anthropic's shapes.
  app.use('/v1/messages', async (c, next) => {
    c.set('flavor', 'anthropic')
    await next()
  })
  app.use('/v1/*', limitBody(deps.gateway().config.maxBodyBytes))
  app.use('/v1/*', gatewayAuth(deps))
  app.route('/v1', openAIRoutes(deps))
  app.route('/v1', anthropicRoutes(deps))
  app.route('/', adminRoutes(deps))
  return app
}
