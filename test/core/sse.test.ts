import { describe, expect, it } from 'vitest'
import { SseParser, type SseEvent } from '../../src/core/sse.ts'

function parse(chunks: string[]): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = []
  const comments: string[] = []
  const p = new SseParser({ event: (e) => events.push(e), comment: (c) => comments.push(c) })
  const enc = new TextEncoder()
  for (const c of chunks) p.push(enc.encode(c))
  p.end()
  return { events, comments }
}

describe('SseParser', () => {
  it('splits events that arrive across arbitrary chunk boundaries', () => {
    const { events } = parse(['data: {"a"', ':1}\n', '\ndata: [DO', 'NE]\n\n'])
    expect(events.map((e) => e.data)).toEqual(['{"a":1}', '[DONE]'])
  })

  it('handles CRLF line endings and named events', () => {
    const { events } = parse(['event: message_start\r\ndata: {"x":1}\r\n\r\n'])
    expect(events).toEqual([{ event: 'message_start', data: '{"x":1}' }])
  })

  it('joins multi-line data with newlines and reports comments', () => {
    const { events, comments } = parse([': keep-alive\n\ndata: one\ndata: two\n\n'])
    expect(events).toEqual([{ event: undefined, data: 'one\ntwo' }])
    expect(comments).toEqual(['keep-alive'])
  })

  it('flushes a final event that has no trailing blank line', () => {
    expect(parse(['data: last']).events.map((e) => e.data)).toEqual(['last'])
  })

  it('decodes multi-byte characters split between chunks', () => {
    const bytes = new TextEncoder().encode('data: héllo\n\n')
    const events: SseEvent[] = []
    const p = new SseParser({ event: (e) => events.push(e), comment: () => undefined })
    p.push(bytes.slice(0, 8)) // splits the two-byte é
    p.push(bytes.slice(8))
    expect(events[0]?.data).toBe('héllo')
  })
})
