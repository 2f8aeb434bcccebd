const encoder = new TextEncoder()

/**
 * A pull-based byte stream over the relay: one upstream read per client read, so a slow client
 * slows the upstream read instead of filling memory, and nothing is enqueued after a cancel.
 */
export function sseBody(
  events: AsyncGenerator<string, void, undefined>,
  cancel: () => void,
): ReadableStream<Uint8Array> {
  let closed = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await events.next()
        if (closed) return
        if (r.done) {
          closed = true
          controller.close()
        } else {
          controller.enqueue(encoder.encode(r.value))
        }
      } catch (err) {
        if (!closed) {
          closed = true
          controller.error(err)
        }
      }
    },
    cancel() {
      closed = true
      cancel()
      events.return(undefined).catch(() => undefined)
    },
  })
}
