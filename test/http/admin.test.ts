import { Validator } from '@seriousme/openapi-schema-validator'
import { sign } from 'hono/jwt'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { nodeHasher } from '../../src/adapters/hasher-node.ts'
import { webCryptoSealer } from '../../src/adapters/sealer-webcrypto.ts'
import { memoryStore } from '../../src/adapters/store-memory.ts'
import { parseGatewayConfig } from '../../src/config.ts'
import type { Store } from '../../src/core/store.ts'
import { buildDeps } from '../../src/deps.ts'
import { createApp } from '../../src/http/app.ts'
import { manualClock, silentLogger } from '../support/fixed.ts'
import { okChat, scriptedUpstream } from '../support/scripted-upstream.ts'

const TOKEN = 'admin-token-0123456789'
const JWT_SECRET = 'jwt-secret-0123456789abcdef'
const ENC_KEY = Buffer.alloc(32, 7).toString('base64')

async function setup(opts: { sealer?: boolean } = {}) {
  const { config } = parseGatewayConfig(
    {
      providers: { base: { type: 'openai', baseUrl: 'http://base.test/v1', apiKey: 'k' } },
      models: { 'gpt-4o-mini': { targets: [{ provider: 'base' }] } },
      keys: [{ name: 'file-key', key: 'sk-file-key-123' }],
    },
    {},
    'test',
  )
  const store: Store = memoryStore()
  const clock = manualClock(Date.parse('2026-11-22T00:00:00Z'))
  const upstream = scriptedUpstream()
  const deps = await buildDeps(config, {
    upstream,
    hasher: nodeHasher,
    logger: silentLogger,
    store,
    clock,
    sealer: opts.sealer === false ? undefined : await webCryptoSealer(ENC_KEY),
    admin: { token: TOKEN, jwtSecret: JWT_SECRET },
    clientIp: (c) => c.req.header('x-test-ip'),
    env: { VENDOR_KEY: 'from-env' },
  })
  const app = createApp(deps)
  const call = async (method: string, path: string, body?: unknown, auth = TOKEN) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      res,
    }
  }
  return { app, call, store, clock, upstream }
}

const chat = (key: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
})

describe('admin API auth', () => {
  it('refuses missing and wrong credentials with 401 in the error envelope', async () => {
    const { app, call } = await setup()
    expect((await app.request('/admin/v1/keys')).status).toBe(401)
    const wrong = await call('GET', '/admin/v1/keys', undefined, 'nope-nope-nope')
    expect(wrong.status).toBe(401)
    expect((wrong.body['error'] as { code: string }).code).toBe('admin_unauthorized')
  })

  it('accepts the admin token, an HS256 JWT, and a gateway key with the admin scope', async () => {
    const { call } = await setup()
    expect((await call('GET', '/admin/v1/keys')).status).toBe(200)
    const jwt = await sign(
      { sub: 'ops', exp: Math.floor(Date.now() / 1000) + 60 },
      JWT_SECRET,
      'HS256',
    )
    expect((await call('GET', '/admin/v1/keys', undefined, jwt)).status).toBe(200)
    const expired = await sign(
      { sub: 'ops', exp: Math.floor(Date.now() / 1000) - 60 },
      JWT_SECRET,
      'HS256',
    )
    expect((await call('GET', '/admin/v1/keys', undefined, expired)).status).toBe(401)
    const created = await call('POST', '/admin/v1/keys', { name: 'ops', scopes: ['admin'] })
    expect(
      (await call('GET', '/admin/v1/keys', undefined, created.body['key'] as string)).status,
    ).toBe(200)
    const plain = await call('POST', '/admin/v1/keys', { name: 'app' })
    expect(
      (await call('GET', '/admin/v1/keys', undefined, plain.body['key'] as string)).status,
    ).toBe(401)
  })
})

describe('admin API auth by JWKS', () => {
  it('accepts a JWT signed by a key the JWKS URL publishes, and refuses one signed by another', async () => {
    const pair = async (kid: string) => {
      const keys = (await crypto.subtle.generateKey(
        {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair
      const priv = { ...(await crypto.subtle.exportKey('jwk', keys.privateKey)), kid, alg: 'RS256' }
      const pub = {
        ...(await crypto.subtle.exportKey('jwk', keys.publicKey)),
        kid,
        alg: 'RS256',
        use: 'sig',
      }
      return { priv, pub }
    }
    const trusted = await pair('trusted-1')
    const rogue = await pair('rogue-1')
    const jwks = createServer((_, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [trusted.pub] })),
    )
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
    try {
      const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`
      const { config } = parseGatewayConfig({}, {}, 'test')
      const deps = await buildDeps(config, {
        upstream: scriptedUpstream(),
        hasher: nodeHasher,
        logger: silentLogger,
        admin: { jwksUrl },
      })
      const app = createApp(deps)
      const exp = Math.floor(Date.now() / 1000) + 60
      const good = await sign({ sub: 'ops', exp }, trusted.priv as never, 'RS256')
      const bad = await sign(
        { sub: 'ops', exp },
        { ...rogue.priv, kid: 'trusted-1' } as never,
        'RS256',
      )
      const call = (token: string) =>
        app.request('/admin/v1/keys', { headers: { authorization: `Bearer ${token}` } })
      expect((await call(good)).status).toBe(200)
      expect((await call(bad)).status).toBe(401)
    } finally {
      await new Promise<void>((resolve) => jwks.close(() => resolve()))
    }
  })
})

describe('admin API: keys', () => {
  it('creates a key shown once, usable at once, stored only as a hash', async () => {
    const { app, call, store } = await setup()
    const created = await call('POST', '/admin/v1/keys', {
      name: 'mobile',
      owner: 'team-a',
      models: ['gpt-4o-*'],
      tier: 'gold',
      metadata: { app: 'ios' },
    })
    expect(created.status).toBe(201)
    const key = created.body['key'] as string
    expect(key).toMatch(/^sk-sy-[a-z2-7]{12}-[A-Za-z0-9_-]{43}$/)
    expect(created.body).toMatchObject({
      name: 'mobile',
      owner: 'team-a',
      scopes: ['chat', 'embeddings', 'messages'],
      tier: 'gold',
      enabled: true,
    })
    expect((await app.request('/v1/chat/completions', chat(key))).status).toBe(200)
    const stored = JSON.stringify(await store.listKeys())
    expect(stored).not.toContain(key)
    const listed = await call('GET', '/admin/v1/keys')
    expect(JSON.stringify(listed.body)).not.toContain('sha256:')
    expect(JSON.stringify(listed.body)).not.toContain(key)
  })

  it('revokes, disables and expires keys with immediate effect', async () => {
    const { app, call, clock } = await setup()
    const a = await call('POST', '/admin/v1/keys', { name: 'a' })
    const b = await call('POST', '/admin/v1/keys', {
      name: 'b',
      expiresAt: new Date(clock.now() + 60_000).toISOString(),
    })
    const c = await call('POST', '/admin/v1/keys', { name: 'c' })
    expect((await call('DELETE', `/admin/v1/keys/${a.body['id']}`)).status).toBe(204)
    expect((await call('DELETE', `/admin/v1/keys/${a.body['id']}`)).status).toBe(404)
    const revoked = await app.request('/v1/chat/completions', chat(a.body['key'] as string))
    expect(revoked.status).toBe(401)
    await call('PATCH', `/admin/v1/keys/${c.body['id']}`, { enabled: false })
    expect((await app.request('/v1/chat/completions', chat(c.body['key'] as string))).status).toBe(
      401,
    )
    expect((await app.request('/v1/chat/completions', chat(b.body['key'] as string))).status).toBe(
      200,
    )
    clock.advance(61_000)
    const expired = await app.request('/v1/chat/completions', chat(b.body['key'] as string))
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('key_expired')
  })

  it('enforces IP allowlists (IPv4 and IPv6) and scopes with 403', async () => {
    const { app, call } = await setup()
    const k = (
      await call('POST', '/admin/v1/keys', {
        name: 'office',
        ips: ['192.168.1.0/24', '2001:db8::/32'],
        scopes: ['embeddings'],
      })
    ).body
    const ok = await app.request('/v1/models', {
      headers: { authorization: `Bearer ${k['key']}`, 'x-test-ip': '2001:db8::7' },
    })
    expect(ok.status).toBe(200)
    const elsewhere = await app.request('/v1/models', {
      headers: { authorization: `Bearer ${k['key']}`, 'x-test-ip': '203.0.113.9' },
    })
    expect(elsewhere.status).toBe(403)
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe(
      'ip_not_allowed',
    )
    const wrongScope = await app.request(
      '/v1/chat/completions',
      chat(k['key'] as string, { 'x-test-ip': '192.168.1.20' }),
    )
    expect(wrongScope.status).toBe(403)
    expect(((await wrongScope.json()) as { error: { code: string } }).error.code).toBe(
      'scope_not_allowed',
    )
    expect((await call('POST', '/admin/v1/keys', { name: 'x', ips: ['300.1.1.1/8'] })).status).toBe(
      400,
    )
  })

  it('rotates: the old secret works during the grace period and not after', async () => {
    const { app, call, clock } = await setup()
    const first = (await call('POST', '/admin/v1/keys', { name: 'svc' })).body
    const rotated = await call('POST', `/admin/v1/keys/${first['id']}/rotate`, {
      gracePeriodSeconds: 300,
    })
    expect(rotated.status).toBe(200)
    expect(rotated.body['id']).toBe(first['id'])
    expect(rotated.body['key']).not.toBe(first['key'])
    expect(rotated.body['previousKeyValidUntil']).toBe(
      new Date(clock.now() + 300_000).toISOString(),
    )
    expect((await app.request('/v1/chat/completions', chat(first['key'] as string))).status).toBe(
      200,
    )
    expect(
      (await app.request('/v1/chat/completions', chat(rotated.body['key'] as string))).status,
    ).toBe(200)
    clock.advance(301_000)
    const old = await app.request('/v1/chat/completions', chat(first['key'] as string))
    expect(old.status).toBe(401)
    expect(((await old.json()) as { error: { code: string } }).error.code).toBe('key_rotated')
    expect(
      (await app.request('/v1/chat/completions', chat(rotated.body['key'] as string))).status,
    ).toBe(200)
  })

  it('validates bodies and answers unknown keys with 404', async () => {
    const { call } = await setup()
    const bad = await call('POST', '/admin/v1/keys', { name: '', scopes: ['root'] })
    expect(bad.status).toBe(400)
    expect((bad.body['error'] as { param: string }).param).toMatch(/name|scopes/)
    expect((await call('POST', '/admin/v1/keys', { name: 'x', surprise: true })).status).toBe(400)
    expect((await call('GET', '/admin/v1/keys/nope')).status).toBe(404)
    expect((await call('PATCH', '/admin/v1/keys/nope', { enabled: false })).status).toBe(404)
  })
})

describe('admin API: providers and routes', () => {
  it('stores provider credentials encrypted and never returns them', async () => {
    const { call, store } = await setup()
    const put = await call('PUT', '/admin/v1/providers/vendor', {
      type: 'groq',
      apiKey: 'gsk_secret_value',
    })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ id: 'vendor', type: 'groq', apiKeySet: true, source: 'admin' })
    expect(JSON.stringify(put.body)).not.toContain('gsk_secret_value')
    const stored = (await store.listProviders())[0]?.config.apiKey ?? ''
    expect(stored).toMatch(/^enc:v1:/)
    expect(stored).not.toContain('gsk_secret_value')
    const list = await call('GET', '/admin/v1/providers')
    expect(JSON.stringify(list.body)).not.toContain('gsk_secret_value')
    expect(
      (list.body['data'] as { id: string; source: string }[]).map((p) => [p.id, p.source]),
    ).toEqual([
      ['base', 'config'],
      ['vendor', 'admin'],
    ])
  })

  it('refuses plaintext credentials without an encryption key, but takes ${ENV} references', async () => {
    const { call } = await setup({ sealer: false })
    const plain = await call('PUT', '/admin/v1/providers/v', { type: 'openai', apiKey: 'sk-live' })
    expect(plain.status).toBe(400)
    expect((plain.body['error'] as { message: string }).message).toContain(
      'SWITCHYARD_ENCRYPTION_KEY',
    )
    expect(
      (await call('PUT', '/admin/v1/providers/v', { type: 'openai', apiKey: '${VENDOR_KEY}' }))
        .status,
    ).toBe(200)
  })

  it('applies a new provider and route to the gateway without a restart', async () => {
    const { app, call, upstream } = await setup()
    const key = (await call('POST', '/admin/v1/keys', { name: 'k' })).body['key'] as string
    const req = (model: string) => ({
      ...chat(key),
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect((await app.request('/v1/chat/completions', req('fast'))).status).toBe(404)
    await call('PUT', '/admin/v1/providers/vendor', {
      type: 'openai',
      baseUrl: 'http://vendor.test/v1',
      apiKey: 'sk-vendor',
    })
    const route = await call('PUT', '/admin/v1/routes/fast', {
      targets: [{ provider: 'vendor', model: 'small-model' }],
      contextWindow: 32000,
    })
    expect(route.status).toBe(200)
    upstream.push(okChat('from vendor'))
    const res = await app.request('/v1/chat/completions', req('fast'))
    expect(res.status).toBe(200)
    const sent = upstream.requests.at(-1)
    expect(sent?.url).toBe('http://vendor.test/v1/chat/completions')
    expect(sent?.headers['authorization']).toBe('Bearer sk-vendor') // opened from its sealed form
    expect(JSON.parse(sent?.body ?? '{}').model).toBe('small-model')
  })

  it('validates routes against known providers, and protects what is in use or in the config file', async () => {
    const { call } = await setup()
    const bad = await call('PUT', '/admin/v1/routes/r', { targets: [{ provider: 'ghost' }] })
    expect(bad.status).toBe(400)
    expect((bad.body['error'] as { message: string }).message).toContain('targets.0.provider')
    expect((await call('PUT', '/admin/v1/routes/r', { targets: [] })).status).toBe(400)
    expect((await call('DELETE', '/admin/v1/providers/base')).status).toBe(409) // used by gpt-4o-mini
    expect((await call('DELETE', '/admin/v1/routes/gpt-4o-mini')).status).toBe(409) // from the file
    expect((await call('DELETE', '/admin/v1/routes/nope')).status).toBe(404)
  })
})

describe('admin API: usage and docs', () => {
  it('reports usage per key, model and day', async () => {
    const { app, call } = await setup()
    const key = (await call('POST', '/admin/v1/keys', { name: 'reporting' })).body['key'] as string
    await app.request('/v1/chat/completions', chat(key))
    await app.request('/v1/chat/completions', chat(key))
    await app.request('/v1/chat/completions', chat('sk-file-key-123'))
    const usage = await call(
      'GET',
      '/admin/v1/usage?groupBy=key,model,day&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
    )
    expect(usage.status).toBe(200)
    expect(usage.body['rows']).toEqual([
      {
        day: '2026-11-22',
        key: 'file-key',
        model: 'gpt-4o-mini',
        requests: 1,
        errors: 0,
        promptTokens: 5,
        completionTokens: 2,
        costUsd: 0,
      },
      {
        day: '2026-11-22',
        key: 'reporting',
        model: 'gpt-4o-mini',
        requests: 2,
        errors: 0,
        promptTokens: 10,
        completionTokens: 4,
        costUsd: 0,
      },
    ])
    expect((await call('GET', '/admin/v1/usage?groupBy=color')).status).toBe(400)
  })

  it('serves a valid OpenAPI 3.1 document and the Swagger UI page', async () => {
    const { app } = await setup()
    const doc = (await (await app.request('/openapi.json')).json()) as {
      openapi: string
      paths: Record<string, unknown>
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/v1/providers',
        '/admin/v1/routes/{name}',
        '/admin/v1/keys',
        '/admin/v1/keys/{id}/rotate',
        '/admin/v1/usage',
      ]),
    )
    const result = await new Validator().validate(doc as never)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    const docs = await app.request('/docs')
    expect(docs.status).toBe(200)
    const html = await docs.text()
    expect(html).toContain('swagger-ui')
    expect(html).toContain('/openapi.json')
  })
})
