import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { GatewayError } from '../../core/errors.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { body, deleteResponses, errors, ID, json, NAME, notFound, security } from './helpers.ts'
import { ProviderInput, ProviderView, RouteInput, RouteView } from './schemas.ts'
import { providerView, routeView, sealCredential, validateRoute } from './views.ts'

/** Providers and model routes: the admin side of what the config file defines. */
export function providerRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const now = (): number => deps.clock.now()
  const changed = async (): Promise<void> => deps.state.refresh()

  // Providers
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/providers',
      security,
      responses: {
        200: json(z.object({ data: z.array(ProviderView) }), 'Providers'),
        401: errors[401],
      },
    }),
    async (c) => {
      const stored = new Set((await deps.store.listProviders()).map((p) => p.id))
      const merged = deps.gateway().config.providers
      return c.json(
        { data: Object.entries(merged).map(([id, p]) => providerView(id, p, stored.has(id))) },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/v1/providers/{id}',
      security,
      request: { params: ID, ...body(ProviderInput) },
      responses: { 200: json(ProviderView, 'Saved'), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const config = c.req.valid('json')
      const sealed = await sealCredential(config, deps.sealer)
      if (!sealed.ok) return errorResponse(c, sealed.error) as never
      await deps.store.putProvider({ id, config: sealed.config, updatedAt: now() })
      await changed()
      return c.json(providerView(id, config, true), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/v1/providers/{id}',
      security,
      request: { params: ID },
      responses: deleteResponses,
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const gw = deps.gateway()
      const users = Object.entries(gw.config.models)
        .filter(([, r]) => r.targets.some((t) => t.provider === id))
        .map(([n]) => n)
      if (users.length)
        return errorResponse(
          c,
          new GatewayError('conflict', `Provider '${id}' is used by routes: ${users.join(', ')}.`),
        ) as never
      if (!(await deps.store.deleteProvider(id))) {
        const msg =
          id in deps.state.file.providers
            ? `Provider '${id}' is defined in the config file; change it there.`
            : undefined
        return errorResponse(
          c,
          msg ? new GatewayError('conflict', msg) : notFound('provider'),
        ) as never
      }
      await changed()
      return c.body(null, 204)
    },
  )

  // Model routes
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/routes',
      security,
      responses: { 200: json(z.object({ data: z.array(RouteView) }), 'Routes'), 401: errors[401] },
    }),
    async (c) => {
      const stored = new Set((await deps.store.listRoutes()).map((r) => r.name))
      return c.json(
        {
          data: Object.entries(deps.gateway().config.models).map(([name, r]) =>
            routeView(name, r, stored.has(name)),
          ),
        },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/v1/routes/{name}',
      security,
      request: { params: NAME, ...body(RouteInput) },
      responses: { 200: json(RouteView, 'Saved'), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const route = c.req.valid('json')
      const invalid = validateRoute(route, deps.gateway().config.providers)
      if (invalid) return errorResponse(c, invalid) as never
      await deps.store.putRoute({ name, route, updatedAt: now() })
      await changed()
      return c.json(routeView(name, route, true), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/v1/routes/{name}',
      security,
      request: { params: NAME },
      responses: deleteResponses,
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      if (!(await deps.store.deleteRoute(name))) {
        const inFile = name in deps.state.file.models
        return errorResponse(
          c,
          inFile
            ? new GatewayError(
                'conflict',
                `Route '${name}' is defined in the config file; change it there.`,
              )
            : notFound('route'),
        ) as never
      }
      await changed()
      return c.body(null, 204)
    },
  )
}
