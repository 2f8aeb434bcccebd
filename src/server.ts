import { serve } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { nodeHasher } from './adapters/hasher-node.ts'
import { consoleLogger } from './adapters/logger-console.ts'
import { nodeClientIp, nodeConfigSource, nodeShared, nodeStore } from './adapters/node-runtime.ts'
import { webCryptoSealer } from './adapters/sealer-webcrypto.ts'
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

// Node entry: the embedded default. Wires config, store and adapters, then serves until
// SIGTERM/SIGINT, draining in-flight requests.
try {
  const env = parseEnv(process.env)
  const log = consoleLogger(env.LOG_LEVEL)
  const { input, source } = nodeConfigSource(env)
  const { config, missing } = parseGatewayConfig(
    input ?? defaultGatewayConfig(env),
    process.env,
    source,
  )
  if (missing.length) log.warn('config refers to unset environment variables', { missing })
  const store = await nodeStore(env)
  if (config.keys.length === 0 && (await store.listKeys()).length === 0 && isLoopback(env.HOST)) {
    const key = `sk-sy-dev-${randomBytes(24).toString('base64url')}`
    config.keys.push({ name: 'dev', key, models: ['*'], enabled: true })
    log.info('no gateway keys configured: generated a development key for this run', { key })
  }
  const sealer = env.SWITCHYARD_ENCRYPTION_KEY
    ? await webCryptoSealer(env.SWITCHYARD_ENCRYPTION_KEY)
    : undefined
  const admin = {
    token: env.SWITCHYARD_ADMIN_TOKEN,
    jwtSecret: env.SWITCHYARD_ADMIN_JWT_SECRET,
    jwksUrl: env.SWITCHYARD_ADMIN_JWKS_URL,
  }
  const upstream = undiciUpstream()
  const shared = await nodeShared(env)
  const parts = {
    ...shared,
    upstream,
    hasher: nodeHasher,
    logger: log,
    store,
    sealer,
    admin,
    env: process.env,
    clientIp: nodeClientIp,
    reloadMs: env.SWITCHYARD_RELOAD_MS,
  }
  const app = createApp(await buildDeps(config, parts))
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) =>
    log.info('switchyard listening', { url: `http://${env.HOST}:${info.port}`, config: source }),
  )
  const shutdown = (signal: string): void => {
    log.info('shutting down: draining in-flight requests', { signal })
    server.close(
      () => void Promise.all([upstream.close(), store.close()]).finally(() => process.exit(0)),
    )
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
