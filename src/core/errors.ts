// One error type and one code-to-status map. Each API surface renders a GatewayError in its own
// envelope (OpenAI's under /v1), so the meaning of a code is decided here, once.

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'key_expired'
  | 'key_disabled'
  | 'key_rotated'
  | 'ip_not_allowed'
  | 'scope_not_allowed'
  | 'admin_unauthorized'
  | 'conflict'
  | 'model_not_allowed'
  | 'model_not_found'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'not_configured'
  | 'internal_error'

interface CodeInfo {
  status: number
  /** OpenAI's error `type` for this code. */
  type: string
}

export const ERROR_CODES: Record<ErrorCode, CodeInfo> = {
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  missing_api_key: { status: 401, type: 'invalid_request_error' },
  invalid_api_key: { status: 401, type: 'invalid_request_error' },
  key_expired: { status: 401, type: 'invalid_request_error' },
  key_disabled: { status: 401, type: 'invalid_request_error' },
  key_rotated: { status: 401, type: 'invalid_request_error' },
  ip_not_allowed: { status: 403, type: 'permission_error' },
  scope_not_allowed: { status: 403, type: 'permission_error' },
  admin_unauthorized: { status: 401, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  upstream_error: { status: 502, type: 'api_error' },
  upstream_unavailable: { status: 503, type: 'api_error' },
  upstream_timeout: { status: 504, type: 'api_error' },
  not_configured: { status: 503, type: 'api_error' },
  internal_error: { status: 500, type: 'api_error' },
}

export interface GatewayErrorOptions {
  param?: string | null
  /** Overrides the code's status, for upstream errors passed on with their own status. */
  status?: number
  /** Overrides the code's OpenAI `type`, for upstream errors passed on with their own type. */
  type?: string
  /** The code sent to the client, when an upstream's own code is passed on. */
  publicCode?: string | null
  headers?: Record<string, string>
}

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly type: string
  readonly param: string | null
  readonly publicCode: string | null
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message)
    this.name = 'GatewayError'
    this.code = code
    this.status = options.status ?? ERROR_CODES[code].status
    this.type = options.type ?? ERROR_CODES[code].type
    this.param = options.param ?? null
    this.publicCode = options.publicCode === undefined ? code : options.publicCode
    this.headers = options.headers ?? {}
  }
}

/** OpenAI's error envelope. */
export function openAIErrorBody(err: GatewayError): string {
  return JSON.stringify({
    error: { message: err.message, type: err.type, param: err.param, code: err.publicCode },
  })
}
