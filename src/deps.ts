import { consoleLogger, type LogLevel } from './adapters/logger-console.ts'
import { systemClock, systemRandom } from './adapters/system.ts'
import { memoryUsageSink } from './adapters/usage-memory.ts'
import { compileGateway } from './core/gateway.ts'
import type { GatewayConfig } from './core/gateway-config.ts'
import type { Clock, Hasher, Logger, Random, UpstreamHttp, UsageSink } from './core/ports.ts'
import type { AppDeps } from './http/app.ts'

/** What only the entry knows: the parts that depend on the runtime. */
export interface RuntimeParts {
  upstream: UpstreamHttp
  hasher: Hasher
  logLevel?: LogLevel
  logger?: Logger
  usage?: UsageSink
  clock?: Clock
  random?: Random
}

/** The one place that chooses adapters. */
export async function buildDeps(config: GatewayConfig, parts: RuntimeParts): Promise<AppDeps> {
  const clock = parts.clock ?? systemClock
  const gateway = await compileGateway(config, parts.hasher, clock.now())
  return {
    gateway: () => gateway,
    hasher: parts.hasher,
    upstream: parts.upstream,
    clock,
    random: parts.random ?? systemRandom,
    usage: parts.usage ?? memoryUsageSink(),
    logger: parts.logger ?? consoleLogger(parts.logLevel),
  }
}
