import { compileGateway, type Gateway, type StoredState } from './gateway.ts'
import type { GatewayConfig, ProviderConfig } from './gateway-config.ts'
import type { Clock, Hasher, Logger, Sealer } from './ports.ts'
import type { Store } from './store.ts'

export interface StateDeps {
  store: Store
  hasher: Hasher
  clock: Clock
  logger: Logger
  sealer: Sealer | undefined
  /** For `${NAME}` references in admin-stored provider credentials. */
  env: Readonly<Record<string, string | undefined>>
}

const REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/

/**
 * The gateway's view of config file + store, compiled once and swapped whole. The hot path reads
 * it synchronously; `poll` checks the store's version at most every `reloadMs` in the background,
 * and the admin API calls `refresh` after each change, so changes apply at once on the instance
 * that made them and within `reloadMs` everywhere else.
 */
export class GatewayState {
  #current: Gateway
  #version: number
  #checkedAt: number
  #pending: Promise<void> | undefined
  readonly #file: GatewayConfig
  readonly #deps: StateDeps
  readonly #reloadMs: number

  private constructor(
    file: GatewayConfig,
    deps: StateDeps,
    reloadMs: number,
    gw: Gateway,
    version: number,
  ) {
    this.#file = file
    this.#deps = deps
    this.#reloadMs = reloadMs
    this.#current = gw
    this.#version = version
    this.#checkedAt = deps.clock.now()
  }

  static async create(
    file: GatewayConfig,
    deps: StateDeps,
    reloadMs = 5_000,
  ): Promise<GatewayState> {
    const version = await deps.store.version()
    const gw = await compileGateway(file, deps.hasher, deps.clock.now(), await load(deps))
    return new GatewayState(file, deps, reloadMs, gw, version)
  }

  get file(): GatewayConfig {
    return this.#file
  }

  get(): Gateway {
    return this.#current
  }

  /** Cheap per-request check; returns the background work, if any, for the runtime to keep alive. */
  poll(): Promise<void> | undefined {
    const now = this.#deps.clock.now()
    if (this.#pending || now - this.#checkedAt < this.#reloadMs) return undefined
    this.#checkedAt = now
    this.#pending = this.#deps.store
      .version()
      .then((v) => (v !== this.#version ? this.refresh() : undefined))
      .catch((err: unknown) =>
        this.#deps.logger.error('config reload failed', { err: String(err) }),
      )
      .finally(() => (this.#pending = undefined))
    return this.#pending
  }

  async refresh(): Promise<void> {
    const version = await this.#deps.store.version()
    const gw = await compileGateway(
      this.#file,
      this.#deps.hasher,
      this.#deps.clock.now(),
      await load(this.#deps),
    )
    this.#current = gw
    this.#version = version
    this.#checkedAt = this.#deps.clock.now()
  }
}

/** Resolves a stored credential: sealed values are opened, `${NAME}` read from the environment. */
export async function openCredential(
  value: string,
  deps: Pick<StateDeps, 'sealer' | 'env'>,
): Promise<string> {
  const ref = REF.exec(value)
  if (ref) return deps.env[ref[1] as string] ?? ''
  if (value.startsWith('enc:')) {
    if (!deps.sealer)
      throw new Error(
        'a stored provider credential is encrypted, but SWITCHYARD_ENCRYPTION_KEY is not set',
      )
    return deps.sealer.open(value)
  }
  return value
}

async function load(deps: StateDeps): Promise<StoredState> {
  const [providers, routes, keys] = await Promise.all([
    deps.store.listProviders(),
    deps.store.listRoutes(),
    deps.store.listKeys(),
  ])
  const opened = await Promise.all(
    providers.map(async (p) => {
      const config: ProviderConfig = { ...p.config }
      if (config.apiKey !== undefined) config.apiKey = await openCredential(config.apiKey, deps)
      return { id: p.id, config }
    }),
  )
  return { providers: opened, routes, keys }
}

/** Marks keys used at most once per `everyMs` per instance: last-used stays off the hot path. */
export function keyToucher(
  store: Store,
  clock: Clock,
  everyMs = 60_000,
): (id: string) => Promise<void> | undefined {
  const last = new Map<string, number>()
  return (id) => {
    const now = clock.now()
    if (now - (last.get(id) ?? -Infinity) < everyMs) return undefined
    if (last.size > 100_000) last.clear()
    last.set(id, now)
    return store.touchKey(id, now)
  }
}
