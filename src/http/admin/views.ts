import { GatewayError } from '../../core/errors.ts'
import type { ModelRoute, ProviderConfig } from '../../core/gateway-config.ts'
import type { Sealer } from '../../core/ports.ts'
import type { KeyRecord } from '../../core/store.ts'

// What the admin API shows of stored records: never a credential, never a key hash.

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString()

export function providerView(id: string, p: ProviderConfig, admin: boolean) {
  const { apiKey, ...rest } = p
  return {
    id,
    ...rest,
    apiKeySet: apiKey !== undefined && apiKey !== '',
    source: admin ? ('admin' as const) : ('config' as const),
  }
}

export function routeView(name: string, route: ModelRoute, admin: boolean) {
  return { name, route, source: admin ? ('admin' as const) : ('config' as const) }
}

export function keyView(k: KeyRecord, now: number) {
  const graceLeft = k.previousHash !== undefined && (k.previousExpiresAt ?? 0) > now
  return {
    id: k.id,
    name: k.name,
    owner: k.owner ?? null,
    scopes: k.scopes,
    models: k.models,
    expiresAt: iso(k.expiresAt),
    ips: k.ips,
    enabled: k.enabled,
    tier: k.tier ?? null,
    metadata: k.metadata,
    createdAt: iso(k.createdAt) as string,
    lastUsedAt: iso(k.lastUsedAt),
    previousKeyValidUntil: graceLeft ? iso(k.previousExpiresAt) : null,
  }
}

const ENV_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/

/** Encrypts a provider's credential for storage; refuses plaintext when there is no key to encrypt with. */
export async function sealCredential(
  config: ProviderConfig,
  sealer: Sealer | undefined,
): Promise<{ ok: true; config: ProviderConfig } | { ok: false; error: GatewayError }> {
  const apiKey = config.apiKey
  if (apiKey === undefined || apiKey === '' || ENV_REF.test(apiKey)) return { ok: true, config }
  if (!sealer) {
    const msg =
      'Set SWITCHYARD_ENCRYPTION_KEY to store provider credentials encrypted, or give apiKey as ${ENV_VAR}.'
    return { ok: false, error: new GatewayError('invalid_request', msg, { param: 'apiKey' }) }
  }
  return { ok: true, config: { ...config, apiKey: await sealer.seal(apiKey) } }
}

export function validateRoute(
  route: ModelRoute,
  providers: Record<string, ProviderConfig>,
): GatewayError | undefined {
  const i = route.targets.findIndex((t) => !(t.provider in providers))
  if (i === -1) return undefined
  const provider = route.targets[i]?.provider
  return new GatewayError(
    'invalid_request',
    `targets.${i}.provider: unknown provider "${provider}"`,
    { param: `targets.${i}.provider` },
  )
}
