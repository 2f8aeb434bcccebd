import { anthropic } from './anthropic/provider.ts'
import { azureOpenAI } from './azure-openai.ts'
import { cohere } from './cohere.ts'
import { gemini } from './gemini/provider.ts'
import { openAICompatible, type OpenAICompatibleSpec } from './openai-compatible.ts'
import type { ProviderConfig } from '../core/gateway-config.ts'
import type { ProviderAdapter } from './types.ts'

export const PROVIDER_TYPES = [
  'openai',
  'azure-openai',
  'groq',
  'mistral',
  'together',
  'deepseek',
  'fireworks',
  'openrouter',
  'perplexity',
  'xai',
  'ollama',
  'vllm',
  'workers-ai',
  'anthropic',
  'gemini',
  'cohere',
] as const

export type ProviderType = (typeof PROVIDER_TYPES)[number]

type Spec = Omit<OpenAICompatibleSpec, 'type'>

// OpenAI-compatible providers are data over one base. `streamUsage: false` marks upstreams known
// to reject or ignore `stream_options`; their usage is still read when a stream carries it.
type Native = 'azure-openai' | 'anthropic' | 'gemini' | 'cohere'

/** Providers with an API of their own (not OpenAI's), each with its own translation. */
export const NATIVE_API_TYPES: readonly ProviderType[] = ['anthropic', 'gemini', 'cohere']

const COMPATIBLE: Record<Exclude<ProviderType, Native>, Spec> = {
  openai: { defaultBaseUrl: 'https://api.openai.com/v1', streamUsage: true, embeddings: true },
  groq: { defaultBaseUrl: 'https://api.groq.com/openai/v1', streamUsage: true, embeddings: false },
  mistral: { defaultBaseUrl: 'https://api.mistral.ai/v1', streamUsage: false, embeddings: true },
  together: { defaultBaseUrl: 'https://api.together.xyz/v1', streamUsage: true, embeddings: true },
  deepseek: { defaultBaseUrl: 'https://api.deepseek.com/v1', streamUsage: true, embeddings: false },
  fireworks: {
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    streamUsage: true,
    embeddings: true,
  },
  openrouter: {
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    streamUsage: true,
    embeddings: true,
  },
  perplexity: {
    defaultBaseUrl: 'https://api.perplexity.ai',
    streamUsage: false,
    embeddings: false,
  },
  xai: { defaultBaseUrl: 'https://api.x.ai/v1', streamUsage: true, embeddings: false },
  ollama: { defaultBaseUrl: 'http://127.0.0.1:11434/v1', streamUsage: true, embeddings: true },
  // vLLM and other self-hosted servers have no well-known address: baseUrl is required.
  vllm: { streamUsage: true, embeddings: true },
  // Cloudflare Workers AI's OpenAI-compatible endpoint lives under the account.
  'workers-ai': {
    defaultBaseUrl: (p) =>
      p.accountId
        ? `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(p.accountId)}/ai/v1`
        : undefined,
    streamUsage: false,
    embeddings: true,
  },
}

export const PROVIDERS: Readonly<Record<ProviderType, ProviderAdapter>> = {
  ...(Object.fromEntries(
    Object.entries(COMPATIBLE).map(([type, spec]) => [type, openAICompatible({ type, ...spec })]),
  ) as Record<Exclude<ProviderType, Native>, ProviderAdapter>),
  'azure-openai': azureOpenAI,
  anthropic,
  gemini,
  cohere,
}

/** Whether a provider config names (or implies) where its upstream is. */
export function resolvesBaseUrl(p: ProviderConfig): boolean {
  if (p.baseUrl !== undefined) return true
  if (p.type === 'azure-openai') return false
  if (!(p.type in COMPATIBLE)) return true // native APIs have public addresses
  const fallback = COMPATIBLE[p.type as keyof typeof COMPATIBLE].defaultBaseUrl
  return typeof fallback === 'function' ? fallback(p) !== undefined : fallback !== undefined
}
