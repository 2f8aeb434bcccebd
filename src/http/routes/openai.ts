import { Hono, type Context } from 'hono'
import type { z } from 'zod'
import { GatewayError } from '../../core/errors.ts'
import { proxy, type ProxyOutcome } from '../../core/pipeline.ts'
import { chatRequestSchema, embeddingsRequestSchema, validate } from '../../core/requests.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { json, respond } from '../respond.ts'
import { sseBody } from '../sse-body.ts'

const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies in front of a self-hosted gateway not to buffer the stream.
  'x-accel-buffering': 'no',
}

type Parsed<T> = { ok: true; value: T; raw: string } | { ok: false; error: GatewayError }

/** Reads the body once, parses it once, validates it once; the raw text is kept for forwarding. */
async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const raw = await c.req.text()
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    const msg =
      raw.trim() === ''
        ? 'The request body is empty; expected a JSON object.'
        : 'The request body is not valid JSON.'
    return { ok: false, error: new GatewayError('invalid_json', msg) }
  }
  const checked = validate(schema, json)
  return checked.ok ? { ok: true, value: checked.value, raw } : checked
}

function deferrer(c: Context): (work: Promise<unknown>) => void {
  return (work) => {
    try {
      c.executionCtx.waitUntil(work)
    } catch {
      // Node has no ExecutionContext: the promise simply runs to completion on its own.
    }
  }
}

function send(c: Context, outcome: ProxyOutcome): Response {
  switch (outcome.kind) {
    case 'json':
      return respond(c, outcome.body, 200, { ...JSON_HEADERS, ...outcome.headers })
    case 'stream':
      return respond(c, sseBody(outcome.body, outcome.cancel), 200, {
        ...SSE_HEADERS,
        ...outcome.headers,
      })
    case 'error':
      return errorResponse(c, outcome.error)
  }
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
