import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import { closedPort } from './ports.ts'

// A real redis-server for the tests: started on a free loopback port with persistence off, or
// the one REDIS_URL names. Tests that stop Redis always get their own.

export interface TestRedis {
  url: string
  port: number
  stop(): Promise<void>
  start(): Promise<void>
}

const waitForPort = (port: number, timeoutMs = 5_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const end = Date.now() + timeoutMs
    const tryOnce = (): void => {
      const s = createConnection(port, '127.0.0.1')
      s.once('connect', () => {
        s.destroy()
        resolve()
      })
      s.once('error', () => {
        s.destroy()
        if (Date.now() > end) reject(new Error(`redis did not start on ${port}`))
        else setTimeout(tryOnce, 50)
      })
    }
    tryOnce()
  })

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0
}

export async function startRedis(opts: { own?: boolean } = {}): Promise<TestRedis> {
  const given = process.env['REDIS_URL']
  if (given && !opts.own) {
    return {
      url: given,
      port: Number(new URL(given).port || 6379),
      stop: async () => undefined,
      start: async () => undefined,
    }
  }
  if (!hasRedisServer())
    throw new Error(
      'redis-server is not installed (apt-get install -y redis-server), and REDIS_URL is not set',
    )
  const port = await closedPort()
  let proc: ChildProcess | undefined
  const start = async (): Promise<void> => {
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    await waitForPort(port)
  }
  const stop = async (): Promise<void> => {
    const p = proc
    proc = undefined
    if (!p || p.exitCode !== null) return
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve())
      p.kill('SIGKILL')
    })
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, stop, start }
}
