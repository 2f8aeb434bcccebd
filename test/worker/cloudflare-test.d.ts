// The few `cloudflare:test` helpers these tests use. The package's own declarations assume the
// Workers global types, which clash with @types/node in this single-tsconfig project.
declare module 'cloudflare:test' {
  import type { ExecutionContext } from 'hono'
  export function createExecutionContext(): ExecutionContext
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>
}
