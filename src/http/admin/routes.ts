import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { swaggerUI } from '@hono/swagger-ui'
import type { Context } from 'hono'
import { GatewayError } from '../../core/errors.ts'
import { newKey } from '../../core/keys.ts'
import type { KeyRecord } from '../../core/store.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { adminAuth } from './auth.ts'
import { keyView, providerView, routeView, sealCredential, validateRoute } from './views.ts'
import {
  BudgetBody,
  ErrorBody,
  KeyCreate,
  KeyPatch,
  KeyView,
  KeyWithSecret,
  ProviderInput,
  ProviderView,
  RotateBody,
  RouteInput,
  RouteView,
  UsageBody,
  UsageQueryParams,
} from './schemas.ts'

// The admin API under /admin/v1: providers, model routes, keys (with rotation) and usage,
// validated by zod and documented as OpenAPI 3.1 at /openapi.json, with Swagger UI at /docs.

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
const errors = {
  400: json(ErrorBody, 'Invalid request'),
  401: json(ErrorBody, 'Missing or wrong admin credentials'),
  404: json(ErrorBody, 'Not found'),
  409: json(ErrorBody, 'Conflict'),
}
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})
const ident = z.string().min(1).max(200)
const ID = z.object({ id: ident })
const NAME = z.object({ name: ident })
const security = [{ bearer: [] }]

const notFound = (what: string): GatewayError =>
  new GatewayError('not_found', `No such ${what}.`, { publicCode: 'not_found' })

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
  const changed = async (): Promise<void> => deps.state.refresh()

  app.use('/admin/*', async (c, next) => {
    await next()
    c.res.headers.set('x-request-id', c.get('requestId'))
  })
  app.use('/admin/v1/*', adminAuth(deps))
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
  })

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
      responses: {
        204: { description: 'Deleted' },
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
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
      responses: {
        204: { description: 'Deleted' },
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
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

  // Keys
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/keys',
      security,
      responses: { 200: json(z.object({ data: z.array(KeyView) }), 'Keys'), 401: errors[401] },
    }),
    async (c) => c.json({ data: (await deps.store.listKeys()).map((k) => keyView(k, now())) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/keys',
      security,
      request: body(KeyCreate),
      responses: {
        201: json(KeyWithSecret, 'Created: the key is shown this once'),
        400: errors[400],
        401: errors[401],
      },
    }),
    async (c) => {
      const input = c.req.valid('json')
      for (let attempt = 0; attempt < 3; attempt++) {
        const { id, key } = newKey((n) => deps.random.bytes(n))
        const rec: KeyRecord = {
          id,
          name: input.name,
          owner: input.owner,
          hash: `sha256:${await deps.hasher.sha256Hex(key)}`,
          scopes: input.scopes,
          models: input.models,
          expiresAt: input.expiresAt === undefined ? undefined : Date.parse(input.expiresAt),
          ips: input.ips,
          enabled: input.enabled,
          tier: input.tier,
          metadata: input.metadata,
          createdAt: now(),
        }
        if (await deps.store.insertKey(rec)) {
          await changed()
          return c.json({ ...keyView(rec, now()), key }, 201)
        }
      }
      throw new Error('could not allocate a unique key id')
    },
  )

  const keyPath = '/admin/v1/keys/{id}'
  app.openapi(
    createRoute({
      method: 'get',
      path: keyPath,
      security,
      request: { params: ID },
      responses: { 200: json(KeyView, 'The key'), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const rec = await deps.store.getKey(c.req.valid('param').id)
      return rec ? c.json(keyView(rec, now()), 200) : (errorResponse(c, notFound('key')) as never)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: keyPath,
      security,
      request: { params: ID, ...body(KeyPatch) },
      responses: {
        200: json(KeyView, 'Updated'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const rec = await deps.store.getKey(c.req.valid('param').id)
      if (!rec) return errorResponse(c, notFound('key')) as never
      const patch = c.req.valid('json')
      const next: KeyRecord = { ...rec }
      if (patch.name !== undefined) next.name = patch.name
      if (patch.owner !== undefined) next.owner = patch.owner ?? undefined
      if (patch.scopes !== undefined) next.scopes = patch.scopes
      if (patch.models !== undefined) next.models = patch.models
      if (patch.expiresAt !== undefined)
        next.expiresAt = patch.expiresAt === null ? undefined : Date.parse(patch.expiresAt)
      if (patch.ips !== undefined) next.ips = patch.ips
      if (patch.enabled !== undefined) next.enabled = patch.enabled
      if (patch.tier !== undefined) next.tier = patch.tier ?? undefined
      if (patch.metadata !== undefined) next.metadata = patch.metadata
      await deps.store.updateKey(next)
      await changed()
      return c.json(keyView(next, now()), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: keyPath,
      security,
      request: { params: ID },
      responses: {
        204: { description: 'Revoked and deleted' },
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      if (!(await deps.store.deleteKey(c.req.valid('param').id)))
        return errorResponse(c, notFound('key')) as never
      await changed()
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/keys/{id}/rotate',
      security,
      request: { params: ID, ...body(RotateBody) },
      responses: {
        200: json(KeyWithSecret, 'Rotated: the new key is shown this once'),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const rec = await deps.store.getKey(c.req.valid('param').id)
      if (!rec) return errorResponse(c, notFound('key')) as never
      const { gracePeriodSeconds } = c.req.valid('json')
      const { key } = newKey((n) => deps.random.bytes(n), rec.id)
      const next: KeyRecord = {
        ...rec,
        hash: `sha256:${await deps.hasher.sha256Hex(key)}`,
        previousHash: gracePeriodSeconds > 0 ? rec.hash : undefined,
        previousExpiresAt: gracePeriodSeconds > 0 ? now() + gracePeriodSeconds * 1000 : undefined,
      }
      await deps.store.updateKey(next)
      await changed()
      return c.json({ ...keyView(next, now()), key }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/keys/{id}/budget',
      security,
      request: { params: ID },
      responses: {
        200: json(BudgetBody, 'Spend and what is left, per cap'),
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const key = deps.gateway().keyById(id)
      if (!key) return errorResponse(c, notFound('key')) as never
      const budgets = deps.budgets ? await deps.budgets.status(key, now()) : []
      return c.json({ id, budgets }, 200)
    },
  )

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

export type AdminContext = Context<AppEnv>
