// Gateway key format, comparison and IP allowlists: pure functions, no I/O.

/** `sk-sy-<12-char id>-<43-char secret>`: recognisable, with a 256-bit random secret. */
export const KEY_PATTERN = /^sk-sy-([a-z2-7]{12})-([A-Za-z0-9_-]{43})$/

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

function base32(bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

function base64url(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A new key id (60 random bits) and full key (256 more), from a source of random bytes. */
export function newKey(
  randomBytes: (n: number) => Uint8Array,
  id?: string,
): { id: string; key: string } {
  const keyId = id ?? base32(randomBytes(8)).slice(0, 12)
  return { id: keyId, key: `sk-sy-${keyId}-${base64url(randomBytes(32))}` }
}

/** The id inside a formatted key, if it is one. */
export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1]
}

/** Compares two strings in time that depends only on their length, not on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Parses an IPv4 or IPv6 address into 16 bytes (IPv4 as ::ffff:a.b.c.d). */
export function parseIp(ip: string): Uint8Array | undefined {
  const raw = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw)
  if (v4) {
    const parts = v4.slice(1).map(Number)
    if (parts.some((p) => p > 255)) return undefined
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...parts])
  }
  if (!raw.includes(':')) return undefined
  let text = raw.split('%')[0] as string
  const tail4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text)
  let tail: number[] = []
  if (tail4) {
    const mapped = parseIp(tail4[1] as string)
    if (!mapped) return undefined
    tail = [...mapped.slice(12)]
    text = text.slice(0, -(tail4[1] as string).length) + '0:0'
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const group = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN))
  const head = group(halves[0] as string)
  const rest = halves.length === 2 ? group(halves[1] as string) : []
  const fill = 8 - head.length - rest.length
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined
  const groups = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest]
  if (groups.some(Number.isNaN)) return undefined
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8
    bytes[i * 2 + 1] = g & 0xff
  })
  if (tail.length) bytes.set(tail, 12)
  return bytes
}

/** A matcher for CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`, or single addresses). */
export function cidrMatcher(
  blocks: readonly string[],
): ((ip: string | undefined) => boolean) | undefined {
  if (blocks.length === 0) return undefined
  const nets = blocks.map((block) => {
    const [addr, len] = block.split('/')
    const bytes = parseIp(addr as string)
    if (!bytes) throw new Error(`not an IP address or CIDR block: ${block}`)
    const isV4 = !(addr as string).includes(':')
    const prefix = len === undefined ? 128 : Number(len) + (isV4 ? 96 : 0)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128)
      throw new Error(`bad prefix length in ${block}`)
    return { bytes, prefix }
  })
  return (ip) => {
    const bytes = ip === undefined ? undefined : parseIp(ip)
    if (!bytes) return false
    return nets.some(({ bytes: net, prefix }) => {
      for (let bit = 0; bit < prefix; bit++) {
        const mask = 0x80 >> (bit % 8)
        if (((bytes[bit >> 3] as number) & mask) !== ((net[bit >> 3] as number) & mask))
          return false
      }
      return true
    })
  }
}
