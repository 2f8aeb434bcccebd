import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { ROOT } from './support/gateway.ts'

// The Worker must bundle for deploy, and stay small: every KiB is cold-start time on the edge.
const BUDGET_GZIP_KIB = 200

it('builds the Worker with wrangler (dry run) within its size budget', async () => {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-dist-'))
  await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', out],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        WRANGLER_HIDE_BANNER: 'true',
      },
      timeout: 60_000,
    },
  )
  const bundle = readFileSync(join(out, 'worker.js'))
  const gzipKiB = gzipSync(bundle).length / 1024
  expect(gzipKiB).toBeLessThan(BUDGET_GZIP_KIB)
  // The Node-only parts must not leak into the edge bundle.
  const text = bundle.toString('utf8')
  expect(text).not.toContain('undici')
  expect(text).not.toContain('node:crypto')
}, 90_000)
