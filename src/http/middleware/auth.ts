import type { MiddlewareHandler } from 'hono'
import { checkKey, keyError } from '../../core/auth.ts'
import type { Gateway, GatewayKey } from '../../core/gateway.ts'
import type { Clock, Hasher } from '../../core/ports.ts'
import { errorResponse } from '../errors.ts'

export interface AuthOptions {
  gateway: () => Gateway
  hasher: Hasher
  clock: Clock
  /** Also accept the key as `x-api-key` (Anthropic's header). */
  apiKeyHeader?: boolean
}

function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined
  const space = authorization.indexOf(' ')
  if (space === -1 || authorization.slice(0, space).toLowerCase() !== 'bearer') return undefined
  return authorization.slice(space + 1).trim() || undefined
}

/** Authenticates the caller's gateway key and puts it on the context as `key`. */
export function gatewayAuth(
  options: AuthOptions,
): MiddlewareHandler<{ Variables: { key: GatewayKey } }> {
  const { gateway, hasher, clock, apiKeyHeader = false } = options
  return async function gatewayAuth(c, next) {
    let secret = presentedKey(c.req.header('authorization'))
    if (secret === undefined && apiKeyHeader) secret = c.req.header('x-api-key') || undefined
    const check = await checkKey(gateway(), hasher, secret, clock.now())
    if (!check.ok) return errorResponse(c, keyError(check.code))
    c.set('key', check.key)
    await next()
  }
}
