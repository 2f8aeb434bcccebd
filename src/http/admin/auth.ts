import type { MiddlewareHandler } from 'hono'
import { verify, verifyWithJwks } from 'hono/utils/jwt/jwt'
import { checkKey } from '../../core/auth.ts'
import { GatewayError } from '../../core/errors.ts'
import { constantTimeEqual } from '../../core/keys.ts'
import type { AppDeps } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { presentedKey } from '../middleware/auth.ts'

/**
 * Admin callers present, as a bearer token, one of: SWITCHYARD_ADMIN_TOKEN; a JWT signed with
 * SWITCHYARD_ADMIN_JWT_SECRET (HS256) or by a key in SWITCHYARD_ADMIN_JWKS_URL; or a gateway key
 * with the `admin` scope. With none configured, only such admin gateway keys get in.
 */
export function adminAuth(deps: AppDeps): MiddlewareHandler {
  const { token, jwtSecret, jwksUrl } = deps.admin
  const refuse = (message: string) => new GatewayError('admin_unauthorized', message)
  return async function adminAuth(c, next) {
    const bearer = presentedKey(c.req.header('authorization'))
    if (!bearer)
      return errorResponse(c, refuse('Send admin credentials as "Authorization: Bearer <token>".'))
    if (token && constantTimeEqual(bearer, token)) return next()
    if (bearer.split('.').length === 3 && (jwtSecret || jwksUrl)) {
      try {
        if (jwtSecret) await verify(bearer, jwtSecret, 'HS256')
        else
          await verifyWithJwks(bearer, {
            jwks_uri: jwksUrl as string,
            allowedAlgorithms: ['RS256', 'ES256', 'EdDSA'],
          })
        return next()
      } catch {
        return errorResponse(c, refuse('The admin token is not a valid, unexpired JWT.'))
      }
    }
    const key = await checkKey(deps.gateway(), deps.hasher, bearer, deps.clock.now(), {
      ip: deps.clientIp(c),
      scope: 'admin',
    })
    if (key.ok) return next()
    return errorResponse(c, refuse('The admin credentials are not valid.'))
  }
}
