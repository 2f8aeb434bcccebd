import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { newKey } from '../../core/keys.ts'
import type { KeyRecord } from '../../core/store.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { body, errors, ID, json, notFound, security } from './helpers.ts'
import { BudgetBody, KeyCreate, KeyPatch, KeyView, KeyWithSecret, RotateBody } from './schemas.ts'
import { keyView } from './views.ts'

/** Gateway keys: create (the secret shown once), read, patch, revoke, rotate, budget. */
export function keyRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  const now = (): number => deps.clock.now()
  const changed = async (): Promise<void> => deps.state.refresh()

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
}
