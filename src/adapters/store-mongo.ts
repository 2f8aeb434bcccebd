import { MongoClient, MongoServerError, type Collection, type Db, type Document } from 'mongodb'
import type { UsageEvent } from '../core/ports.ts'
import {
  sortRows,
  type KeyRecord,
  type ProviderRecord,
  type RouteRecord,
  type Store,
  type UsageRow,
} from '../core/store.ts'

// The MongoDB store, through the official driver. One MongoClient per process or isolate
// (mongoClient() below keeps it at module scope on purpose), collections prefixed `sy_`.

type Doc<T> = T & { _id: string }

interface KeyDoc extends Omit<KeyRecord, 'expiresAt' | 'previousExpiresAt' | 'lastUsedAt'> {
  _id: string
  /** Current and previous hash: one unique multikey index covers both. */
  hashes: string[]
  expiresAt?: Date
  previousExpiresAt?: Date
  lastUsedAt?: Date
}

interface UsageDoc extends Omit<UsageEvent, 'at'> {
  at: Date
}

const clients = new Map<string, Promise<MongoClient>>()

/** One connected client per URI for the life of the process (or Worker isolate). */
export function mongoClient(uri: string): Promise<MongoClient> {
  let client = clients.get(uri)
  if (!client) {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 20 }).connect()
    client.catch(() => clients.delete(uri))
    clients.set(uri, client)
  }
  return client
}

function toKeyDoc(k: KeyRecord): KeyDoc {
  const { expiresAt, previousExpiresAt, lastUsedAt, ...rest } = k
  const doc: KeyDoc = {
    ...rest,
    _id: k.id,
    hashes: k.previousHash ? [k.hash, k.previousHash] : [k.hash],
  }
  if (expiresAt !== undefined) doc.expiresAt = new Date(expiresAt)
  if (previousExpiresAt !== undefined) doc.previousExpiresAt = new Date(previousExpiresAt)
  if (lastUsedAt !== undefined) doc.lastUsedAt = new Date(lastUsedAt)
  return doc
}

function fromKeyDoc(d: KeyDoc): KeyRecord {
  const { _id, hashes: _hashes, expiresAt, previousExpiresAt, lastUsedAt, ...rest } = d
  const k: KeyRecord = { ...rest, id: _id }
  if (expiresAt) k.expiresAt = expiresAt.getTime()
  if (previousExpiresAt) k.previousExpiresAt = previousExpiresAt.getTime()
  if (lastUsedAt) k.lastUsedAt = lastUsedAt.getTime()
  for (const f of ['owner', 'previousHash', 'tier'] as const) if (k[f] === null) delete k[f]
  return k
}

const strip = <T extends { _id: string }>(d: T): Omit<T, '_id'> => {
  const { _id: _, ...rest } = d
  return rest
}

export function mongoStore(db: Db, options: { close?: () => Promise<void> } = {}): Store {
  const providers = db.collection<Doc<ProviderRecord>>('sy_providers')
  const routes = db.collection<Doc<RouteRecord>>('sy_routes')
  const keys = db.collection<KeyDoc>('sy_keys')
  const usage = db.collection<UsageDoc>('sy_usage')
  const meta = db.collection<{ _id: string; value: number }>('sy_meta')
  const bump = async (): Promise<void> => {
    await meta.updateOne({ _id: 'version' }, { $inc: { value: 1 } }, { upsert: true })
  }
  const removed = async (
    c: Collection<Doc<ProviderRecord>> | Collection<Doc<RouteRecord>> | Collection<KeyDoc>,
    id: string,
  ): Promise<boolean> => {
    const res = await (c as unknown as Collection<Document>).deleteOne({ _id: id as never })
    if (res.deletedCount > 0) await bump()
    return res.deletedCount > 0
  }

  return {
    listProviders: async () => (await providers.find({}).sort({ _id: 1 }).toArray()).map(strip),
    putProvider: async (rec) => {
      await providers.replaceOne({ _id: rec.id }, rec, { upsert: true })
      await bump()
    },
    deleteProvider: (id) => removed(providers, id),

    listRoutes: async () => (await routes.find({}).sort({ _id: 1 }).toArray()).map(strip),
    putRoute: async (rec) => {
      await routes.replaceOne({ _id: rec.name }, rec, { upsert: true })
      await bump()
    },
    deleteRoute: (name) => removed(routes, name),

    listKeys: async () =>
      (await keys.find({}).sort({ createdAt: 1, _id: 1 }).toArray()).map(fromKeyDoc),
    getKey: async (id) => {
      const d = await keys.findOne({ _id: id })
      return d ? fromKeyDoc(d) : undefined
    },
    findKeyByHash: async (hash) => {
      const d = await keys.findOne({ hashes: hash })
      return d ? fromKeyDoc(d) : undefined
    },
    insertKey: async (rec) => {
      try {
        await keys.insertOne(toKeyDoc(rec))
      } catch (err) {
        if (err instanceof MongoServerError && err.code === 11000) return false
        throw err
      }
      await bump()
      return true
    },
    updateKey: async (rec) => {
      const res = await keys.replaceOne({ _id: rec.id }, toKeyDoc(rec))
      if (res.matchedCount > 0) await bump()
      return res.matchedCount > 0
    },
    deleteKey: (id) => removed(keys, id),
    touchKey: async (id, at) => {
      await keys.updateOne({ _id: id }, { $max: { lastUsedAt: new Date(at) } })
    },

    recordUsage: async (events) => {
      if (events.length === 0) return
      await usage.insertMany(
        events.map((e) => ({ ...e, at: new Date(e.at) })),
        { ordered: false },
      )
    },
    queryUsage: async (q) => {
      const match: Document = { at: { $gte: new Date(q.from), $lt: new Date(q.to) } }
      if (q.key !== undefined) match['key'] = q.key
      if (q.model !== undefined) match['model'] = q.model
      if (q.provider !== undefined) match['provider'] = q.provider
      const id: Document = {}
      if (q.groupBy.includes('key')) id['key'] = '$key'
      if (q.groupBy.includes('model')) id['model'] = '$model'
      if (q.groupBy.includes('provider')) id['provider'] = { $ifNull: ['$provider', ''] }
      if (q.groupBy.includes('day'))
        id['day'] = { $dateToString: { format: '%Y-%m-%d', date: '$at' } }
      const rows = await usage
        .aggregate<Document>([
          { $match: match },
          {
            $group: {
              _id: id,
              requests: { $sum: 1 },
              errors: {
                $sum: {
                  $cond: [
                    { $or: [{ $gte: ['$status', 400] }, { $gt: ['$errorCode', null] }] },
                    1,
                    0,
                  ],
                },
              },
              promptTokens: { $sum: { $ifNull: ['$promptTokens', 0] } },
              completionTokens: { $sum: { $ifNull: ['$completionTokens', 0] } },
              costUsd: { $sum: { $ifNull: ['$costUsd', 0] } },
            },
          },
        ])
        .toArray()
      return sortRows(
        rows.map((r) => {
          const { _id, ...totals } = r as { _id: Record<string, string> } & Omit<
            UsageRow,
            'key' | 'model' | 'provider' | 'day'
          >
          return { ..._id, ...totals } as UsageRow
        }),
      )
    },

    version: async () => (await meta.findOne({ _id: 'version' }))?.value ?? 0,
    async migrate({ usageRetentionDays = 90 } = {}) {
      await keys.createIndexes([
        { key: { hashes: 1 }, name: 'hashes_unique', unique: true },
        // Expired keys leave the collection on their own.
        { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
      ])
      await usage.createIndexes([
        { key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: usageRetentionDays * 86_400 },
        { key: { key: 1, at: 1 }, name: 'key_at' },
        { key: { model: 1, at: 1 }, name: 'model_at' },
      ])
    },
    close: async () => options.close?.(),
  }
}

/** A store on MONGODB_URI: the shared client, the named database, indexes when asked. */
export async function mongoStoreFromUri(uri: string, dbName: string): Promise<Store> {
  const client = await mongoClient(uri)
  return mongoStore(client.db(dbName))
}
