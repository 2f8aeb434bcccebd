import type { ProviderConfig } from '../core/gateway-config.ts'

/**
 * The headers every upstream call carries: JSON, the provider's own auth (from its API key), and
 * the extra headers the provider config names, which win.
 */
export function upstreamHeaders(
  provider: ProviderConfig,
  auth: (apiKey: string) => Record<string, string>,
  fixed: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...fixed }
  if (provider.apiKey) Object.assign(headers, auth(provider.apiKey))
  if (provider.headers) Object.assign(headers, provider.headers)
  return headers
}

export const bearer = (apiKey: string): Record<string, string> => ({
  authorization: `Bearer ${apiKey}`,
})
