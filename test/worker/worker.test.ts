import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import worker from '../../src/worker.ts'

const KEY = 'sk-sy-worker-test-key'

function envFor(upstreamUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOG_LEVEL: 'silent',
    UPSTREAM_KEY: 'sk-upstream-worker',
    SWITCHYARD_CONFIG: JSON.stringify({
      providers: {
        local: { type: 'openai', baseUrl: `${upstreamUrl}/v1`, apiKey: '${UPSTREAM_KEY}' },
      },
      models: { 'gpt-4o-mini': { targets: [{ provider: 'local' }] } },
      keys: [{ name: 'worker', key: KEY }],
    }),
    ...extra,
  }
}

async function call(
  env: Record<string, string>,
  path: string,
  body?: unknown,
  key = KEY,
): Promise<Response> {
  const ctx = createExecutionContext()
  const req = new Request(`https://gateway.example${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'x-request-id': 'worker-req-1',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const res = await worker.fetch(req, env, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

describe('the Worker entry in workerd', () => {
  const env = envFor(inject('upstreamUrl'))
  const chat = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hello from the edge' }],
  }

  it('sends a chat completion through the Worker to a loopback upstream', async () => {
    const res = await call(env, '/v1/chat/completions', chat)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBe('worker-req-1')
    const json = (await res.json()) as {
      choices: { message: { content: string } }[]
      usage: { total_tokens: number }
    }
    expect(json.choices[0]?.message.content).toBe('You said: hello from the edge')
    expect(json.usage.total_tokens).toBeGreaterThan(0)
  })

  it('streams a chat completion event by event and ends with [DONE]', async () => {
    const res = await call(env, '/v1/chat/completions', {
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const text = await res.text()
    const data = text
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''))
    expect(data.at(-1)).toBe('[DONE]')
    const chunks = data.slice(0, -1).map(
      (d) =>
        JSON.parse(d) as {
          choices: { delta: { content?: string } }[]
          usage?: { total_tokens: number } | null
        },
    )
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(content).toBe('You said: hello from the edge')
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0)
  })

  it('answers Anthropic /v1/messages (x-api-key) through the translation to an OpenAI upstream', async () => {
    const ctx = createExecutionContext()
    const req = new Request('https://gateway.example/v1/messages', {
      method: 'POST',
      headers: {
        'x-api-key': KEY,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'from claude code' }],
      }),
    })
    const res = await worker.fetch(req, env, ctx)
    await waitOnExecutionContext(ctx)
    expect(res.status).toBe(200)
    const msg = (await res.json()) as {
      type: string
      content: { type: string; text: string }[]
      stop_reason: string
    }
    expect(msg.type).toBe('message')
    expect(msg.content[0]?.text).toBe('You said: from claude code')
    expect(msg.stop_reason).toBe('end_turn')
  })

  it('manages keys through the admin API on Workers', async () => {
    const adminEnv = envFor(inject('upstreamUrl'), {
      SWITCHYARD_ADMIN_TOKEN: 'worker-admin-token-123',
    })
    const ctx = createExecutionContext()
    const created = await worker.fetch(
      new Request('https://gateway.example/admin/v1/keys', {
        method: 'POST',
        headers: {
          authorization: 'Bearer worker-admin-token-123',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'edge-app', models: ['gpt-4o-mini'] }),
      }),
      adminEnv,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(created.status).toBe(201)
    const { key, id } = (await created.json()) as { key: string; id: string }
    const ok = await call(adminEnv, '/v1/chat/completions', chat, key)
    expect(ok.status).toBe(200)
    const del = await worker.fetch(
      new Request(`https://gateway.example/admin/v1/keys/${id}`, {
        method: 'DELETE',
        headers: { authorization: 'Bearer worker-admin-token-123' },
      }),
      adminEnv,
      createExecutionContext(),
    )
    expect(del.status).toBe(204)
    expect((await call(adminEnv, '/v1/chat/completions', chat, key)).status).toBe(401)
    const doc = await worker.fetch(
      new Request('https://gateway.example/openapi.json'),
      adminEnv,
      createExecutionContext(),
    )
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0')
  })

  it('refuses a wrong key with 401 in OpenAI envelope', async () => {
    const res = await call(env, '/v1/chat/completions', chat, 'sk-wrong-key-000')
    expect(res.status).toBe(401)
    const json = (await res.json()) as { error: { code: string; type: string } }
    expect(json.error.code).toBe('invalid_api_key')
  })

  it('answers 503 naming the bad field when SWITCHYARD_CONFIG is invalid', async () => {
    const bad = envFor(inject('upstreamUrl'), {
      SWITCHYARD_CONFIG: JSON.stringify({ providers: { x: { type: 'nope' } } }),
    })
    const res = await call(bad, '/v1/models')
    expect(res.status).toBe(503)
    const json = (await res.json()) as { error: { message: string } }
    expect(json.error.message).toContain('providers.x.type')
  })
})
