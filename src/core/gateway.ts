import { PROVIDERS } from '../providers/registry.ts'
import type { ProviderAdapter } from '../providers/types.ts'
import type { GatewayConfig, ModelRoute, ProviderConfig } from './gateway-config.ts'
import { anyGlob, globMatcher, isGlob } from './glob.ts'
import { cidrMatcher } from './keys.ts'
import type { KeyRecord, Scope } from './store.ts'
import type { Hasher } from './ports.ts'

export interface GatewayKey {
  /** The store's id for admin-managed keys; `config:<name>` for keys from the config file. */
  id: string
  name: string
  owner?: string | undefined
  tier?: string | undefined
  /** `sha256:<hex>` of the secret; the secret itself is never kept. */
  hash: string
  models: readonly string[]
  mayUse(model: string): boolean
  expiresAt: number | undefined
  enabled: boolean
  scopes: ReadonlySet<Scope>
  /** Undefined when the key may be used from anywhere. */
  allowsIp: ((ip: string | undefined) => boolean) | undefined
  /** The hash before the last rotation, accepted until previousExpiresAt. */
  previousHash?: string | undefined
  previousExpiresAt?: number | undefined
}

/** What config-file keys may do: everything but administer. */
const CONFIG_SCOPES: ReadonlySet<Scope> = new Set<Scope>(['chat', 'embeddings', 'messages'])

/** The admin-managed state the gateway serves from, on top of the config file. */
export interface StoredState {
  providers: { id: string; config: ProviderConfig }[]
  routes: { name: string; route: ModelRoute }[]
  keys: KeyRecord[]
}

export function keyFromRecord(k: KeyRecord): GatewayKey {
  return {
    id: k.id,
    name: k.name,
    owner: k.owner,
    tier: k.tier,
    hash: k.hash,
    models: k.models,
    mayUse: anyGlob(k.models),
    expiresAt: k.expiresAt,
    enabled: k.enabled,
    scopes: new Set(k.scopes),
    allowsIp: cidrMatcher(k.ips),
    previousHash: k.previousHash,
    previousExpiresAt: k.previousExpiresAt,
  }
}

export interface ResolvedTarget {
  providerId: string
  provider: ProviderConfig
  adapter: ProviderAdapter
  /** The model name sent upstream. */
  model: string
}

/** The config compiled once for the hot path: keys by hash, routes resolved without scanning. */
export interface Gateway {
  readonly config: GatewayConfig
  /** When this view was built, in ms (the `created` of /v1/models entries). */
  readonly loadedAt: number
  keyByHash(hash: string): GatewayKey | undefined
  keyById(id: string): GatewayKey | undefined
  /** The ordered targets for a requested model, or undefined when no route matches. */
  resolve(model: string): ResolvedTarget[] | undefined
  /** Listable model names (routes without globs) this key may use. */
  modelsFor(key: GatewayKey): string[]
  /** The route's declared metadata (context window, modalities, pricing), for exact routes. */
  route(model: string): ModelRoute | undefined
}

export async function hashSecret(hasher: Hasher, secret: string): Promise<string> {
  return `sha256:${await hasher.sha256Hex(secret)}`
}

export async function compileGateway(
  fileConfig: GatewayConfig,
  hasher: Hasher,
  loadedAt: number,
  stored: StoredState = { providers: [], routes: [], keys: [] },
): Promise<Gateway> {
  // Admin-managed providers and routes overlay the config file's, by id and name.
  const config: GatewayConfig = {
    ...fileConfig,
    providers: {
      ...fileConfig.providers,
      ...Object.fromEntries(stored.providers.map((p) => [p.id, p.config])),
    },
    models: {
      ...fileConfig.models,
      ...Object.fromEntries(stored.routes.map((r) => [r.name, r.route])),
    },
  }
  const keys = new Map<string, GatewayKey>()
  const byId = new Map<string, GatewayKey>()
  for (const k of fileConfig.keys) {
    const hash = k.hash ?? (await hashSecret(hasher, k.key as string))
    const key: GatewayKey = {
      id: `config:${k.name}`,
      name: k.name,
      hash,
      models: k.models,
      mayUse: anyGlob(k.models),
      expiresAt: k.expiresAt === undefined ? undefined : Date.parse(k.expiresAt),
      enabled: k.enabled,
      scopes: CONFIG_SCOPES,
      allowsIp: undefined,
    }
    keys.set(hash, key)
    byId.set(key.id, key)
  }
  for (const rec of stored.keys) {
    const key = keyFromRecord(rec)
    byId.set(key.id, key)
    keys.set(key.hash, key)
  }

  const target = (providerId: string, model: string): ResolvedTarget => {
    const provider = config.providers[providerId] as ProviderConfig
    return { providerId, provider, adapter: PROVIDERS[provider.type], model }
  }

  const exact = new Map<string, ResolvedTarget[]>()
  const globs: {
    match: (m: string) => boolean
    targets: GatewayConfig['models'][string]['targets']
  }[] = []
  for (const [name, route] of Object.entries(config.models)) {
    if (isGlob(name)) globs.push({ match: globMatcher(name), targets: route.targets })
    else
      exact.set(
        name,
        route.targets.map((t) => target(t.provider, t.model ?? name)),
      )
  }
  const listable = [...exact.keys()]

  return {
    config,
    loadedAt,
    keyByHash: (hash) => keys.get(hash),
    keyById: (id) => byId.get(id),
    resolve(model) {
      const hit = exact.get(model)
      if (hit) return hit
      // `provider/model` reaches any configured provider directly, OpenRouter-style.
      const slash = model.indexOf('/')
      if (slash > 0) {
        const providerId = model.slice(0, slash)
        if (providerId in config.providers) return [target(providerId, model.slice(slash + 1))]
      }
      for (const g of globs) {
        if (g.match(model)) return g.targets.map((t) => target(t.provider, t.model ?? model))
      }
      return undefined
    },
    modelsFor: (key) => listable.filter((m) => key.mayUse(m)),
    route: (model) => (exact.has(model) ? config.models[model] : undefined),
  }
}
