import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { GatewayError } from '../../core/errors.ts'
import { errorResponse } from '../errors.ts'

/**
 * 413 for bodies over `maxBytes`. A declared Content-Length is checked from the header alone;
 * chunked bodies go through Hono's bodyLimit, which counts them as they stream in.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new Error('limitBody: maxBytes must be a positive integer')
  const tooLarge = (c: Parameters<MiddlewareHandler>[0]): Response =>
    errorResponse(
      c,
      new GatewayError(
        'payload_too_large',
        `The request body is larger than the ${maxBytes} bytes this gateway accepts.`,
      ),
    )
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge })
  return async function limitBody(c, next) {
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(length) > maxBytes ? tooLarge(c) : next()
    }
    return streaming(c, next)
  }
}
