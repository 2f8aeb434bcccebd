import { createHash, randomBytes } from 'node:crypto'

// `npm run keygen` prints a new gateway key and the hash to put in the config;
// `npm run keygen -- <key>` prints the hash of an existing key.
const given = process.argv[2]
const key = given ?? `sk-sy-${randomBytes(32).toString('base64url')}`
const hash = `sha256:${createHash('sha256').update(key).digest('hex')}`
if (!given) console.log(`key:  ${key}   (give this to the caller; it is not stored anywhere)`)
console.log(`hash: ${hash}`)
console.log(`config: { "name": "my-app", "hash": "${hash}", "models": ["*"] }`)
