import { Hono } from 'hono'
import { proxy } from '../../core/pipeline.ts'
import { messagesRequestSchema } from '../../core/requests.ts'
import { toOpenAIChat } from '../../providers/anthropic/from-anthropic.ts'
import { anthropicSurface } from '../../providers/anthropic/surface.ts'
import type { AnthropicRequest } from '../../providers/anthropic/wire.ts'
import type { AppDeps, AppEnv } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { deferrer, readBody, send } from './shared.ts'

/**
 * Anthropic's Messages API. Routed like any other request: natively to Anthropic upstreams,
 * through the OpenAI chat translation to every other provider; answered in Anthropic's shapes.
 */
export function anthropicRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/messages', async (c) => {
    const body = await readBody(c, messagesRequestSchema)
    if (!body.ok) return errorResponse(c, body.error)
    const request = body.value as unknown as AnthropicRequest
    const outcome = await proxy(deps.gateway(), deps, {
      op: 'messages',
      body: body.value,
      raw: body.raw,
      model: request.model,
      stream: request.stream === true,
      key: c.get('key'),
      requestId: c.get('requestId'),
      defer: deferrer(c, deps.waitUntil === true),
      surface: anthropicSurface,
      asChat: () => toOpenAIChat(request),
    })
    return send(c, outcome)
  })

  return app
}
