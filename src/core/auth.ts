import { GatewayError } from './errors.ts'
import { hashSecret, type Gateway, type GatewayKey, type ResolvedTarget } from './gateway.ts'
import type { Hasher } from './ports.ts'

export type KeyCheck =
  | { ok: true; key: GatewayKey }
  | { ok: false; code: 'missing_api_key' | 'invalid_api_key' | 'key_expired' | 'key_disabled' }

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

/**
 * Checks a presented gateway key. Secrets are compared by looking up their SHA-256: an attacker
 * timing the lookup learns about hashes of their own guesses, never about a stored secret.
 */
export async function checkKey(
  gateway: Gateway,
  hasher: Hasher,
  secret: string | undefined,
  now: number,
): Promise<KeyCheck> {
  if (!secret) return { ok: false, code: 'missing_api_key' }
  const key = gateway.keyByHash(await hashOf(hasher, secret))
  if (!key) return { ok: false, code: 'invalid_api_key' }
  if (!key.enabled) return { ok: false, code: 'key_disabled' }
  if (key.expiresAt !== undefined && now >= key.expiresAt) return { ok: false, code: 'key_expired' }
  return { ok: true, key }
}

const KEY_MESSAGES: Record<Exclude<KeyCheck, { ok: true }>['code'], string> = {
  missing_api_key: 'You did not provide a gateway key. Send it as "Authorization: Bearer <key>".',
  invalid_api_key: 'The gateway key you provided is not valid.',
  key_expired: 'The gateway key you provided has expired.',
  key_disabled: 'The gateway key you provided has been disabled.',
}

export function keyError(code: Exclude<KeyCheck, { ok: true }>['code']): GatewayError {
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
