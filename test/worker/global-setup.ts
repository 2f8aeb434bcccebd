import type { TestProject } from 'vitest/node'
import { startFakeOpenAI } from '../support/fake-openai.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamUrl: string
  }
}

// The fake upstream runs in Node; the Worker under test reaches it over loopback with real fetch.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeOpenAI({ apiKey: 'sk-upstream-worker' })
  project.provide('upstreamUrl', fake.url)
  return () => fake.close()
}
