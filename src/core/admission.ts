import type { Usage } from '../providers/types.ts'
import type { Failure } from './attempt.ts'
import type { GatewayKey } from './gateway.ts'
import {
  estimateTokens,
  limitError,
  limitHeaders,
  tightest,
  type Checked,
  type LimitGuard,
  type LimitRule,
} from './limits.ts'

// Admission: the rate-limit steps of the pipeline. Tokens per minute are reserved from an estimate
// before the call and settled with the real usage after it (a refund when the estimate was high).

export type Admission =
  | {
      ok: true
      headers: Record<string, string>
      settle(usage: Usage | undefined): Promise<unknown>
    }
  | { ok: false; error: import('./errors.ts').GatewayError }

async function run(
  guard: LimitGuard,
  rules: LimitRule[],
  subject: string,
  cost: number,
): Promise<Checked[]> {
  return Promise.all(
    rules.map(async (rule) => ({
      rule,
      subject,
      cost,
      decision: await guard.check(rule, subject, cost),
    })),
  )
}

/** Gives back what refused requests took from the rules that did allow them. */
function refund(guard: LimitGuard, checks: Checked[]): Promise<unknown> {
  return Promise.all(
    checks
      .filter((c) => c.decision.allowed && !c.decision.failure)
      .map((c) => guard.check(c.rule, c.subject, -c.cost)),
  )
}

function settler(
  guard: LimitGuard,
  tokens: Checked[],
  estimate: number,
): (usage: Usage | undefined) => Promise<unknown> {
  return (usage) => {
    // No usage means nothing was generated (an upstream failure): the whole reservation goes back.
    const diff = (usage?.totalTokens ?? 0) - estimate
    if (diff === 0 || tokens.length === 0) return Promise.resolve()
    return Promise.all(tokens.map((c) => guard.check(c.rule, c.subject, diff)))
  }
}

export async function admitKey(
  guard: LimitGuard,
  key: GatewayKey,
  model: string,
  raw: string,
  body: Record<string, unknown>,
  now: () => number,
): Promise<Admission> {
  const { requests, tokens } = guard.keyRules(key.tier, model)
  if (requests.length === 0 && tokens.length === 0)
    return { ok: true, headers: {}, settle: () => Promise.resolve() }
  const estimate = tokens.length ? estimateTokens(raw, body) : 0
  const subject = `key:${key.id}`
  const [r, t] = await Promise.all([
    run(guard, requests, subject, 1),
    run(guard, tokens, subject, estimate),
  ])
  const headers = limitHeaders(tightest(r), tightest(t), now())
  const refused = tightest([...r, ...t])
  if (refused && !refused.decision.allowed) {
    void refund(guard, [...r, ...t])
    return { ok: false, error: limitError(refused, now(), headers) }
  }
  return { ok: true, headers, settle: settler(guard, t, estimate) }
}

/** A provider target over its own limits is skipped like one that answered 429. */
export async function admitTarget(
  guard: LimitGuard,
  providerId: string,
  raw: string,
  body: Record<string, unknown>,
  now: () => number,
): Promise<
  { ok: true; settle(usage: Usage | undefined): Promise<unknown> } | { ok: false; failure: Failure }
> {
  const { requests, tokens } = guard.providerRules(providerId)
  if (requests.length === 0 && !tokens) return { ok: true, settle: () => Promise.resolve() }
  const estimate = tokens ? estimateTokens(raw, body) : 0
  const subject = `provider:${providerId}`
  const [r, t] = await Promise.all([
    run(guard, requests, subject, 1),
    run(guard, tokens ? [tokens] : [], subject, estimate),
  ])
  const refused = tightest([...r, ...t])
  if (refused && !refused.decision.allowed) {
    void refund(guard, [...r, ...t])
    const error = limitError(refused, now(), {})
    return { ok: false, failure: { error, retryable: false, fallback: true } }
  }
  return { ok: true, settle: settler(guard, t, estimate) }
}
