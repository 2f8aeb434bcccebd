import type { UsageEvent } from '../core/ports.ts'
import {
  aggregateUsage,
  type KeyRecord,
  type ProviderRecord,
  type RouteRecord,
  type Store,
} from '../core/store.ts'

const sorted = <T>(items: T[], by: (t: T) => string): T[] =>
  items.sort((a, b) => (by(a) < by(b) ? -1 : 1))

/** Where a memory store keeps its snapshot between runs (a JSON file on Node). */
export interface Persistence {
  load(): string | undefined
  save(text: string): void
}

interface Snapshot {
  providers: ProviderRecord[]
  routes: RouteRecord[]
  keys: KeyRecord[]
}

/**
 * The embedded default store. Usage records are kept in a bounded ring (the newest
 * `usageCapacity`); providers, routes and keys are saved through `persistence` after each change.
 */
export function memoryStore(
  options: { persistence?: Persistence; usageCapacity?: number } = {},
): Store {
  const providers = new Map<string, ProviderRecord>()
  const routes = new Map<string, RouteRecord>()
  const keys = new Map<string, KeyRecord>()
  const usage: UsageEvent[] = []
  const capacity = options.usageCapacity ?? 100_000
  let next = 0
  let version = 0

  const text = options.persistence?.load()
  if (text) {
    const snap = JSON.parse(text) as Snapshot
    for (const p of snap.providers ?? []) providers.set(p.id, p)
    for (const r of snap.routes ?? []) routes.set(r.name, r)
    for (const k of snap.keys ?? []) keys.set(k.id, k)
  }
  // Current and previous hashes -> key id, rebuilt on each (rare) key change.
  const byHash = new Map<string, string>()
  const reindex = (): void => {
    byHash.clear()
    for (const k of keys.values()) {
      byHash.set(k.hash, k.id)
      if (k.previousHash) byHash.set(k.previousHash, k.id)
    }
  }
  reindex()
  const changed = (): void => {
    reindex()
    version++
    const snap: Snapshot = {
      providers: [...providers.values()],
      routes: [...routes.values()],
      keys: [...keys.values()],
    }
    options.persistence?.save(JSON.stringify(snap, null, 2))
  }
  const copy = <T>(v: T): T => structuredClone(v)

  return {
    listProviders: async () => sorted([...providers.values()], (p) => p.id).map(copy),
    putProvider: async (rec) => {
      providers.set(rec.id, copy(rec))
      changed()
    },
    deleteProvider: async (id) => {
      const had = providers.delete(id)
      if (had) changed()
      return had
    },
    listRoutes: async () => sorted([...routes.values()], (r) => r.name).map(copy),
    putRoute: async (rec) => {
      routes.set(rec.name, copy(rec))
      changed()
    },
    deleteRoute: async (name) => {
      const had = routes.delete(name)
      if (had) changed()
      return had
    },
    listKeys: async () =>
      [...keys.values()]
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .map(copy),
    getKey: async (id) => (keys.has(id) ? copy(keys.get(id)) : undefined),
    findKeyByHash: async (hash) => {
      for (const k of keys.values()) if (k.hash === hash || k.previousHash === hash) return copy(k)
      return undefined
    },
    insertKey: async (rec) => {
      for (const k of keys.values())
        if (k.id === rec.id || k.hash === rec.hash || k.previousHash === rec.hash) return false
      keys.set(rec.id, copy(rec))
      changed()
      return true
    },
    updateKey: async (rec) => {
      if (!keys.has(rec.id)) return false
      keys.set(rec.id, copy(rec))
      changed()
      return true
    },
    deleteKey: async (id) => {
      const had = keys.delete(id)
      if (had) changed()
      return had
    },
    touchKey: async (id, at) => {
      const k = keys.get(id)
      // Not a change anyone caches on: no version bump, no save on every use.
      if (k && (k.lastUsedAt ?? 0) < at) k.lastUsedAt = at
    },
    recordUsage: async (events) => {
      // A ring: once full, each record overwrites the oldest in O(1) (no array shifting per request).
      for (const e of events) {
        if (usage.length < capacity) usage.push(e)
        else usage[next] = e
        next = (next + 1) % capacity
      }
    },
    queryUsage: async (q) => aggregateUsage(usage, q),
    version: async () => version,
    migrate: async () => undefined,
    close: async () => undefined,
  }
}
