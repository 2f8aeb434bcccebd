import type { Usage } from '../providers/types.ts'
import type { ModelRoute } from './gateway-config.ts'

/** The USD cost of a request's usage at the route's prices (per million tokens); cached input at its own price. */
export function costUsd(
  usage: Usage | undefined,
  pricing: ModelRoute['pricing'],
): number | undefined {
  if (!usage || !pricing) return undefined
  const cached = usage.cachedTokens ?? 0
  const fresh = Math.max(0, usage.promptTokens - cached)
  const micro =
    fresh * pricing.input +
    cached * (pricing.cachedInput ?? pricing.input) +
    usage.completionTokens * pricing.output
  return micro / 1_000_000
}
