import { readFileSync } from 'node:fs'

/** The config file from issue #2, byte for byte; the benchmark runs the gateway with it too. */
export const EXAMPLE_CONFIG = readFileSync(
  new URL('../../bench/example.config.json', import.meta.url),
  'utf8',
)
