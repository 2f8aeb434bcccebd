/** Compiles a model glob (`*` any run of characters, `?` one character) to a matcher. */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (pattern === '*') return () => true
  if (!/[*?]/.test(pattern)) return (name) => name === pattern
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('')
  const re = new RegExp(`^${source}$`)
  return (name) => re.test(name)
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern)
}

/** One matcher for a list of globs: true when any of them matches. */
export function anyGlob(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.includes('*')) return () => true
  const exact = new Set(patterns.filter((p) => !isGlob(p)))
  const globs = patterns.filter(isGlob).map(globMatcher)
  return (name) => exact.has(name) || globs.some((m) => m(name))
}
