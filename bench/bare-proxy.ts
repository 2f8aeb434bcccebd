import { createServer } from 'node:http'
import { Pool } from 'undici'

// The floor: node:http + an undici keep-alive Pool, forwarding the body and streaming the reply.
const port = Number(process.env['PORT'] ?? 9200)
const pool = new Pool(process.env['UPSTREAM'] ?? 'http://127.0.0.1:9100', {
  keepAliveTimeout: 60_000,
})

createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', async () => {
    try {
      const up = await pool.request({
        path: req.url ?? '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer upstream' },
        body: Buffer.concat(chunks),
      })
      res.writeHead(up.statusCode, {
        'content-type': String(up.headers['content-type'] ?? 'application/json'),
      })
      res.on('close', () => up.body.destroy())
      up.body.pipe(res)
    } catch {
      res.writeHead(502).end()
    }
  })
}).listen(port, '127.0.0.1', () => console.log(`bare proxy ready ${port}`))
