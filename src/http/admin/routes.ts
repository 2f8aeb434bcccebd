import { OpenAPIHono, createRoute } from '@hono/zod-openapi'
import { swaggerUI } from '@hono/swagger-ui'
import { GatewayError } from '../../core/errors.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { adminAuth } from './auth.ts'
import { errors, json, security } from './helpers.ts'
import { keyRoutes } from './keys.ts'
import { providerRoutes } from './providers.ts'
import { UsageBody, UsageQueryParams } from './schemas.ts'

// The admin API under /admin/v1: providers, model routes, keys (with rotation) and usage,
// validated by zod and documented as OpenAPI 3.1 at /openapi.json, with Swagger UI at /docs.

export function adminRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // The one zod hook: validation failures in the gateway's error envelope, naming the field.
    defaultHook: (result, c) => {
      if (result.success) return undefined
      const issue = result.error.issues[0]
      const param = issue?.path.map(String).join('.') || null
      return errorResponse(
        c,
        new GatewayError('invalid_request', `${param ?? 'body'}: ${issue?.message ?? 'invalid'}`, {
          param,
        }),
      )
    },
  })
  const now = (): number => deps.clock.now()

  app.use('/admin/*', async (c, next) => {
    await next()
    c.res.headers.set('x-request-id', c.get('requestId'))
  })
  app.use('/admin/v1/*', adminAuth(deps))
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
  })
  providerRoutes(app, deps)
  keyRoutes(app, deps)

  // Usage
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/usage',
      security,
      request: { query: UsageQueryParams },
      responses: { 200: json(UsageBody, 'Usage per group'), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const to = q.to ? Date.parse(q.to) : now()
      const from = q.from ? Date.parse(q.from) : to - 7 * 86_400_000
      const groupBy = [...new Set(q.groupBy.split(','))] as ('key' | 'model' | 'provider' | 'day')[]
      const rows = await deps.store.queryUsage({
        from,
        to,
        groupBy,
        key: q.key,
        model: q.model,
        provider: q.provider,
      })
      return c.json(
        { from: new Date(from).toISOString(), to: new Date(to).toISOString(), groupBy, rows },
        200,
      )
    },
  )

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard admin API',
      version: '1.0.0',
      description: 'Providers, model routes, gateway keys and usage.',
    },
  })
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'Switchyard admin API' }))
  return app
}
