// The config file from the issue, byte for byte.
export const EXAMPLE_CONFIG = `{
  "providers": {
    "local": { "type": "openai", "baseUrl": "http://127.0.0.1:9100/v1", "apiKey": "\${UPSTREAM_KEY}" }
  },
  "models": {
    "gpt-4o-mini": { "targets": [{ "provider": "local", "model": "gpt-4o-mini" }] },
    "text-embedding-3-small": { "targets": [{ "provider": "local", "model": "text-embedding-3-small" }] }
  },
  "keys": [{ "name": "probe", "key": "\${PROBE_KEY}", "models": ["*"] }]
}`
