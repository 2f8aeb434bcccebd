import { GatewayError } from './errors.ts'
import { hashSecret, type Gateway, type GatewayKey, type ResolvedTarget } from './gateway.ts'
import { constantTimeEqual, keyIdOf } from './keys.ts'
import type { Hasher } from './ports.ts'
import type { Scope } from './store.ts'

// Callers present the same few keys over and over: remember their hashes (bounded, so a flood of
// random keys costs a clear now and then, never memory).
const hashes = new Map<string, string>()

async function hashOf(hasher: Hasher, secret: string): Promise<string> {
  const hit = hashes.get(secret)
  if (hit !== undefined) return hit
  const hash = await hashSecret(hasher, secret)
  if (hashes.size >= 10_000) hashes.clear()
  hashes.set(secret, hash)
  return hash
}

type KeyFailure =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'key_expired'
  | 'key_disabled'
  | 'key_rotated'
  | 'ip_not_allowed'
  | 'scope_not_allowed'

export type KeyCheck = { ok: true; key: GatewayKey } | { ok: false; code: KeyFailure }

export interface KeyContext {
  /** The caller's address, for keys with an IP allowlist. */
  ip?: string | undefined
  /** What the request needs the key to be allowed to do. */
  scope?: Scope | undefined
}

/**
 * Checks a presented gateway key. Formatted keys (sk-sy-<id>-<secret>) are found by id and their
 * SHA-256 compared in constant time, against the current hash and, during a rotation's grace
 * period, the previous one. Other keys (from the config file) are found by their SHA-256: timing
 * a lookup then tells an attacker about hashes of their own guesses, never about a stored secret.
 */
export async function checkKey(
  gateway: Gateway,
  hasher: Hasher,
  secret: string | undefined,
  now: number,
  ctx: KeyContext = {},
): Promise<KeyCheck> {
  if (!secret) return { ok: false, code: 'missing_api_key' }
  const hash = await hashOf(hasher, secret)
  const id = keyIdOf(secret)
  let key: GatewayKey | undefined
  if (id !== undefined) {
    const found = gateway.keyById(id)
    if (found && constantTimeEqual(hash, found.hash)) key = found
    else if (found?.previousHash && constantTimeEqual(hash, found.previousHash)) {
      if (now >= (found.previousExpiresAt ?? 0)) return { ok: false, code: 'key_rotated' }
      key = found
    }
  } else {
    key = gateway.keyByHash(hash)
  }
  if (!key) return { ok: false, code: 'invalid_api_key' }
  if (!key.enabled) return { ok: false, code: 'key_disabled' }
  if (key.expiresAt !== undefined && now >= key.expiresAt) return { ok: false, code: 'key_expired' }
  if (key.allowsIp && !key.allowsIp(ctx.ip)) return { ok: false, code: 'ip_not_allowed' }
  if (ctx.scope !== undefined && !key.scopes.has(ctx.scope))
    return { ok: false, code: 'scope_not_allowed' }
  return { ok: true, key }
}

const KEY_MESSAGES: Record<KeyFailure, string> = {
  missing_api_key: 'You did not provide a gateway key. Send it as "Authorization: Bearer <key>".',
  invalid_api_key: 'The gateway key you provided is not valid.',
  key_expired: 'The gateway key you provided has expired.',
  key_disabled: 'The gateway key you provided has been disabled.',
  key_rotated: 'The gateway key you provided has been rotated and its grace period is over.',
  ip_not_allowed: 'This gateway key may not be used from your IP address.',
  scope_not_allowed: 'This gateway key may not be used for this endpoint.',
}

export function keyError(code: KeyFailure): GatewayError {
  return new GatewayError(code, KEY_MESSAGES[code])
}

/** The targets for a model, or why this key may not reach it (403 before 404, so a key learns
 * nothing about models outside its allowlist). */
export function routeForKey(
  gateway: Gateway,
  key: GatewayKey,
  model: string,
): { ok: true; targets: ResolvedTarget[] } | { ok: false; error: GatewayError } {
  if (!key.mayUse(model)) {
    const msg = `This gateway key may not use the model '${model}'.`
    return { ok: false, error: new GatewayError('model_not_allowed', msg, { param: 'model' }) }
  }
  const targets = gateway.resolve(model)
  if (!targets) {
    const msg = `The model '${model}' does not exist or is not served by this gateway.`
    return { ok: false, error: new GatewayError('model_not_found', msg, { param: 'model' }) }
  }
  return { ok: true, targets }
}
