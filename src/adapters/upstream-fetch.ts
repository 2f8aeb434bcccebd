import {
  UpstreamStreamError,
  type UpstreamHttp,
  type UpstreamRequest,
  type UpstreamResponse,
} from '../core/ports.ts'

/** Rejects with a timeout error when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle as a timeout first: the abort that follows also rejects the pending read.
      reject(new UpstreamStreamError('timeout', `no data from the upstream for ${ms} ms`))
      onTimeout()
    }, ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function streamError(err: unknown, signal: AbortSignal | undefined): UpstreamStreamError {
  if (err instanceof UpstreamStreamError) return err
  return new UpstreamStreamError(
    signal?.aborted ? 'aborted' : 'reset',
    (err as Error).message ?? String(err),
  )
}

function wrap(res: Response, req: UpstreamRequest, abort: () => void): UpstreamResponse {
  return {
    status: res.status,
    header: (name) => res.headers.get(name) ?? undefined,
    async text() {
      try {
        return await within(res.text(), req.idleTimeoutMs, abort)
      } catch (err) {
        throw streamError(err, req.signal)
      }
    },
    async *chunks() {
      if (!res.body) return
      const reader = res.body.getReader()
      try {
        for (;;) {
          const r = await within(reader.read(), req.idleTimeoutMs, abort)
          if (r.done) return
          yield r.value
        }
      } catch (err) {
        throw streamError(err, req.signal)
      } finally {
        reader.cancel().catch(() => undefined)
      }
    },
  }
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])

/** fetch reports every network error alike; its cause (Node) or message (workerd) tells them apart. */
function connectOrReset(err: unknown): 'connect' | 'reset' {
  const cause = (err as { cause?: { code?: string } }).cause
  if (cause?.code && CONNECT_CODES.has(cause.code)) return 'connect'
  return /refused|getaddrinfo|dns|resolve/i.test(describe(err)) ? 'connect' : 'reset'
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } }
  const msg = e.message ?? String(err)
  return e.cause?.message ? `${msg}: ${e.cause.message}` : msg
}

/** Upstream HTTP through the runtime's fetch: native and right on Workers and Deno. */
export function fetchUpstream(
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): UpstreamHttp {
  return {
    async request(req) {
      const controller = new AbortController()
      const abort = (): void => controller.abort()
      req.signal?.addEventListener('abort', abort, { once: true })
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, req.timeoutMs)
      try {
        const res = await fetchFn(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: controller.signal,
        })
        return { ok: true, response: wrap(res, req, abort) }
      } catch (err) {
        if (timedOut)
          return { ok: false, kind: 'timeout', message: `no response within ${req.timeoutMs} ms` }
        if (req.signal?.aborted) return { ok: false, kind: 'aborted', message: 'cancelled' }
        return { ok: false, kind: connectOrReset(err), message: describe(err) }
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
