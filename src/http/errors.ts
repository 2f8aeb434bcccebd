import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { GatewayError, openAIErrorBody } from '../core/errors.ts'
import type { Logger } from '../core/ports.ts'
import { anthropicErrorBody } from '../providers/anthropic/surface.ts'
import { respond } from './respond.ts'

const JSON_TYPE = 'application/json'

/** Renders a GatewayError in the caller's API: Anthropic's envelope on /v1/messages, else OpenAI's. */
export function errorResponse(c: Context, err: GatewayError): Response {
  if (c.get('flavor') === 'anthropic') {
    // Anthropic's SDKs read the request id from `request-id`.
    const headers = {
      'content-type': JSON_TYPE,
      'request-id': c.get('requestId') as string,
      ...err.headers,
    }
    return respond(c, anthropicErrorBody(err), err.status, headers)
  }
  return respond(c, openAIErrorBody(err), err.status, { 'content-type': JSON_TYPE, ...err.headers })
}

function fromUnknown(err: unknown): GatewayError | undefined {
  if (err instanceof GatewayError) return err
  if (err instanceof HTTPException) {
    if (err.status === 413)
      return new GatewayError('payload_too_large', 'The request body is too large.')
    if (err.status < 500)
      return new GatewayError('invalid_request', err.message || 'Bad request.', {
        status: err.status,
      })
  }
  return undefined
}

/** The one error handler: known errors in the envelope, anything else a 500 with no stack trace. */
export function onError(logger: Logger): ErrorHandler {
  return function gatewayOnError(err, c) {
    const known = fromUnknown(err)
    if (known) return errorResponse(c, known)
    logger.error('unhandled error', {
      requestId: c.get('requestId'),
      path: c.req.path,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    })
    return errorResponse(
      c,
      new GatewayError('internal_error', 'The gateway hit an internal error.'),
    )
  }
}

export const notFound: NotFoundHandler = (c) =>
  errorResponse(
    c,
    new GatewayError('not_found', `Invalid URL (${c.req.method} ${c.req.path}).`, {
      publicCode: null,
    }),
  )
