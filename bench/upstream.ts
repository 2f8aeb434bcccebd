import { createServer } from 'node:http'

// The benchmark's upstream: answers as fast as a node:http server can, in OpenAI's wire format.
// POST /v1/chat/completions: a fixed completion, or with "stream": true, EVENTS chunks + [DONE].
const port = Number(process.env['PORT'] ?? 9100)
const events = Number(process.env['EVENTS'] ?? 50)
const eventGapMs = Number(process.env['EVENT_GAP_MS'] ?? 0)

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1721172741,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
})
const chunk = (content: string) =>
  `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1721172741,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"${content}"},"logprobs":null,"finish_reason":null}]}\n\n`
const usageChunk = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1721172741,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${events},"total_tokens":${12 + events}}}\n\n`

createServer((req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => (body += c.toString()))
  req.on('end', async () => {
    if (!body.includes('"stream":true')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(completion),
      })
      return res.end(completion)
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    let closed = false
    res.on('close', () => (closed = true))
    for (let i = 0; i < events && !closed; i++) {
      res.write(chunk(` tok${i}`))
      if (eventGapMs) await new Promise((r) => setTimeout(r, eventGapMs))
    }
    if (closed) return
    if (body.includes('"include_usage":true')) res.write(usageChunk)
    res.end('data: [DONE]\n\n')
  })
}).listen(port, '127.0.0.1', () => console.log(`upstream ready ${port}`)).keepAliveTimeout = 60_000
