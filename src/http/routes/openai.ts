import { Hono } from 'hono'
import { GatewayError } from '../../core/errors.ts'
import { proxy } from '../../core/pipeline.ts'
import { chatRequestSchema, embeddingsRequestSchema } from '../../core/requests.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { json } from '../respond.ts'
import { deferrer, readBody, send } from './shared.ts'

/** The OpenAI-compatible surface: chat completions, embeddings and the model list. */
export function openAIRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/chat/completions', async (c) => {
    const body = await readBody(c, chatRequestSchema)
    if (!body.ok) return errorResponse(c, body.error)
    const outcome = await proxy(deps.gateway(), deps, {
      op: 'chat',
      body: body.value,
      raw: body.raw,
      model: body.value.model,
      stream: body.value.stream === true,
      key: c.var.key,
      requestId: c.var.requestId,
      defer: deferrer(c),
    })
    return send(c, outcome)
  })

  app.post('/embeddings', async (c) => {
    const body = await readBody(c, embeddingsRequestSchema)
    if (!body.ok) return errorResponse(c, body.error)
    const outcome = await proxy(deps.gateway(), deps, {
      op: 'embeddings',
      body: body.value,
      raw: body.raw,
      model: body.value.model,
      stream: false,
      key: c.var.key,
      requestId: c.var.requestId,
      defer: deferrer(c),
    })
    return send(c, outcome)
  })

  app.get('/models', (c) => {
    const gw = deps.gateway()
    const created = Math.floor(gw.loadedAt / 1000)
    const data = gw.modelsFor(c.var.key).map((id) => ({
      id,
      object: 'model',
      created,
      owned_by: gw.resolve(id)?.[0]?.providerId ?? 'switchyard',
    }))
    return json(c, { object: 'list', data })
  })

  app.get('/models/:model{.+}', (c) => {
    const gw = deps.gateway()
    const id = c.req.param('model')
    const target = c.var.key.mayUse(id) ? gw.resolve(id)?.[0] : undefined
    if (!target) {
      return errorResponse(
        c,
        new GatewayError('model_not_found', `The model '${id}' does not exist.`, {
          param: 'model',
        }),
      )
    }
    return json(c, {
      id,
      object: 'model',
      created: Math.floor(gw.loadedAt / 1000),
      owned_by: target.providerId,
    })
  })

  return app
}
