import { serve } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { nodeHasher } from './adapters/hasher-node.ts'
import { consoleLogger } from './adapters/logger-console.ts'
import { undiciUpstream } from './adapters/upstream-undici.ts'
import {
  ConfigError,
  defaultGatewayConfig,
  isLoopback,
  parseEnv,
  parseGatewayConfig,
} from './config.ts'
import { buildDeps } from './deps.ts'
import { createApp } from './http/app.ts'

// Node entry: the embedded default. Config from SWITCHYARD_CONFIG (a path, or inline JSON), else
// ./switchyard.config.json, else the environment; then serve until SIGTERM/SIGINT, draining.
try {
  const env = parseEnv(process.env)
  const log = consoleLogger(env.LOG_LEVEL)
  const source =
    env.SWITCHYARD_CONFIG ??
    (existsSync('switchyard.config.json') ? 'switchyard.config.json' : undefined)
  const text =
    source === undefined
      ? undefined
      : source.trimStart().startsWith('{')
        ? source
        : readFileSync(source, 'utf8')
  const input = text ?? defaultGatewayConfig(env)
  const { config, missing } = parseGatewayConfig(input, process.env, source ?? 'embedded default')
  if (missing.length) log.warn('config refers to unset environment variables', { missing })
  if (config.keys.length === 0 && isLoopback(env.HOST)) {
    const key = `sk-sy-dev-${randomBytes(24).toString('base64url')}`
    config.keys.push({ name: 'dev', key, models: ['*'], enabled: true })
    log.info('no gateway keys configured: generated a development key for this run', { key })
  }
  const upstream = undiciUpstream()
  const app = createApp(await buildDeps(config, { upstream, hasher: nodeHasher, logger: log }))
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) =>
    log.info('switchyard listening', {
      url: `http://${env.HOST}:${info.port}`,
      config: source ?? 'embedded default',
    }),
  )
  const shutdown = (signal: string): void => {
    log.info('shutting down: draining in-flight requests', { signal })
    server.close(() => void upstream.close().finally(() => process.exit(0)))
    // Keep-alive sockets go as soon as their in-flight response is done, not at their timeout.
    if ('closeIdleConnections' in server)
      setInterval(() => server.closeIdleConnections(), 50).unref()
    setTimeout(() => process.exit(1), 30_000).unref()
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(err.message)
  process.exit(1)
}
