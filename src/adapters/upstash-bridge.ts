import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Redis } from 'ioredis'
import { constantTimeEqual } from '../core/keys.ts'
import { ScriptMap, sha1 } from './redis-scripts.ts'

// A local server speaking Upstash's Redis REST protocol in front of any Redis: POST / with a JSON
// command array, /pipeline and /multi-exec with arrays of them, a bearer token, `{ result }` or
// `{ error }` replies, and `Upstash-Encoding: base64`. For tests and for self-hosting the edge
// build against your own Redis (npm run redis:rest).

type Reply = { result: unknown } | { error: string }

function base64(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(base64)
  return value
}

export function upstashBridge(redis: Redis, token: string): Server {
  const scripts = new ScriptMap()

  const prepare = (cmd: unknown[]): string[] => {
    const [name, ...args] = cmd.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    const upper = (name ?? '').toUpperCase()
    if (upper === 'EVAL' && args[0] !== undefined) args[0] = scripts.remember(args[0])
    if (upper === 'EVALSHA' && args[0] !== undefined) args[0] = scripts.resolve(args[0])
    if (upper === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD' && args[1] !== undefined)
      args[1] = scripts.remember(args[1])
    return [upper, ...args]
  }

  const run = async (cmd: unknown[]): Promise<Reply> => {
    try {
      const [name, ...args] = prepare(cmd)
      const result = await redis.call(name as string, ...args)
      // SCRIPT LOAD answers with the hash the caller expects: that of the script it sent.
      if (name === 'SCRIPT' && (args[0] ?? '').toUpperCase() === 'LOAD')
        return { result: sha1(String(cmd[2])) }
      return { result }
    } catch (err) {
      return { error: (err as Error).message }
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const auth = req.headers['authorization'] ?? ''
    if (!constantTimeEqual(auth, `Bearer ${token}`)) return send(401, { error: 'Unauthorized' })
    let body = ''
    for await (const chunk of req) body += (chunk as Buffer).toString()
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return send(400, { error: 'ERR failed to parse command' })
    }
    const encode = req.headers['upstash-encoding'] === 'base64'
    const out = (r: Reply): Reply => ('result' in r && encode ? { result: base64(r.result) } : r)
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(parsed)) return send(400, { error: 'ERR expected an array of commands' })
      const commands = parsed as unknown[][]
      if (path === '/multi-exec') {
        const multi = redis.multi(
          commands.map((c) => prepare(c)).map(([n, ...a]) => [(n ?? '').toLowerCase(), ...a]),
        )
        const results = (await multi.exec()) ?? []
        return send(
          200,
          results.map(([err, result]) => out(err ? { error: err.message } : { result })),
        )
      }
      const replies: Reply[] = []
      for (const c of commands) replies.push(out(await run(c)))
      return send(200, replies)
    }
    if (!Array.isArray(parsed)) return send(400, { error: 'ERR expected a command array' })
    const reply = out(await run(parsed))
    return send('error' in reply ? 400 : 200, reply)
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: String(err) }))
    })
  })
}
