import type { MiddlewareHandler } from 'hono'
import { checkKey, keyError } from '../../core/auth.ts'
import type { Gateway, GatewayKey } from '../../core/gateway.ts'
import type { Clock, Hasher } from '../../core/ports.ts'
import { errorResponse } from '../errors.ts'

export interface AuthOptions {
  gateway: () => Gateway
  hasher: Hasher
  clock: Clock
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
): MiddlewareHandler<{ Variables: { key: GatewayKey; flavor?: 'anthropic' } }> {
  const { gateway, hasher, clock } = options
  return async function gatewayAuth(c, next) {
    let secret = presentedKey(c.req.header('authorization'))
    // Anthropic's clients send the key as x-api-key.
    if (secret === undefined && c.get('flavor') === 'anthropic') {
      secret = c.req.header('x-api-key') || undefined
    }
    const check = await checkKey(gateway(), hasher, secret, clock.now())
    if (!check.ok) return errorResponse(c, keyError(check.code))
    c.set('key', check.key)
    await next()
  }
}
