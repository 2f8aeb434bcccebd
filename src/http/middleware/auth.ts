import type { MiddlewareHandler } from 'hono'
import { checkKey, keyError } from '../../core/auth.ts'
import { limitError } from '../../core/limits.ts'
import type { GatewayKey } from '../../core/gateway.ts'
import type { Scope } from '../../core/store.ts'
import type { AppDeps } from '../app.ts'
import { errorResponse } from '../errors.ts'
import { deferrer } from '../routes/shared.ts'

const SCOPES: Record<string, Scope> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
}

export function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined
  const space = authorization.indexOf(' ')
  if (space === -1 || authorization.slice(0, space).toLowerCase() !== 'bearer') return undefined
  return authorization.slice(space + 1).trim() || undefined
}

/** Authenticates the caller's gateway key and puts it on the context as `key`. */
export function gatewayAuth(
  deps: Pick<
    AppDeps,
    'waitUntil' | 'gateway' | 'hasher' | 'clock' | 'state' | 'clientIp' | 'touchKey' | 'limits'
  >,
): MiddlewareHandler<{ Variables: { key: GatewayKey; flavor?: 'anthropic' } }> {
  const { gateway, hasher, clock, state, clientIp, touchKey, limits, waitUntil } = deps
  const ipRule = limits?.ipRule()
  return async function gatewayAuth(c, next) {
    const reload = state.poll()
    if (reload) deferrer(c, waitUntil === true)(reload)
    let secret = presentedKey(c.req.header('authorization'))
    // Anthropic's clients send the key as x-api-key.
    if (secret === undefined && c.get('flavor') === 'anthropic') {
      secret = c.req.header('x-api-key') || undefined
    }
    const ctx = { ip: clientIp(c), scope: SCOPES[c.req.path] }
    const check = await checkKey(gateway(), hasher, secret, clock.now(), ctx)
    if (!check.ok) {
      // Brute-force protection: failed and anonymous attempts count against the caller's IP.
      if (ipRule && limits) {
        const subject = `ip:${ctx.ip ?? 'unknown'}`
        const decision = await limits.check(ipRule, subject, 1)
        if (!decision.allowed)
          return errorResponse(
            c,
            limitError({ rule: ipRule, subject, cost: 1, decision }, clock.now(), {}),
          )
      }
      return errorResponse(c, keyError(check.code))
    }
    c.set('key', check.key)
    if (!check.key.id.startsWith('config:')) {
      const touched = touchKey(check.key.id)
      if (touched) deferrer(c, waitUntil === true)(touched.catch(() => undefined))
    }
    await next()
  }
}
