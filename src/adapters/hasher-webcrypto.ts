import type { Hasher } from '../core/ports.ts'

const encoder = new TextEncoder()

/** SHA-256 through WebCrypto: Workers, Deno (Netlify Edge) and browsers. */
export const webCryptoHasher: Hasher = {
  async sha256Hex(input) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input)))
    let hex = ''
    for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
    return hex
  },
}
