import { openAICompatible } from './openai-compatible.ts'

/** Azure OpenAI's GA data-plane version; override per provider with `apiVersion`. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21'

const AZURE_PATHS = { chat: 'chat/completions', embeddings: 'embeddings', messages: '' } as const

// Azure names deployments, not models: the target's `model` is the deployment name, the key goes
// in `api-key`, and every call carries `api-version`. baseUrl is https://<resource>.openai.azure.com
export const azureOpenAI = openAICompatible({
  type: 'azure-openai',
  streamUsage: true,
  embeddings: true,
  url: (base, op, deployment, provider) =>
    `${base}/openai/deployments/${encodeURIComponent(deployment)}/${AZURE_PATHS[op]}` +
    `?api-version=${encodeURIComponent(provider.apiVersion ?? AZURE_DEFAULT_API_VERSION)}`,
  auth: (apiKey) => ({ 'api-key': apiKey }),
})
