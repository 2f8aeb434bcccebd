import tseslint from 'typescript-eslint'

// The core and the providers stay pure (DESIGN.md): no framework, SDK or runtime module may leak
// into them, so they run unchanged on Node, Workers and Deno and test without any I/O.
const pureImports = {
  patterns: [
    {
      group: ['hono', 'hono/*', '@hono/*', 'undici', 'mongodb', '@upstash/*', '@opentelemetry/*'],
      message: 'src/core and src/providers are pure: take I/O through a port (src/core/ports.ts).',
    },
    { group: ['node:*'], message: 'src/core and src/providers must not import runtime modules.' },
    {
      group: ['../http/*', '../adapters/*', '../config.ts', '../deps.ts', '../server.ts'],
      message: 'Imports point inward: core and providers must not import outer layers.',
    },
  ],
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.wrangler/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', pureImports],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The core reads no runtime globals; pass config in.' },
        { name: 'Deno', message: 'The core reads no runtime globals.' },
        { name: 'Netlify', message: 'The core reads no runtime globals.' },
        { name: 'fetch', message: 'Use the upstream port.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock port.' },
        { object: 'Math', property: 'random', message: 'Use the Random port.' },
      ],
    },
  },
)
