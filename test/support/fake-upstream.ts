import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

// What every fake upstream shares: a real HTTP server on loopback, a record of what it was sent,
// and faults scripted per request. Each provider's fake adds only its own wire format.

export type Behaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Streams `after` events, then destroys the socket. */
  | { kind: 'cut'; after: number }
  /** Streams `after` events, then goes silent (the socket stays open). */
  | { kind: 'stall'; after: number }

export interface Recorded {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  json: Record<string, unknown> | undefined
}

export abstract class FakeUpstream {
  readonly requests: Recorded[] = []
  /** Streams whose connection closed before the fake finished writing them. */
  abortedStreams = 0
  readonly #queue: Behaviour[] = []
  readonly #sockets = new Set<Socket>()
  #server: Server | undefined
  url = ''
  port = 0

  /** Answers one recorded request; `behaviour` is the scripted one (after hang/reset/status). */
  protected abstract answer(
    req: IncomingMessage,
    res: ServerResponse,
    rec: Recorded,
    behaviour: Behaviour,
  ): Promise<void> | void

  /** The body of a scripted `status` fault that names none. */
  protected abstract defaultErrorBody(status: number): unknown

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.keepAliveTimeout = 60_000
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject)
      this.#server?.listen(port, '127.0.0.1', resolve)
    })
    this.port = (this.#server.address() as AddressInfo).port
    this.url = `http://127.0.0.1:${this.port}`
    return this
  }

  /** Scripts the next requests, in order; after the script the fake answers normally. */
  enqueue(...behaviours: Behaviour[]): void {
    this.#queue.push(...behaviours)
  }

  reset(): void {
    this.#queue.length = 0
    this.requests.length = 0
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    )
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let json: Record<string, unknown> | undefined
    try {
      json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined
    } catch {
      json = undefined
    }
    const rec: Recorded = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      json,
    }
    this.requests.push(rec)
    const behaviour = this.#queue.shift() ?? { kind: 'ok' }
    switch (behaviour.kind) {
      case 'hang':
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'status': {
        const payload = behaviour.body ?? this.defaultErrorBody(behaviour.status)
        res.writeHead(behaviour.status, {
          'content-type': 'application/json',
          ...behaviour.headers,
        })
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload))
        return
      }
      case 'ok':
        if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs))
    }
    await this.answer(req, res, rec, behaviour)
  }

  protected json(
    res: ServerResponse,
    body: unknown,
    status = 200,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    })
    res.end(text)
  }

  /**
   * Streams SSE events (each already framed), honouring `cut` and `stall`; `end` is written
   * last on a clean finish.
   */
  protected async stream(
    res: ServerResponse,
    events: string[],
    behaviour: Behaviour,
    end = '',
    delayMs = 0,
  ): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    res.on('close', () => {
      if (!res.writableFinished) this.abortedStreams++
    })
    const limit =
      behaviour.kind === 'cut' || behaviour.kind === 'stall' ? behaviour.after : Infinity
    let sent = 0
    for (const ev of events) {
      if (sent >= limit || res.destroyed) break
      await new Promise<void>((resolve) => res.write(ev, () => resolve()))
      sent++
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    }
    if (res.destroyed) return
    if (behaviour.kind === 'cut') {
      // Let the events already written reach the gateway before the connection drops.
      await new Promise((r) => setTimeout(r, 30))
      res.socket?.destroy()
      return
    }
    if (behaviour.kind === 'stall') return
    res.end(end)
  }
}

export const words = (s: string): number => s.split(/\s+/).filter(Boolean).length

/** The text of the last user message, whatever the provider's message shape. */
export function lastUserText(
  messages: { role: string; content?: unknown; parts?: { text?: string }[] }[],
  userRole = 'user',
): string {
  const last = [...messages].reverse().find((m) => m.role === userRole)
  if (!last) return 'something'
  if (typeof last.content === 'string') return last.content
  const blocks = (Array.isArray(last.content) ? last.content : (last.parts ?? [])) as {
    type?: string
    text?: string
  }[]
  return (
    blocks
      .filter((b) => typeof b.text === 'string')
      .map((b) => b.text)
      .join('') || 'something'
  )
}
