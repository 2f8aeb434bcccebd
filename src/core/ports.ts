// The core's only ways out. Each port is shaped by what the core needs, not by an SDK, and each
// has an in-memory twin so the whole pipeline can be tested without a network.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export interface Random {
  /** A float in [0, 1). */
  float(): number
  /** A fresh opaque id (request ids, response ids). */
  id(): string
  /** Cryptographically strong random bytes (gateway key secrets). */
  bytes(n: number): Uint8Array
}

export interface Hasher {
  /** Lower-case hex SHA-256 of the UTF-8 bytes of `input`. */
  sha256Hex(input: string): Promise<string>
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export type UpstreamFailureKind = 'connect' | 'timeout' | 'reset' | 'aborted'

export interface UpstreamRequest {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  /** Until the response headers arrive. */
  timeoutMs: number
  /** Longest silence allowed between two body chunks. */
  idleTimeoutMs: number
  signal?: AbortSignal
}

export interface UpstreamResponse {
  status: number
  header(name: string): string | undefined
  /** The whole body as text. Read at most one of text() and chunks(). */
  text(): Promise<string>
  /**
   * The body as it arrives. Throws UpstreamStreamError when the body breaks off or idles past
   * idleTimeoutMs. Ending the iteration early releases the connection.
   */
  chunks(): AsyncIterable<Uint8Array>
}

export type UpstreamResult =
  | { ok: true; response: UpstreamResponse }
  | { ok: false; kind: UpstreamFailureKind; message: string }

export interface UpstreamHttp {
  request(req: UpstreamRequest): Promise<UpstreamResult>
}

/** Thrown by UpstreamResponse.chunks() when a body that had started breaks off. */
export class UpstreamStreamError extends Error {
  readonly kind: UpstreamFailureKind
  constructor(kind: UpstreamFailureKind, message: string) {
    super(message)
    this.name = 'UpstreamStreamError'
    this.kind = kind
  }
}

export interface UsageEvent {
  requestId: string
  at: number
  key: string
  operation: 'chat' | 'embeddings' | 'messages'
  model: string
  provider?: string
  targetModel?: string
  status: number
  errorCode?: string
  stream: boolean
  attempts: number
  promptTokens?: number
  completionTokens?: number
  totalTokens?: number
  cachedTokens?: number
  /** At the route's declared prices, when it declares them. */
  costUsd?: number
  latencyMs: number
  firstByteMs?: number
}

export interface UsageSink {
  /** Must not block the request: a returned promise is handed to the runtime's waitUntil. */
  record(event: UsageEvent): void | Promise<void>
}

/** Encrypts secrets (provider credentials) for storage at rest. */
export interface Sealer {
  seal(plain: string): Promise<string>
  open(sealed: string): Promise<string>
}
