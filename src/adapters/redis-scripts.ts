import { createHash } from 'node:crypto'

// @upstash/ratelimit starts its Lua scripts with `#!lua flags=allow-key-locking`, which open-source
// Redis rejects. Both bridges to a plain Redis strip the flag, and map the library's script hashes
// (SHA-1 of the original text) to the hashes of what was actually loaded.

const SHEBANG = /^#![^\n]*\n/

export function stripShebang(script: string): string {
  return script.replace(SHEBANG, '')
}

export const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

export class ScriptMap {
  readonly #loaded = new Map<string, string>()

  /** Remembers a script run by EVAL or SCRIPT LOAD; returns the text to give Redis. */
  remember(script: string): string {
    const stripped = stripShebang(script)
    this.#loaded.set(sha1(script), sha1(stripped))
    return stripped
  }

  /** The hash Redis knows for a hash the library asked for (itself, for scripts without a flag). */
  resolve(sha: string): string {
    return this.#loaded.get(sha.toLowerCase()) ?? sha
  }
}
