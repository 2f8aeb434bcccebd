import type { StreamTranslator, Usage } from '../providers/types.ts'
import { networkFailure, type Failure } from './attempt.ts'
import { GatewayError } from './errors.ts'
import type { ResolvedTarget } from './gateway.ts'
import type { UpstreamFailureKind, UpstreamResponse } from './ports.ts'
import { SseParser } from './sse.ts'
import type { StreamWriter, Surface } from './surface.ts'

/** Upstream bytes in, client SSE text out, event by event, never buffering the whole stream. */
class Pump {
  readonly out: string[] = []
  readonly parser: SseParser
  readonly translator: StreamTranslator

  constructor(translator: StreamTranslator, writer: StreamWriter) {
    this.translator = translator
    const emit = (data: string, event?: string): void => writer.write(data, event, this.out)
    this.parser = new SseParser({
      event: (ev) => translator.event(ev, emit),
      comment: (text) => this.out.push(`: ${text}\n\n`),
    })
  }

  take(): string {
    const text = this.out.length === 1 ? (this.out[0] as string) : this.out.join('')
    this.out.length = 0
    return text
  }
}

export interface OpenedStream {
  /** What the upstream sent before the gateway committed to it: at least one event. */
  first: string
  rest: AsyncIterator<Uint8Array>
  pump: Pump
  ended: boolean
}

const failureKind = (err: unknown): UpstreamFailureKind =>
  (err as { kind?: UpstreamFailureKind }).kind ?? 'reset'

/**
 * Waits for the first event before committing to an upstream: until then nothing has reached the
 * client, so a stream that hangs or breaks before its first event can still be retried.
 */
export async function openStream(
  response: UpstreamResponse,
  translator: StreamTranslator,
  writer: StreamWriter,
  target: ResolvedTarget,
): Promise<{ ok: true; stream: OpenedStream } | { ok: false; failure: Failure }> {
  const pump = new Pump(translator, writer)
  const rest = response.chunks()[Symbol.asyncIterator]()
  let ended = false
  try {
    while (pump.out.length === 0) {
      const r = await rest.next()
      if (r.done) {
        pump.parser.end()
        ended = true
        break
      }
      pump.parser.push(r.value)
    }
  } catch (err) {
    return { ok: false, failure: networkFailure(failureKind(err), (err as Error).message, target) }
  }
  if (pump.out.length === 0) {
    const msg = `The upstream ${target.providerId} (${target.model}) closed the stream without sending anything.`
    return {
      ok: false,
      failure: { error: new GatewayError('upstream_error', msg), retryable: true, fallback: true },
    }
  }
  return { ok: true, stream: { first: pump.take(), rest, pump, ended } }
}

export interface StreamEnd {
  usage: Usage | undefined
  /** Set when the stream did not end cleanly. */
  errorCode: string | undefined
}

/** Relays an opened stream to the client and always ends it: with [DONE] or an error event. */
export async function* relay(
  s: OpenedStream,
  target: ResolvedTarget,
  surface: Surface,
  onEnd: (end: StreamEnd) => void,
): AsyncGenerator<string, void, undefined> {
  let errorCode: string | undefined
  try {
    yield s.first
    if (!s.ended) {
      for (;;) {
        const r = await s.rest.next()
        if (r.done) break
        s.pump.parser.push(r.value)
        if (s.pump.out.length > 0) yield s.pump.take()
      }
      s.pump.parser.end()
      if (s.pump.out.length > 0) yield s.pump.take()
    }
    if (!s.pump.translator.done) {
      errorCode = 'stream_interrupted'
      const msg = `The upstream ${target.providerId} (${target.model}) ended the stream before it was complete.`
      yield surface.errorEvent(new GatewayError('upstream_error', msg))
    }
  } catch (err) {
    const kind = failureKind(err)
    if (kind === 'aborted') {
      errorCode = 'client_closed' // the client cancelled; there is no one to tell
      return
    }
    const failure = networkFailure(kind, (err as Error).message, target)
    errorCode = failure.error.code
    yield surface.errorEvent(failure.error)
  } finally {
    // Early exit (client gone): release the upstream connection.
    if (errorCode === undefined && !s.pump.translator.done) errorCode = 'client_closed'
    s.rest.return?.()?.catch(() => undefined)
    onEnd({ usage: s.pump.translator.usage, errorCode })
  }
}
