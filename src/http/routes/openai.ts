import { Hono } from 'hono'
import { GatewayError } from '../../core/errors.ts'
import type { Gateway } from '../../core/gateway.ts'
import { proxy } from '../../core/pipeline.ts'
import { chatRequestSchema, embeddingsRequestSchema } from '../../core/requests.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { json } from '../respond.ts'
import { deferrer, readBody, send } from './shared.ts'

/** OpenAI's model object, with the route's declared metadata where it has any. */
function modelObject(gw: Gateway, id: string): Record<string, unknown> {
  const route = gw.route(id)
  const model: Record<string, unknown> = {
    id,
    object: 'model',
    created: Math.floor(gw.loadedAt / 1000),
    owned_by: gw.resolve(id)?.[0]?.providerId ?? 'switchyard',
  }
  if (route?.contextWindow) model['context_window'] = route.contextWindow
  if (route?.maxOutputTokens) model['max_output_tokens'] = route.maxOutputTokens
  if (route?.modalities) model['modalities'] = route.modalities
  if (route?.pricing) {
    const { input, output, cachedInput } = route.pricing
    model['pricing'] = {
      currency: 'USD',
      per: '1M tokens',
      input,
      output,
      cached_input: cachedInput ?? input,
    }
  }
  return model
}

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
      key: c.get('key'),
      requestId: c.get('requestId'),
      defer: deferrer(c, deps.waitUntil === true),
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
      key: c.get('key'),
      requestId: c.get('requestId'),
      defer: deferrer(c, deps.waitUntil === true),
    })
    return send(c, outcome)
  })

  app.get('/models', (c) => {
    const gw = deps.gateway()
    return json(c, {
      object: 'list',
      data: gw.modelsFor(c.get('key')).map((id) => modelObject(gw, id)),
    })
  })

  app.get('/models/:model{.+}', (c) => {
    const gw = deps.gateway()
    const id = c.req.param('model')
    if (!c.get('key').mayUse(id) || !gw.resolve(id)) {
      const msg = `The model '${id}' does not exist.`
      return errorResponse(c, new GatewayError('model_not_found', msg, { param: 'model' }))
    }
    return json(c, modelObject(gw, id))
  })

  return app
}
