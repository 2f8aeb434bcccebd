import type { Context } from 'hono'

// Responses are built here, with plain-object headers, and never through c.header(): a Headers
// instance on the response costs @hono/node-server its fast path (DESIGN.md, "The hot path").

export function respond(
  c: Context,
  body: string | ReadableStream<Uint8Array> | null,
  status: number,
  headers: Record<string, string>,
): Response {
  headers['x-request-id'] = c.get('requestId') as string
  return new Response(body, { status, headers })
}

export function json(c: Context, value: unknown, status = 200): Response {
  return respond(c, JSON.stringify(value), status, { 'content-type': 'application/json' })
}
