import { serve, type ServerType } from '@hono/node-server'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { nodeHasher } from '../../src/adapters/hasher-node.ts'
import { undiciUpstream } from '../../src/adapters/upstream-undici.ts'
import { memoryUsageSink, type MemoryUsageSink } from '../../src/adapters/usage-memory.ts'
import { parseGatewayConfig } from '../../src/config.ts'
import type { GatewayConfigInput } from '../../src/core/gateway-config.ts'
import type { Clock, Random } from '../../src/core/ports.ts'
import { buildDeps } from '../../src/deps.ts'
import { createApp } from '../../src/http/app.ts'
import { silentLogger } from './fixed.ts'

export const ROOT = new URL('../../', import.meta.url).pathname

export interface InProcessGateway {
  url: string
  usage: MemoryUsageSink
  close(): Promise<void>
}

/** The real app and the real undici upstream on a real port, inside the test process. */
export async function startGateway(
  config: GatewayConfigInput,
  opts: { clock?: Clock; random?: Random } = {},
): Promise<InProcessGateway> {
  const { config: parsed } = parseGatewayConfig(config, {}, 'test')
  const upstream = undiciUpstream()
  const usage = memoryUsageSink()
  const deps = await buildDeps(parsed, {
    upstream,
    hasher: nodeHasher,
    logger: silentLogger,
    usage,
    ...opts,
  })
  const app = createApp(deps)
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    usage,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await upstream.close()
    },
  }
}

export interface SpawnedGateway {
  url: string
  proc: ChildProcess
  output(): string
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

// Variables the gateway reads: never inherited from the machine running the tests, only given.
const GATEWAY_VARS =
  /^(SWITCHYARD_|MONGODB_|REDIS_URL|UPSTASH_|OPENAI_|ANTHROPIC_|GEMINI_|GOOGLE_API_KEY|COHERE_|PORT$|HOST$|LOG_LEVEL)/

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !GATEWAY_VARS.test(e[0]),
    ),
  )
}

/** `node src/server.ts` as its own process, the way `npm start` runs it. */
export async function spawnGateway(opts: {
  config?: unknown
  env?: Record<string, string>
}): Promise<SpawnedGateway> {
  const env: Record<string, string> = {
    ...cleanEnv(),
    PORT: '0',
    HOST: '127.0.0.1',
    ...opts.env,
  }
  delete env['SWITCHYARD_CONFIG']
  if (opts.config !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-'))
    const file = join(dir, 'switchyard.config.json')
    writeFileSync(file, typeof opts.config === 'string' ? opts.config : JSON.stringify(opts.config))
    env['SWITCHYARD_CONFIG'] = file
  }
  if (opts.env?.['SWITCHYARD_CONFIG']) env['SWITCHYARD_CONFIG'] = opts.env['SWITCHYARD_CONFIG']
  const proc = spawn(process.execPath, ['src/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 15_000)
    const check = (): void => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    proc.stdout?.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`gateway exited with ${code}:\n${out}`))
    })
  }).catch((err: unknown) => {
    proc.kill('SIGKILL')
    throw err
  })

  return {
    url,
    proc,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return proc.exitCode
      proc.kill(signal)
      return exited
    },
  }
}

/** Runs `node src/server.ts` to exit and returns its code and output (for start-up failures). */
export function runGatewayToExit(
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const full: Record<string, string> = {
      ...cleanEnv(),
      PORT: '0',
      ...env,
    }
    if (!env['SWITCHYARD_CONFIG']) delete full['SWITCHYARD_CONFIG']
    const proc = spawn(process.execPath, ['src/server.ts'], {
      cwd: ROOT,
      env: full,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
