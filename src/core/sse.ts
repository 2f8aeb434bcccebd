// A small incremental Server-Sent Events parser. Upstream bodies arrive in arbitrary chunks; this
// splits them into events in linear time without re-scanning what it has already seen.

export interface SseEvent {
  /** The `event:` field, when the upstream sent one (Anthropic and Gemini name theirs). */
  event: string | undefined
  data: string
}

export interface SseSink {
  event(ev: SseEvent): void
  /** A `:` comment line (keep-alives); forwarded so idle connections stay open. */
  comment(text: string): void
}

export class SseParser {
  #buf = ''
  #event: string | undefined = undefined
  #data: string[] = []
  readonly #decoder = new TextDecoder()
  readonly #sink: SseSink

  constructor(sink: SseSink) {
    this.#sink = sink
  }

  push(chunk: Uint8Array): void {
    this.#feed(this.#decoder.decode(chunk, { stream: true }))
  }

  /** Flushes a last event that had no trailing blank line. */
  end(): void {
    this.#feed(this.#decoder.decode() + '\n\n')
  }

  #feed(text: string): void {
    let buf = this.#buf + text
    let start = 0
    for (;;) {
      const nl = buf.indexOf('\n', start)
      if (nl === -1) break
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      this.#line(buf.slice(start, end))
      start = nl + 1
    }
    buf = buf.slice(start)
    // A lone CR line ending is legal SSE but used by no provider we speak to; CRLF is handled.
    this.#buf = buf
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) {
        this.#sink.event({ event: this.#event, data: this.#data.join('\n') })
      }
      this.#event = undefined
      this.#data = []
      return
    }
    const colon = line.indexOf(':')
    if (colon === 0) {
      this.#sink.comment(line.slice(1).trimStart())
      return
    }
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    if (field === 'data') this.#data.push(value)
    else if (field === 'event') this.#event = value
  }
}

export function sseData(data: string): string {
  return `data: ${data}\n\n`
}
