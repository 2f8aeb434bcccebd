import { describe, expect, it } from 'vitest'
import { nodeHasher } from '../../src/adapters/hasher-node.ts'
import { checkKey, routeForKey } from '../../src/core/auth.ts'
import { compileGateway, hashSecret } from '../../src/core/gateway.ts'
import { gatewayConfigSchema } from '../../src/core/gateway-config.ts'

const NOW = Date.parse('2026-06-01T00:00:00Z')

async function gateway() {
  const config = gatewayConfigSchema.parse({
    providers: {
      oa: { type: 'openai', apiKey: 'x' },
      groq: { type: 'groq', apiKey: 'y' },
      local: { type: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' },
    },
    models: {
      'gpt-4o-mini': {
        targets: [{ provider: 'oa' }, { provider: 'groq', model: 'llama-3.1-8b-instant' }],
      },
      'llama-*': { targets: [{ provider: 'local' }] },
    },
    keys: [
      { name: 'all', key: 'sk-all-secret' },
      { name: 'mini', key: 'sk-mini-secret', models: ['gpt-4o-*'] },
      { name: 'old', key: 'sk-old-secret', expiresAt: '2026-01-01T00:00:00Z' },
      { name: 'off', key: 'sk-off-secret', enabled: false },
      { name: 'hashed', hash: await hashSecret(nodeHasher, 'sk-hashed-secret') },
    ],
  })
  return compileGateway(config, nodeHasher, NOW)
}

describe('routing', () => {
  it('maps a model to its ordered targets, defaulting the upstream model to the route name', async () => {
    const gw = await gateway()
    expect(gw.resolve('gpt-4o-mini')?.map((t) => [t.providerId, t.model])).toEqual([
      ['oa', 'gpt-4o-mini'],
      ['groq', 'llama-3.1-8b-instant'],
    ])
  })

  it('routes provider/model names straight to a configured provider', async () => {
    const gw = await gateway()
    expect(gw.resolve('groq/mixtral-8x7b')?.map((t) => [t.providerId, t.model])).toEqual([
      ['groq', 'mixtral-8x7b'],
    ])
    expect(gw.resolve('nobody/model')).toBeUndefined()
  })

  it('matches glob routes and passes the requested name upstream', async () => {
    const gw = await gateway()
    expect(gw.resolve('llama-3.3-70b')?.map((t) => [t.providerId, t.model])).toEqual([
      ['local', 'llama-3.3-70b'],
    ])
    expect(gw.resolve('mistral-large')).toBeUndefined()
  })
})

describe('keys', () => {
  it('accepts a plaintext-configured key and a hash-configured key', async () => {
    const gw = await gateway()
    const a = await checkKey(gw, nodeHasher, 'sk-all-secret', NOW)
    const b = await checkKey(gw, nodeHasher, 'sk-hashed-secret', NOW)
    expect(a.ok && a.key.name).toBe('all')
    expect(b.ok && b.key.name).toBe('hashed')
  })

  it('returns a reason, not an exception, for missing, wrong, expired and disabled keys', async () => {
    const gw = await gateway()
    const codes = await Promise.all(
      [undefined, 'sk-nope', 'sk-old-secret', 'sk-off-secret'].map(async (s) => {
        const r = await checkKey(gw, nodeHasher, s, NOW)
        return r.ok ? 'ok' : r.code
      }),
    )
    expect(codes).toEqual(['missing_api_key', 'invalid_api_key', 'key_expired', 'key_disabled'])
  })

  it('refuses models outside a key allowlist with 403 before revealing whether they exist', async () => {
    const gw = await gateway()
    const check = await checkKey(gw, nodeHasher, 'sk-mini-secret', NOW)
    if (!check.ok) throw new Error('key should be valid')
    const denied = routeForKey(gw, check.key, 'llama-3')
    const unknown = routeForKey(gw, check.key, 'gpt-4o-nonexistent')
    expect(!denied.ok && denied.error.status).toBe(403)
    expect(!unknown.ok && unknown.error.status).toBe(404)
    expect(gw.modelsFor(check.key)).toEqual(['gpt-4o-mini'])
  })
})
