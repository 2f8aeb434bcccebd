import type { Sealer } from '../core/ports.ts'

const PREFIX = 'enc:v1:'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const unb64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX)
}

/**
 * AES-256-GCM through WebCrypto (Node, Workers, Deno alike), keyed by SWITCHYARD_ENCRYPTION_KEY
 * (32 bytes, base64). Each value gets a fresh 96-bit IV: `enc:v1:<iv>:<ciphertext+tag>`.
 */
export async function webCryptoSealer(base64Key: string): Promise<Sealer> {
  const raw = unb64(base64Key)
  if (raw.length !== 32)
    throw new Error('SWITCHYARD_ENCRYPTION_KEY must be 32 bytes, base64-encoded')
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(plain)),
      )
      return `${PREFIX}${b64(iv)}:${b64(ct)}`
    },
    async open(sealed) {
      if (!isSealed(sealed)) throw new Error('not a sealed value')
      const [iv, ct] = sealed.slice(PREFIX.length).split(':')
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: unb64(iv ?? '') },
        key,
        unb64(ct ?? ''),
      )
      return decoder.decode(plain)
    },
  }
}
