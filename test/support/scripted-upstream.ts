import {
  UpstreamStreamError,
  type UpstreamFailureKind,
  type UpstreamHttp,
  type UpstreamRequest,
  type UpstreamResult,
} from '../../src/core/ports.ts'

// The upstream port's in-memory twin: answers from a script, records what it was sent.

export type Step =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** A 200 SSE body, delivered as these chunks; `then` breaks it off after the last one. */
  | { stream: string[]; then?: UpstreamFailureKind }
  | { fail: UpstreamFailureKind }

const encoder = new TextEncoder()

export const okChat = (
  content = 'hello',
  usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
): Step => ({
  status: 200,
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  },
})

export function scriptedUpstream(
  ...script: Step[]
): UpstreamHttp & { requests: UpstreamRequest[]; push(...steps: Step[]): void } {
  const requests: UpstreamRequest[] = []
  const queue = [...script]
  return {
    requests,
    push: (...steps) => void queue.push(...steps),
    async request(req): Promise<UpstreamResult> {
      requests.push(req)
      const step = queue.shift() ?? okChat()
      if ('fail' in step) return { ok: false, kind: step.fail, message: `scripted ${step.fail}` }
      if ('stream' in step) {
        return {
          ok: true,
          response: {
            status: 200,
            header: (name) => (name === 'content-type' ? 'text/event-stream' : undefined),
            text: async () => step.stream.join(''),
            async *chunks() {
              for (const c of step.stream) yield encoder.encode(c)
              if (step.then) throw new UpstreamStreamError(step.then, `scripted ${step.then}`)
            },
          },
        }
      }
      const text = typeof step.body === 'string' ? step.body : JSON.stringify(step.body ?? {})
      const headers = Object.fromEntries(
        Object.entries(step.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      )
      return {
        ok: true,
        response: {
          status: step.status,
          header: (name) => headers[name],
          text: async () => text,
          async *chunks() {
            yield encoder.encode(text)
          },
        },
      }
    },
  }
}
