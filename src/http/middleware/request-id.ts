import type { MiddlewareHandler } from 'hono'

const SAFE_ID = /^[\w\-=.:]{1,200}$/

/** Keeps the caller's x-request-id when it is safe to echo, else makes one; respond() sends it. */
export function requestId(
  generate: () => string,
): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async function requestId(c, next) {
    const given = c.req.header('x-request-id')
    c.set('requestId', given !== undefined && SAFE_ID.test(given) ? given : generate())
    await next()
  }
}
