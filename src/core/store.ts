import type { ModelRoute, ProviderConfig } from './gateway-config.ts'
import type { UsageEvent } from './ports.ts'

// The durable store's port: providers, model routes, gateway keys and usage records. Shaped by
// what the gateway and the admin API need; implemented by a memory store (the embedded default)
// and MongoDB, both held to one contract suite.

export type Scope = 'chat' | 'embeddings' | 'messages' | 'admin'

export interface ProviderRecord {
  id: string
  /** apiKey, when present, is sealed (encrypted) at rest: see the Sealer port. */
  config: ProviderConfig
  updatedAt: number
}

export interface RouteRecord {
  name: string
  route: ModelRoute
  updatedAt: number
}

export interface KeyRecord {
  id: string
  name: string
  owner?: string | undefined
  /** `sha256:<hex>` of the whole key; the key itself is never stored. */
  hash: string
  /** The hash before the last rotation, valid until previousExpiresAt. */
  previousHash?: string | undefined
  previousExpiresAt?: number | undefined
  scopes: Scope[]
  models: string[]
  expiresAt?: number | undefined
  /** CIDR blocks (IPv4 or IPv6) the key may be used from; empty means anywhere. */
  ips: string[]
  enabled: boolean
  tier?: string | undefined
  metadata: Record<string, string>
  createdAt: number
  lastUsedAt?: number | undefined
}

export interface UsageQuery {
  from: number
  to: number
  key?: string | undefined
  model?: string | undefined
  provider?: string | undefined
  groupBy: ('key' | 'model' | 'provider' | 'day')[]
}

export interface UsageRow {
  key?: string
  model?: string
  provider?: string
  /** YYYY-MM-DD (UTC). */
  day?: string
  requests: number
  errors: number
  promptTokens: number
  completionTokens: number
  costUsd: number
}

export interface Store {
  listProviders(): Promise<ProviderRecord[]>
  putProvider(rec: ProviderRecord): Promise<void>
  deleteProvider(id: string): Promise<boolean>

  listRoutes(): Promise<RouteRecord[]>
  putRoute(rec: RouteRecord): Promise<void>
  deleteRoute(name: string): Promise<boolean>

  listKeys(): Promise<KeyRecord[]>
  getKey(id: string): Promise<KeyRecord | undefined>
  /** Finds a key by its current or (still valid or not) previous hash. */
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>
  /** Inserts a new key; false when its id or hash is taken. */
  insertKey(rec: KeyRecord): Promise<boolean>
  /** Replaces a key's record; false when there is no such key. */
  updateKey(rec: KeyRecord): Promise<boolean>
  deleteKey(id: string): Promise<boolean>
  /** Marks a key used at `at` (monotonic: never moves lastUsedAt back). */
  touchKey(id: string, at: number): Promise<void>

  recordUsage(events: readonly UsageEvent[]): Promise<void>
  queryUsage(q: UsageQuery): Promise<UsageRow[]>

  /** A counter that moves on every change to providers, routes or keys (cache invalidation). */
  version(): Promise<number>
  /** Creates indexes (idempotent). */
  migrate(options?: { usageRetentionDays?: number }): Promise<void>
  close(): Promise<void>
}

/** Groups usage events into rows: the one aggregation both stores must agree on. */
export function aggregateUsage(events: readonly UsageEvent[], q: UsageQuery): UsageRow[] {
  const rows = new Map<string, UsageRow>()
  for (const e of events) {
    if (e.at < q.from || e.at >= q.to) continue
    if (q.key !== undefined && e.key !== q.key) continue
    if (q.model !== undefined && e.model !== q.model) continue
    if (q.provider !== undefined && e.provider !== q.provider) continue
    const row: UsageRow = {
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
    }
    if (q.groupBy.includes('key')) row.key = e.key
    if (q.groupBy.includes('model')) row.model = e.model
    if (q.groupBy.includes('provider')) row.provider = e.provider ?? ''
    if (q.groupBy.includes('day')) row.day = new Date(e.at).toISOString().slice(0, 10)
    const id = JSON.stringify([row.key, row.model, row.provider, row.day])
    const acc = rows.get(id) ?? row
    acc.requests++
    if (e.status >= 400 || e.errorCode !== undefined) acc.errors++
    acc.promptTokens += e.promptTokens ?? 0
    acc.completionTokens += e.completionTokens ?? 0
    acc.costUsd += e.costUsd ?? 0
    rows.set(id, acc)
  }
  return sortRows([...rows.values()])
}

export function sortRows(rows: UsageRow[]): UsageRow[] {
  const k = (r: UsageRow): string =>
    [r.day ?? '', r.key ?? '', r.model ?? '', r.provider ?? ''].join('\u0000')
  return rows.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0))
}
