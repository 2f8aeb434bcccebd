import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ROOT } from './support/gateway.ts'

// The Workers must bundle for deploy, and stay small: every KiB is cold-start time on the edge.

async function build(env?: string): Promise<Buffer> {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-dist-'))
  const args = ['deploy', '--dry-run', '--outdir', out, ...(env ? ['--env', env] : [])]
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/wrangler'), args, {
    cwd: ROOT,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_HIDE_BANNER: 'true',
    },
    timeout: 60_000,
  })
  const name = env === 'mongodb' ? 'worker-mongo.js' : 'worker.js'
  return readFileSync(join(out, name))
}

const kib = (b: Buffer): number => gzipSync(b).length / 1024

describe('wrangler deploy --dry-run', () => {
  it('builds the default Worker within 250 KiB gzipped, with no Node-only code', async () => {
    const bundle = await build()
    expect(kib(bundle)).toBeLessThan(250)
    const text = bundle.toString('utf8')
    expect(text).not.toContain('undici')
    expect(text).not.toContain('node:crypto')
    expect(text).not.toContain('MongoClient')
  }, 90_000)

  it('builds the MongoDB Worker with the driver inside', async () => {
    const bundle = await build('mongodb')
    expect(bundle.toString('utf8')).toContain('MongoClient')
    expect(kib(bundle)).toBeLessThan(500)
  }, 90_000)
})
