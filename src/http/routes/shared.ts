import type { Context } from 'hono'
import type { z } from 'zod'
import { GatewayError } from '../../core/errors.ts'
import type { ProxyOutcome } from '../../core/pipeline.ts'
import { validate } from '../../core/requests.ts'
import { errorResponse } from '../errors.ts'
import { respond } from '../respond.ts'
import { sseBody } from '../sse-body.ts'

const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies in front of a self-hosted gateway not to buffer the stream.
  'x-accel-buffering': 'no',
}

type Parsed<T> = { ok: true; value: T; raw: string } | { ok: false; error: GatewayError }

/** Reads the body once, parses it once, validates it once; the raw text is kept for forwarding. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const raw = await c.req.text()
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    const msg =
      raw.trim() === ''
        ? 'The request body is empty; expected a JSON object.'
        : 'The request body is not valid JSON.'
    return { ok: false, error: new GatewayError('invalid_json', msg) }
  }
  const checked = validate(schema, json)
  return checked.ok ? { ok: true, value: checked.value, raw } : checked
}

const detached = (): void => undefined

/**
 * Keeps background work alive past the response: waitUntil on the edge. On Node the promise runs
 * to completion on its own; asking Hono for an ExecutionContext there throws (and a thrown error
 * costs ~10 µs of stack capture), so the entry says which runtime this is (AppDeps.waitUntil).
 */
export function deferrer(c: Context, waitUntil: boolean): (work: Promise<unknown>) => void {
  if (!waitUntil) return detached
  return (work) => c.executionCtx.waitUntil(work)
}

export function send(c: Context, outcome: ProxyOutcome): Response {
  switch (outcome.kind) {
    case 'json':
      return respond(c, outcome.body, 200, { ...JSON_HEADERS, ...outcome.headers })
    case 'stream':
      return respond(c, sseBody(outcome.body, outcome.cancel), 200, {
        ...SSE_HEADERS,
        ...outcome.headers,
      })
    case 'error':
      return errorResponse(c, outcome.error)
  }
}
