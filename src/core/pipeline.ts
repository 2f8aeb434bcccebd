import type { Operation, Usage } from '../providers/types.ts'
import { networkFailure, readJsonBody, statusFailure, type Failure } from './attempt.ts'
import { routeForKey } from './auth.ts'
import { costUsd } from './cost.ts'
import { GatewayError } from './errors.ts'
import type { Gateway, GatewayKey, ResolvedTarget } from './gateway.ts'
import type { Clock, Logger, Random, UpstreamHttp, UsageEvent, UsageSink } from './ports.ts'
import { backoffMs, retryAfterMs } from './retry.ts'
import { admitKey, admitTarget } from './admission.ts'
import type { BudgetGuard } from './budgets.ts'
import { promptEstimate, type LimitGuard } from './limits.ts'
import { openStream, relay } from './stream.ts'
import { openAISurface, type Surface } from './surface.ts'

export interface PipelineDeps {
  /** Rate limits; none are enforced without it. */
  limits?: LimitGuard | undefined
  /** Spend caps; none are enforced without it. */
  budgets?: BudgetGuard | undefined
  upstream: UpstreamHttp
  clock: Clock
  random: Random
  usage: UsageSink
  logger: Logger
}

export interface ProxyInput {
  op: Operation
  /** The validated client body (OpenAI shape) and its original text. */
  body: Record<string, unknown>
  raw: string
  model: string
  stream: boolean
  key: GatewayKey
  requestId: string
  /** Keeps background work (usage records) alive past the response, e.g. waitUntil. */
  defer(work: Promise<unknown>): void
  /** The caller's API; OpenAI's unless set. */
  surface?: Surface
  /** For `messages`: the same request as OpenAI chat, for targets that do not speak Messages. */
  asChat?: () => Record<string, unknown>
}

export type ProxyOutcome =
  | { kind: 'json'; status: number; body: string; headers: Record<string, string> }
  | {
      kind: 'stream'
      headers: Record<string, string>
      body: AsyncGenerator<string, void, undefined>
      /** The client went away: stop reading the upstream now. */
      cancel(): void
    }
  | { kind: 'error'; error: GatewayError }

type AttemptResult =
  { ok: true; outcome: Exclude<ProxyOutcome, { kind: 'error' }> } | { ok: false; failure: Failure }

/** Route, translate, call with retries and fallback, normalise, and account for usage. */
export async function proxy(
  gw: Gateway,
  deps: PipelineDeps,
  input: ProxyInput,
): Promise<ProxyOutcome> {
  const { clock } = deps
  const started = clock.now()
  const route = routeForKey(gw, input.key, input.model)
  if (!route.ok) return { kind: 'error', error: route.error }
  const surface = input.surface ?? openAISurface
  const translatable = input.op === 'messages' && input.asChat !== undefined
  const targets = route.targets.filter(
    (t) => t.adapter.supports(input.op) || (translatable && t.adapter.supports('chat')),
  )
  const ctx = {
    created: Math.floor(started / 1000),
    model: input.model,
    base64Embeddings: input.op === 'embeddings' && input.body['encoding_format'] === 'base64',
  }
  let chat: { body: Record<string, unknown>; raw: string } | undefined
  const asChat = (): { body: Record<string, unknown>; raw: string } => {
    if (!chat) {
      const body = (input.asChat as () => Record<string, unknown>)()
      chat = { body, raw: JSON.stringify(body) }
    }
    return chat
  }
  if (targets.length === 0) {
    const msg = `The model '${input.model}' does not support ${input.op}.`
    return { kind: 'error', error: new GatewayError('invalid_request', msg, { param: 'model' }) }
  }

  const admission = deps.limits
    ? await admitKey(deps.limits, input.key, input.model, input.raw, input.body, () => clock.now())
    : undefined
  const settlements: ((usage: Usage | undefined) => Promise<unknown>)[] = []
  if (admission?.ok) settlements.push(admission.settle)
  const limitHeaders = admission?.ok ? admission.headers : {}
  const { timeouts, retry } = gw.config
  const pricing = gw.route(input.model)?.pricing
  const deadline = started + timeouts.totalMs
  let attempts = 0
  let last: Failure | undefined
  let lastTarget: ResolvedTarget | undefined

  const record = (
    target: ResolvedTarget | undefined,
    status: number,
    usage?: Usage,
    errorCode?: string,
    firstByteMs?: number,
  ): void => {
    const event: UsageEvent = {
      requestId: input.requestId,
      at: started,
      key: input.key.name,
      operation: input.op,
      model: input.model,
      provider: target?.providerId,
      targetModel: target?.model,
      status,
      errorCode,
      stream: input.stream,
      attempts,
      promptTokens: usage?.promptTokens,
      completionTokens: usage?.completionTokens,
      totalTokens: usage?.totalTokens,
      cachedTokens: usage?.cachedTokens,
      costUsd: costUsd(usage, pricing),
      latencyMs: clock.now() - started,
      firstByteMs,
    }
    for (const settle of settlements) input.defer(settle(usage).catch(() => undefined))
    try {
      const pending = deps.usage.record(event)
      if (pending)
        input.defer(
          pending.catch((err: unknown) =>
            deps.logger.error('usage record failed', { err: String(err) }),
          ),
        )
    } catch (err) {
      deps.logger.error('usage record failed', { err: String(err) })
    }
  }

  if (admission && !admission.ok) {
    record(undefined, 429, undefined, 'rate_limited')
    return { kind: 'error', error: admission.error }
  }
  if (deps.budgets) {
    // The worst case: the whole completion allowance (4096 when the caller sets none).
    const out = input.body['max_completion_tokens'] ?? input.body['max_tokens']
    const completionTokens = input.op === 'embeddings' ? 0 : typeof out === 'number' ? out : 4096
    const estimate = { promptTokens: promptEstimate(input.raw), completionTokens }
    const budget = await deps.budgets.reserve(input.key, pricing, estimate, started)
    if (!budget.ok) {
      for (const settle of settlements) input.defer(settle(undefined).catch(() => undefined))
      settlements.length = 0
      record(undefined, 429, undefined, 'budget_exceeded')
      return { kind: 'error', error: budget.error }
    }
    settlements.push(budget.reservation.settle)
  }

  const attempt = async (target: ResolvedTarget, remainingMs: number): Promise<AttemptResult> => {
    const native = target.adapter.supports(input.op)
    const op = native ? input.op : 'chat'
    const { body, raw } = native ? input : asChat()
    if (deps.limits) {
      const admitted = await admitTarget(deps.limits, target.providerId, raw, body, () =>
        clock.now(),
      )
      if (!admitted.ok) return admitted
      settlements.push(admitted.settle)
    }
    const built = target.adapter.buildRequest(
      { op, body, raw, model: target.model, stream: input.stream },
      target.provider,
    )
    const cancel = input.stream ? new AbortController() : undefined
    const result = await deps.upstream.request({
      url: built.url,
      method: 'POST',
      headers: built.headers,
      body: built.body,
      timeoutMs: Math.min(target.provider.timeoutMs ?? timeouts.attemptMs, remainingMs),
      idleTimeoutMs: input.stream
        ? timeouts.streamIdleMs
        : Math.min(timeouts.attemptMs, remainingMs),
      signal: cancel?.signal,
    })
    if (!result.ok)
      return { ok: false, failure: networkFailure(result.kind, result.message, target) }
    const res = result.response
    if (res.status < 200 || res.status >= 300) {
      const text = await res.text().catch(() => '')
      const after = retryAfterMs((name) => res.header(name), clock.now())
      return {
        ok: false,
        failure: statusFailure(
          res.status,
          target.adapter.parseError(res.status, text),
          target,
          after,
        ),
      }
    }
    const headers = {
      ...limitHeaders,
      'x-switchyard-provider': target.providerId,
      'x-switchyard-model': target.model,
    }
    if (!input.stream) {
      const read = await readJsonBody(op, res, target, ctx, (b) => surface.json(native, b, ctx))
      if (!read.ok) return read
      record(target, 200, read.success.usage)
      return { ok: true, outcome: { kind: 'json', status: 200, body: read.success.body, headers } }
    }
    const translator = target.adapter.streamTranslator(op, { ...ctx, stripUsage: built.stripUsage })
    const opened = await openStream(res, translator, surface.streamWriter(native, ctx), target)

    if (!opened.ok) return opened
    const firstByteMs = clock.now() - started
    const stream = relay(opened.stream, target, surface, (end) =>
      record(target, 200, end.usage, end.errorCode, firstByteMs),
    )
    return {
      ok: true,
      outcome: { kind: 'stream', headers, body: stream, cancel: () => cancel?.abort() },
    }
  }

  targets: for (const target of targets) {
    for (let n = 0; ; n++) {
      const remaining = deadline - clock.now()
      if (remaining <= 0) break targets
      attempts++
      lastTarget = target
      const result = await attempt(target, remaining)
      if (result.ok) return result.outcome
      last = result.failure
      deps.logger.warn('upstream attempt failed', {
        requestId: input.requestId,
        provider: target.providerId,
        model: target.model,
        attempt: n + 1,
        code: last.error.code,
        status: last.error.status,
      })
      if (!last.fallback) break targets
      if (!last.retryable || n >= retry.maxRetries) break
      const wait = last.retryAfterMs ?? backoffMs(n, retry, deps.random)
      if (wait > retry.maxRetryAfterMs || clock.now() + wait >= deadline) break
      await clock.sleep(wait)
    }
  }

  const error =
    last?.error ??
    new GatewayError(
      'upstream_timeout',
      `No upstream answered for '${input.model}' within ${timeouts.totalMs} ms.`,
    )
  record(lastTarget, error.status, undefined, error.code)
  return { kind: 'error', error }
}
