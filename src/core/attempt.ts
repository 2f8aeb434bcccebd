import type { Operation, ProviderError, TranslateContext, Usage } from '../providers/types.ts'
import { GatewayError } from './errors.ts'
import type { ResolvedTarget } from './gateway.ts'
import type { UpstreamFailureKind, UpstreamResponse } from './ports.ts'

/** Why an attempt failed, and what the loop may do about it. */
export interface Failure {
  error: GatewayError
  /** Worth trying the same target again (after a backoff). */
  retryable: boolean
  /** Worth trying the next target. False means: answer the client with this error now. */
  fallback: boolean
  /** The upstream's Retry-After, in ms. */
  retryAfterMs?: number | undefined
}

export interface JsonSuccess {
  body: string
  usage: Usage | undefined
}

export function networkFailure(
  kind: UpstreamFailureKind,
  message: string,
  target: ResolvedTarget,
): Failure {
  const where = `${target.providerId} (${target.model})`
  switch (kind) {
    case 'timeout':
      // Retrying a target that just timed out would spend the caller's deadline twice over.
      return {
        error: new GatewayError('upstream_timeout', `The upstream ${where} timed out: ${message}`),
        retryable: false,
        fallback: true,
      }
    case 'aborted':
      return {
        error: new GatewayError('upstream_error', 'The request was cancelled.'),
        retryable: false,
        fallback: false,
      }
    default:
      return {
        error: new GatewayError(
          'upstream_error',
          `Could not reach the upstream ${where}: ${message}`,
        ),
        retryable: true,
        fallback: true,
      }
  }
}

/** Classifies an upstream error status. */
export function statusFailure(
  status: number,
  upstream: ProviderError,
  target: ResolvedTarget,
  retryAfterMs: number | undefined,
): Failure {
  const where = `${target.providerId} (${target.model})`
  if (status === 429) {
    const headers: Record<string, string> = {}
    if (retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000))
    return {
      error: new GatewayError(
        'rate_limited',
        `The upstream ${where} is rate limiting: ${upstream.message}`,
        {
          publicCode: upstream.code ?? 'rate_limited',
          headers,
        },
      ),
      retryable: true,
      fallback: true,
      retryAfterMs,
    }
  }
  if (status >= 500 || status === 408) {
    return {
      error: new GatewayError(
        'upstream_error',
        `The upstream ${where} failed with HTTP ${status}: ${upstream.message}`,
      ),
      retryable: true,
      fallback: true,
      retryAfterMs,
    }
  }
  if (status === 401 || status === 403) {
    // The caller's key was fine; the gateway's credentials for this provider were not.
    return {
      error: new GatewayError(
        'upstream_error',
        `The upstream ${where} rejected the gateway's credentials (HTTP ${status}): ${upstream.message}`,
      ),
      retryable: false,
      fallback: true,
    }
  }
  // Any other 4xx is about the request itself and would fail on every target: pass it on.
  return {
    error: new GatewayError(
      status === 404 ? 'model_not_found' : 'invalid_request',
      upstream.message,
      {
        status,
        type: upstream.type ?? 'invalid_request_error',
        param: upstream.param ?? null,
        publicCode: upstream.code ?? null,
      },
    ),
    retryable: false,
    fallback: status === 404,
  }
}

/** Reads a 2xx non-streaming body; a body that breaks off or cannot be read is a failure. */
export async function readJsonBody(
  op: Operation,
  response: UpstreamResponse,
  target: ResolvedTarget,
  ctx: TranslateContext,
  toCaller: (body: string) => string,
): Promise<{ ok: true; success: JsonSuccess } | { ok: false; failure: Failure }> {
  let text: string
  try {
    text = await response.text()
  } catch (err) {
    const kind = (err as { kind?: UpstreamFailureKind }).kind ?? 'reset'
    return { ok: false, failure: networkFailure(kind, (err as Error).message, target) }
  }
  try {
    const { body, usage } = target.adapter.parseResponse(op, text, ctx)
    return { ok: true, success: { body: toCaller(body), usage } }
  } catch {
    const where = `${target.providerId} (${target.model})`
    return {
      ok: false,
      failure: {
        error: new GatewayError(
          'upstream_error',
          `The upstream ${where} sent a response the gateway could not read.`,
        ),
        retryable: true,
        fallback: true,
      },
    }
  }
}
