import { BSON, type Document } from 'bson'
import { aggregate, find, update } from 'mingo'
import { createServer, type Server, type Socket } from 'node:net'

// A loopback stand-in for a MongoDB server, for CI machines that cannot install one. It speaks
// the wire protocol (OP_MSG, and OP_QUERY/OP_REPLY for the legacy handshake) and implements
// only the commands our store sends, with mingo for query, update and aggregation semantics and
// unique indexes enforced. It is a test double: the README says plainly that CI checks the
// MongoDB adapter against it, not against a real server.

const OP_REPLY = 1
const OP_QUERY = 2004
const OP_MSG = 2013

interface Index {
  name: string
  key: Record<string, number>
  unique: boolean
}

interface Coll {
  docs: Document[]
  indexes: Index[]
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at)
  return [buf.toString('utf8', at, end), end + 1]
}

function frame(requestId: number, responseTo: number, opCode: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16)
  header.writeInt32LE(16 + payload.length, 0)
  header.writeInt32LE(requestId, 4)
  header.writeInt32LE(responseTo, 8)
  header.writeInt32LE(opCode, 12)
  return Buffer.concat([header, payload])
}

const dupKey = (coll: string, index: Index, value: unknown): Document => ({
  code: 11000,
  errmsg: `E11000 duplicate key error collection: ${coll} index: ${index.name} dup key: ${JSON.stringify(value)}`,
})

export class MongoStandIn {
  readonly #dbs = new Map<string, Map<string, Coll>>()
  readonly #sockets = new Set<Socket>()
  #server: Server | undefined
  #nextId = 1
  uri = ''
  /** Every command name received, in order (for asserting what the driver sent). */
  readonly commands: string[] = []

  async start(): Promise<this> {
    this.#server = createServer((socket) => this.#serve(socket))
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve))
    const { port } = this.#server.address() as { port: number }
    this.uri = `mongodb://127.0.0.1:${port}/?directConnection=true`
    return this
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    )
  }

  #coll(db: string, name: string): Coll {
    let d = this.#dbs.get(db)
    if (!d) this.#dbs.set(db, (d = new Map()))
    let c = d.get(name)
    if (!c)
      d.set(name, (c = { docs: [], indexes: [{ name: '_id_', key: { _id: 1 }, unique: true }] }))
    return c
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0)
        const msg = buf.subarray(0, len)
        buf = buf.subarray(len)
        const reply = this.#message(msg)
        if (reply) socket.write(reply)
      }
    })
  }

  #message(msg: Buffer): Buffer | undefined {
    const requestId = msg.readInt32LE(4)
    const opCode = msg.readInt32LE(12)
    if (opCode === OP_QUERY) {
      let at = 20
      const [ns, next] = cstring(msg, at)
      at = next + 8
      const query = BSON.deserialize(msg.subarray(at, at + msg.readInt32LE(at)))
      const body = this.#command(ns.split('.')[0] ?? 'admin', query.$query ?? query)
      const doc = BSON.serialize(body)
      const head = Buffer.alloc(20)
      head.writeInt32LE(0, 0)
      head.writeBigInt64LE(0n, 4)
      head.writeInt32LE(0, 12)
      head.writeInt32LE(1, 16)
      return frame(this.#nextId++, requestId, OP_REPLY, Buffer.concat([head, doc]))
    }
    if (opCode !== OP_MSG) return undefined
    let at = 20
    let body: Document = {}
    while (at < msg.length) {
      const kind = msg.readUInt8(at)
      at++
      if (kind === 0) {
        const size = msg.readInt32LE(at)
        body = BSON.deserialize(msg.subarray(at, at + size))
        at += size
      } else {
        const size = msg.readInt32LE(at)
        const end = at + size
        const [id, next] = cstring(msg, at + 4)
        const docs: Document[] = []
        for (let p = next; p < end; p += msg.readInt32LE(p))
          docs.push(BSON.deserialize(msg.subarray(p, p + msg.readInt32LE(p))))
        body[id] = docs
        at = end
      }
    }
    const reply = this.#command(String(body['$db'] ?? 'admin'), body)
    const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), BSON.serialize(reply)])
    return frame(this.#nextId++, requestId, OP_MSG, payload)
  }

  #command(db: string, cmd: Document): Document {
    const name = Object.keys(cmd)[0] ?? ''
    this.commands.push(name)
    try {
      return { ...this.#run(db, name, cmd), ok: 1 }
    } catch (err) {
      return { ok: 0, errmsg: (err as Error).message, code: 59, codeName: 'CommandNotFound' }
    }
  }

  #run(db: string, name: string, cmd: Document): Document {
    switch (name.toLowerCase()) {
      case 'hello':
      case 'ismaster':
        return {
          helloOk: true,
          ismaster: true,
          isWritablePrimary: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          logicalSessionTimeoutMinutes: 30,
          connectionId: this.#nextId,
          minWireVersion: 0,
          maxWireVersion: 21,
          readOnly: false,
        }
      case 'ping':
      case 'endsessions':
      case 'killcursors':
        return {}
      case 'buildinfo':
        return { version: '7.0.0-standin', versionArray: [7, 0, 0, 0] }
      case 'insert':
        return this.#insert(db, cmd['insert'] as string, cmd['documents'] as Document[])
      case 'find': {
        const c = this.#coll(db, cmd['find'] as string)
        let cursor = find(
          c.docs,
          (cmd['filter'] as Document) ?? {},
          cmd['projection'] as Document | undefined,
        )
        if (cmd['sort']) cursor = cursor.sort(cmd['sort'] as Record<string, 1 | -1>)
        if (cmd['skip']) cursor = cursor.skip(cmd['skip'] as number)
        if (cmd['limit']) cursor = cursor.limit(Math.abs(cmd['limit'] as number))
        return {
          cursor: {
            id: 0n,
            ns: `${db}.${cmd['find']}`,
            firstBatch: cursor.all().map((d) => structuredClone(d)),
          },
        }
      }
      case 'aggregate': {
        const c = this.#coll(db, cmd['aggregate'] as string)
        const out = aggregate(c.docs, cmd['pipeline'] as Document[])
        return { cursor: { id: 0n, ns: `${db}.${cmd['aggregate']}`, firstBatch: out } }
      }
      case 'update':
        return this.#update(db, cmd['update'] as string, cmd['updates'] as Document[])
      case 'delete': {
        const c = this.#coll(db, cmd['delete'] as string)
        let n = 0
        for (const d of cmd['deletes'] as Document[]) {
          const hits = find(c.docs, d['q'] as Document).all()
          for (const hit of d['limit'] === 1 ? hits.slice(0, 1) : hits) {
            c.docs.splice(c.docs.indexOf(hit), 1)
            n++
          }
        }
        return { n }
      }
      case 'createindexes': {
        const c = this.#coll(db, cmd['createIndexes'] as string)
        const before = c.indexes.length
        for (const spec of cmd['indexes'] as Document[]) {
          if (!c.indexes.some((i) => i.name === spec['name'])) {
            c.indexes.push({
              name: spec['name'] as string,
              key: spec['key'] as Record<string, number>,
              unique: spec['unique'] === true,
            })
          }
        }
        return {
          numIndexesBefore: before,
          numIndexesAfter: c.indexes.length,
          createdCollectionAutomatically: false,
        }
      }
      case 'listindexes': {
        const c = this.#coll(db, cmd['listIndexes'] as string)
        return {
          cursor: {
            id: 0n,
            ns: `${db}.${cmd['listIndexes']}`,
            firstBatch: c.indexes.map((i) => ({
              v: 2,
              key: i.key,
              name: i.name,
              ...(i.unique ? { unique: true } : {}),
            })),
          },
        }
      }
      case 'drop':
        this.#dbs.get(db)?.delete(cmd['drop'] as string)
        return {}
      case 'dropdatabase':
        this.#dbs.delete(db)
        return {}
      default:
        throw new Error(
          `no such command: '${name}' (the stand-in implements only what the store sends)`,
        )
    }
  }

  /** The first unique-index clash `doc` would cause in `c`, if any. */
  #clash(collName: string, c: Coll, doc: Document, except?: Document): Document | undefined {
    for (const index of c.indexes.filter((i) => i.unique)) {
      const field = Object.keys(index.key)[0] as string
      const values = ([] as unknown[]).concat(doc[field] ?? [])
      for (const other of c.docs) {
        if (other === except) continue
        const theirs = ([] as unknown[]).concat(other[field] ?? [])
        const dup = values.find((v) => theirs.some((t) => JSON.stringify(t) === JSON.stringify(v)))
        if (dup !== undefined) return dupKey(collName, index, dup)
      }
    }
    return undefined
  }

  #insert(db: string, name: string, docs: Document[]): Document {
    const c = this.#coll(db, name)
    const writeErrors: Document[] = []
    let n = 0
    docs.forEach((doc, index) => {
      const clash = this.#clash(`${db}.${name}`, c, doc)
      if (clash) writeErrors.push({ index, ...clash })
      else {
        c.docs.push(structuredClone(doc))
        n++
      }
    })
    return writeErrors.length ? { n, writeErrors } : { n }
  }

  #update(db: string, name: string, updates: Document[]): Document {
    const c = this.#coll(db, name)
    let n = 0
    let nModified = 0
    const upserted: Document[] = []
    const writeErrors: Document[] = []
    updates.forEach((u, index) => {
      const q = u['q'] as Document
      const mod = u['u'] as Document
      const replacement = !Object.keys(mod).some((k) => k.startsWith('$'))
      const hits = find(c.docs, q).all()
      const targets = u['multi'] ? hits : hits.slice(0, 1)
      for (const doc of targets) {
        const next = replacement
          ? { ...structuredClone(mod), _id: doc['_id'] }
          : structuredClone(doc)
        if (!replacement) update(next, mod as never)
        const clash = this.#clash(`${db}.${name}`, c, next, doc)
        if (clash) {
          writeErrors.push({ index, ...clash })
          continue
        }
        c.docs[c.docs.indexOf(doc)] = next
        n++
        nModified++
      }
      if (targets.length === 0 && u['upsert']) {
        const eq = Object.fromEntries(
          Object.entries(q).filter(
            ([k, v]) => !k.startsWith('$') && (v === null || typeof v !== 'object'),
          ),
        )
        const doc: Document = replacement ? { ...eq, ...structuredClone(mod) } : { ...eq }
        if (!replacement) update(doc, mod as never)
        const clash = this.#clash(`${db}.${name}`, c, doc)
        if (clash) {
          writeErrors.push({ index, ...clash })
          return
        }
        c.docs.push(doc)
        upserted.push({ index, _id: doc['_id'] })
        n++
      }
    })
    return {
      n,
      nModified,
      ...(upserted.length ? { upserted } : {}),
      ...(writeErrors.length ? { writeErrors } : {}),
    }
  }
}
