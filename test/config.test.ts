import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  defaultGatewayConfig,
  interpolate,
  parseEnv,
  parseGatewayConfig,
} from '../src/config.ts'
import { nodeHasher } from '../src/adapters/hasher-node.ts'
import { compileGateway } from '../src/core/gateway.ts'
import { EXAMPLE_CONFIG } from './support/example-config.ts'

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('the gateway config', () => {
  it('accepts the documented example exactly as written', () => {
    const { config, missing } = parseGatewayConfig(
      EXAMPLE_CONFIG,
      { UPSTREAM_KEY: 'up-1', PROBE_KEY: 'sk-probe-1234' },
      'example',
    )
    expect(missing).toEqual([])
    expect(config.providers['local']?.apiKey).toBe('up-1')
    expect(config.keys[0]?.key).toBe('sk-probe-1234')
    expect(config.timeouts.attemptMs).toBe(60_000)
  })

  it('replaces ${NAME} and ${NAME:-default}, and reports names that are unset', () => {
    const missing = new Set<string>()
    const out = interpolate(
      { a: 'Bearer ${A}', b: ['${B:-fallback}'], c: '${C}' },
      { A: 'x' },
      missing,
    )
    expect(out).toEqual({ a: 'Bearer x', b: ['fallback'], c: '' })
    expect([...missing]).toEqual(['C'])
  })

  it('names the bad field when a target points at an unknown provider', () => {
    const msg = errorOf(() =>
      parseGatewayConfig(
        { providers: {}, models: { m: { targets: [{ provider: 'ghost' }] } } },
        {},
        'f.json',
      ),
    )
    expect(msg).toContain('f.json')
    expect(msg).toContain('models.m.targets.0.provider: unknown provider "ghost"')
  })

  it('rejects misspelt fields instead of ignoring them', () => {
    const msg = errorOf(() =>
      parseGatewayConfig(
        JSON.stringify({ providers: { p: { type: 'openai', baseURL: 'http://x' } } }),
        {},
        'f',
      ),
    )
    expect(msg).toContain('providers.p')
    expect(msg).toContain('baseURL')
  })

  it('requires exactly one of key and hash, and a well-formed hash', () => {
    expect(errorOf(() => parseGatewayConfig({ keys: [{ name: 'a' }] }, {}, 'f'))).toContain(
      'keys.0.key',
    )
    expect(
      errorOf(() => parseGatewayConfig({ keys: [{ name: 'a', hash: 'md5:abc' }] }, {}, 'f')),
    ).toContain('keys.0.hash')
  })

  it('says which variable was unset when a key is left empty by it', () => {
    const msg = errorOf(() => parseGatewayConfig(EXAMPLE_CONFIG, { UPSTREAM_KEY: 'u' }, 'f'))
    expect(msg).toContain('keys.0.key')
    expect(msg).toContain('PROBE_KEY')
  })

  it('requires a baseUrl for providers that have no public address', () => {
    expect(
      errorOf(() => parseGatewayConfig({ providers: { v: { type: 'vllm' } } }, {}, 'f')),
    ).toContain('providers.v.baseUrl')
  })

  it('rejects a file that is not JSON', () => {
    expect(errorOf(() => parseGatewayConfig('{ nope', {}, 'bad.json'))).toContain('not valid JSON')
  })
})

describe('the embedded default', () => {
  it('enables OpenAI from OPENAI_API_KEY, passes any model through, and takes keys from SWITCHYARD_API_KEYS', () => {
    const env = parseEnv({
      OPENAI_API_KEY: 'sk-openai',
      SWITCHYARD_API_KEYS: 'sk-one-key, sk-two-key',
    })
    const { config } = parseGatewayConfig(defaultGatewayConfig(env), {}, 'default')
    expect(config.providers['openai']).toMatchObject({ type: 'openai', apiKey: 'sk-openai' })
    expect(config.models['*']?.targets).toEqual([{ provider: 'openai' }])
    expect(config.keys.map((k) => k.key)).toEqual(['sk-one-key', 'sk-two-key'])
  })

  it('routes model families to the native providers whose keys are set', async () => {
    const env = parseEnv({
      ANTHROPIC_API_KEY: 'sk-ant',
      GEMINI_API_KEY: 'AIza',
      OPENAI_API_KEY: 'sk-o',
    })
    const { config } = parseGatewayConfig(defaultGatewayConfig(env), {}, 'default')
    const gw = await compileGateway(config, nodeHasher, 0)
    const route = (m: string) => gw.resolve(m)?.map((t) => `${t.providerId}:${t.model}`)
    expect(route('claude-sonnet-5-5')).toEqual(['anthropic:claude-sonnet-5-5'])
    expect(route('gemini-2.5-flash')).toEqual(['gemini:gemini-2.5-flash'])
    expect(route('gpt-4.1')).toEqual(['openai:gpt-4.1'])
    expect(route('command-a-03-2025')).toEqual(['openai:command-a-03-2025'])
  })

  it('serves an OpenAI-compatible server named by OPENAI_BASE_URL, without a key', () => {
    const env = parseEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })
    const { config } = parseGatewayConfig(defaultGatewayConfig(env), {}, 'default')
    expect(config.providers['openai']?.baseUrl).toBe('http://127.0.0.1:11434/v1')
  })

  it('reads PORT and HOST with their defaults, and rejects a bad PORT', () => {
    expect(parseEnv({})).toMatchObject({ PORT: 8787, HOST: '127.0.0.1' })
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/)
  })
})
