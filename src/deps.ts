import { consoleLogger, type LogLevel } from './adapters/logger-console.ts'
import { memoryBudgetCounter } from './adapters/budget-counters.ts'
import { memoryLimiter } from './adapters/limiter-memory.ts'
import { memoryStore } from './adapters/store-memory.ts'
import { systemClock, systemRandom } from './adapters/system.ts'
import { storeUsageSink } from './adapters/usage-store.ts'
import type { GatewayConfig } from './core/gateway-config.ts'
import { BudgetGuard, type BudgetCounter } from './core/budgets.ts'
import { LimitGuard, type Limiter } from './core/limits.ts'
import type {
  Clock,
  Hasher,
  Logger,
  Random,
  Sealer,
  UpstreamHttp,
  UsageSink,
} from './core/ports.ts'
import { GatewayState, keyToucher } from './core/state.ts'
import type { Store } from './core/store.ts'
import type { AdminAuth, AppDeps } from './http/app.ts'

/** What only the entry knows: the parts that depend on the runtime. */
export interface RuntimeParts {
  upstream: UpstreamHttp
  hasher: Hasher
  /** The shared rate limiter; a per-process one when absent. */
  limiter?: Limiter
  /** Shared budget counters; per-process ones when absent. */
  budgetCounter?: BudgetCounter
  /** The durable store; the memory store when absent. */
  store?: Store
  sealer?: Sealer | undefined
  admin?: AdminAuth
  /** The caller's IP address, however this runtime knows it. */
  clientIp?: AppDeps['clientIp']
  env?: Readonly<Record<string, string | undefined>>
  logLevel?: LogLevel
  logger?: Logger
  usage?: UsageSink
  clock?: Clock
  random?: Random
  /** The runtime gives requests an ExecutionContext (Workers): defer with waitUntil. */
  waitUntil?: boolean
  /** How often instances look for changes other instances made (ms). */
  reloadMs?: number
}

/** The one place that chooses adapters. */
export async function buildDeps(config: GatewayConfig, parts: RuntimeParts): Promise<AppDeps> {
  const clock = parts.clock ?? systemClock
  const logger = parts.logger ?? consoleLogger(parts.logLevel)
  const store = parts.store ?? memoryStore()
  const state = await GatewayState.create(
    config,
    { store, hasher: parts.hasher, clock, logger, sealer: parts.sealer, env: parts.env ?? {} },
    parts.reloadMs,
  )
  const limits = new LimitGuard(
    parts.limiter ?? memoryLimiter(() => clock.now()),
    config.limits,
    logger,
    () => clock.now(),
  )
  const budgets = new BudgetGuard(
    parts.budgetCounter ?? memoryBudgetCounter(() => clock.now()),
    config.budgets,
    logger,
  )
  return {
    limits,
    budgets,
    gateway: () => state.get(),
    state,
    store,
    sealer: parts.sealer,
    admin: parts.admin ?? {},
    clientIp: parts.clientIp ?? (() => undefined),
    waitUntil: parts.waitUntil ?? false,
    touchKey: keyToucher(store, clock),
    hasher: parts.hasher,
    upstream: parts.upstream,
    clock,
    random: parts.random ?? systemRandom,
    usage: parts.usage ?? storeUsageSink(store),
    logger,
  }
}
