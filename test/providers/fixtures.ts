import type { ProviderConfig } from '../../src/core/gateway-config.ts'
import type { ProviderType } from '../../src/providers/registry.ts'

// Wire fixtures per provider, written from each provider's published API reference: where the
// request goes and how it authenticates, a response, an error body as that provider sends it,
// and a stream. The contract suite (contract.test.ts) runs every provider through the same checks.

export interface ProviderFixture {
  type: ProviderType
  config: ProviderConfig
  /** The upstream model (Azure: the deployment) the gateway sends. */
  model: string
  chatUrl: string
  embeddingsUrl: string | undefined
  authHeader: [string, string]
  /** Whether a streamed request gets `stream_options.include_usage` added by the gateway. */
  streamUsage: boolean
  error: { status: number; body: string; message: string; type?: string; code?: string | null }
}

const CHAT_RESPONSE = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'upstream-model',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Hello! How can I assist you today?',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
}
export const CHAT_RESPONSE_TEXT = JSON.stringify(CHAT_RESPONSE)

const chunk = (delta: object, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: 1694268190,
    model: 'upstream-model',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
  })

/** A stream as OpenAI documents it with include_usage: usage null on each chunk, then a usage chunk. */
export const STREAM_EVENTS = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  chunk({ content: '!' }),
  chunk({}, 'stop'),
  JSON.stringify({
    id: 'chatcmpl-123',
    object: 'chat.completion.chunk',
    created: 1694268190,
    model: 'upstream-model',
    system_fingerprint: 'fp_44709d6fcb',
    choices: [],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
  }),
]
export const STREAM_TEXT = STREAM_EVENTS.map((e) => `data: ${e}\n\n`).join('') + 'data: [DONE]\n\n'

export const EMBEDDINGS_RESPONSE_TEXT = JSON.stringify({
  object: 'list',
  data: [{ object: 'embedding', embedding: [0.0023064255, -0.009327292, -0.0028842222], index: 0 }],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 8, total_tokens: 8 },
})

const openAIError = (
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) => JSON.stringify({ error: { message, type, param, code } })

const bearer = (k: string): [string, string] => ['authorization', `Bearer ${k}`]

export const FIXTURES: ProviderFixture[] = [
  {
    type: 'openai',
    config: { type: 'openai', apiKey: 'sk-openai' },
    model: 'gpt-4o-mini',
    chatUrl: 'https://api.openai.com/v1/chat/completions',
    embeddingsUrl: 'https://api.openai.com/v1/embeddings',
    authHeader: bearer('sk-openai'),
    streamUsage: true,
    error: {
      status: 401,
      body: openAIError(
        'Incorrect API key provided: sk-opena*****. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
      message:
        'Incorrect API key provided: sk-opena*****. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  },
  {
    type: 'azure-openai',
    config: {
      type: 'azure-openai',
      baseUrl: 'https://contoso.openai.azure.com',
      apiKey: 'az-key',
      apiVersion: '2024-10-21',
    },
    model: 'my-gpt4o-deployment',
    chatUrl:
      'https://contoso.openai.azure.com/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21',
    embeddingsUrl:
      'https://contoso.openai.azure.com/openai/deployments/my-gpt4o-deployment/embeddings?api-version=2024-10-21',
    authHeader: ['api-key', 'az-key'],
    streamUsage: true,
    error: {
      status: 404,
      body: JSON.stringify({
        error: {
          code: 'DeploymentNotFound',
          message:
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      }),
      message:
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      code: 'DeploymentNotFound',
    },
  },
  {
    type: 'groq',
    config: { type: 'groq', apiKey: 'gsk_test' },
    model: 'llama-3.3-70b-versatile',
    chatUrl: 'https://api.groq.com/openai/v1/chat/completions',
    embeddingsUrl: undefined,
    authHeader: bearer('gsk_test'),
    streamUsage: true,
    error: {
      status: 404,
      body: openAIError(
        'The model `llama-9` does not exist or you do not have access to it.',
        'invalid_request_error',
        'model_not_found',
      ),
      message: 'The model `llama-9` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      code: 'model_not_found',
    },
  },
  {
    type: 'mistral',
    config: { type: 'mistral', apiKey: 'mistral-key' },
    model: 'mistral-small-latest',
    chatUrl: 'https://api.mistral.ai/v1/chat/completions',
    embeddingsUrl: 'https://api.mistral.ai/v1/embeddings',
    authHeader: bearer('mistral-key'),
    streamUsage: false,
    error: {
      status: 400,
      body: JSON.stringify({
        object: 'error',
        message: 'Invalid model: mistral-huge',
        type: 'invalid_model',
        param: null,
        code: '1500',
      }),
      message: 'Invalid model: mistral-huge',
      type: 'invalid_model',
      code: '1500',
    },
  },
  {
    type: 'together',
    config: { type: 'together', apiKey: 'tgp-key' },
    model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    chatUrl: 'https://api.together.xyz/v1/chat/completions',
    embeddingsUrl: 'https://api.together.xyz/v1/embeddings',
    authHeader: bearer('tgp-key'),
    streamUsage: true,
    error: {
      status: 401,
      body: openAIError(
        'Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
      message:
        'Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  },
  {
    type: 'deepseek',
    config: { type: 'deepseek', apiKey: 'ds-key' },
    model: 'deepseek-chat',
    chatUrl: 'https://api.deepseek.com/v1/chat/completions',
    embeddingsUrl: undefined,
    authHeader: bearer('ds-key'),
    streamUsage: true,
    error: {
      status: 402,
      body: openAIError('Insufficient Balance', 'unknown_error', 'invalid_request_error'),
      message: 'Insufficient Balance',
      type: 'unknown_error',
      code: 'invalid_request_error',
    },
  },
  {
    type: 'fireworks',
    config: { type: 'fireworks', apiKey: 'fw-key' },
    model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
    chatUrl: 'https://api.fireworks.ai/inference/v1/chat/completions',
    embeddingsUrl: 'https://api.fireworks.ai/inference/v1/embeddings',
    authHeader: bearer('fw-key'),
    streamUsage: true,
    error: {
      status: 404,
      body: JSON.stringify({
        error: {
          object: 'error',
          type: 'invalid_request_error',
          message: 'Model not found, inaccessible, and/or not deployed',
        },
      }),
      message: 'Model not found, inaccessible, and/or not deployed',
      type: 'invalid_request_error',
      code: null,
    },
  },
  {
    type: 'openrouter',
    config: {
      type: 'openrouter',
      apiKey: 'sk-or-key',
      headers: { 'HTTP-Referer': 'https://example.com', 'X-Title': 'Example' },
    },
    model: 'anthropic/claude-3.5-sonnet',
    chatUrl: 'https://openrouter.ai/api/v1/chat/completions',
    embeddingsUrl: 'https://openrouter.ai/api/v1/embeddings',
    authHeader: bearer('sk-or-key'),
    streamUsage: true,
    error: {
      status: 402,
      body: JSON.stringify({
        error: {
          code: 402,
          message: 'Insufficient credits. Add more using https://openrouter.ai/credits',
          metadata: {},
        },
      }),
      message: 'Insufficient credits. Add more using https://openrouter.ai/credits',
      code: '402',
    },
  },
  {
    type: 'perplexity',
    config: { type: 'perplexity', apiKey: 'pplx-key' },
    model: 'sonar',
    chatUrl: 'https://api.perplexity.ai/chat/completions',
    embeddingsUrl: undefined,
    authHeader: bearer('pplx-key'),
    streamUsage: false,
    error: {
      status: 400,
      body: JSON.stringify({
        error: {
          message:
            "Invalid model 'sonar-huge'. Permitted models can be found in the documentation.",
          type: 'invalid_model',
          code: 400,
        },
      }),
      message: "Invalid model 'sonar-huge'. Permitted models can be found in the documentation.",
      type: 'invalid_model',
      code: '400',
    },
  },
  {
    type: 'xai',
    config: { type: 'xai', apiKey: 'xai-key' },
    model: 'grok-3-mini',
    chatUrl: 'https://api.x.ai/v1/chat/completions',
    embeddingsUrl: undefined,
    authHeader: bearer('xai-key'),
    streamUsage: true,
    error: {
      status: 400,
      body: JSON.stringify({
        code: 'Client specified an invalid argument',
        error:
          'Incorrect API key provided: xa***ey. You can obtain an API key from https://console.x.ai.',
      }),
      message:
        'Incorrect API key provided: xa***ey. You can obtain an API key from https://console.x.ai.',
      code: 'Client specified an invalid argument',
    },
  },
  {
    type: 'ollama',
    config: { type: 'ollama' },
    model: 'llama3.2',
    chatUrl: 'http://127.0.0.1:11434/v1/chat/completions',
    embeddingsUrl: 'http://127.0.0.1:11434/v1/embeddings',
    authHeader: ['authorization', ''],
    streamUsage: true,
    error: {
      status: 404,
      body: openAIError('model "llama9" not found, try pulling it first', 'api_error', null),
      message: 'model "llama9" not found, try pulling it first',
      type: 'api_error',
      code: null,
    },
  },
  {
    type: 'vllm',
    config: { type: 'vllm', baseUrl: 'http://gpu-box.internal:8000/v1/', apiKey: 'token-abc123' },
    model: 'Qwen/Qwen2.5-1.5B-Instruct',
    chatUrl: 'http://gpu-box.internal:8000/v1/chat/completions',
    embeddingsUrl: 'http://gpu-box.internal:8000/v1/embeddings',
    authHeader: bearer('token-abc123'),
    streamUsage: true,
    error: {
      status: 404,
      body: JSON.stringify({
        object: 'error',
        message: 'The model `gpt-4` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      }),
      message: 'The model `gpt-4` does not exist.',
      type: 'NotFoundError',
      code: '404',
    },
  },
  {
    type: 'workers-ai',
    config: {
      type: 'workers-ai',
      accountId: '023e105f4ecef8ad9ca31a8372d0c353',
      apiKey: 'cf-token',
    },
    model: '@cf/meta/llama-3.1-8b-instruct',
    chatUrl:
      'https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/ai/v1/chat/completions',
    embeddingsUrl:
      'https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/ai/v1/embeddings',
    authHeader: bearer('cf-token'),
    streamUsage: false,
    error: {
      status: 401,
      body: JSON.stringify({
        success: false,
        errors: [{ code: 10000, message: 'Authentication error' }],
        messages: [],
        result: null,
      }),
      message: 'Authentication error',
      code: '10000',
    },
  },
]
