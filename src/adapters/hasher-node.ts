import { createHash } from 'node:crypto'
import type { Hasher } from '../core/ports.ts'

/** node:crypto hashes synchronously, several times cheaper per call than WebCrypto on Node. */
export const nodeHasher: Hasher = {
  sha256Hex: (input) => Promise.resolve(createHash('sha256').update(input).digest('hex')),
}
