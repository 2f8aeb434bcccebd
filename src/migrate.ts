import { mongoStoreFromUri } from './adapters/store-mongo.ts'
import { parseEnv } from './config.ts'

// npm run db:migrate: creates the MongoDB indexes (idempotent) and exits.
const env = parseEnv(process.env)
if (!env.MONGODB_URI) {
  console.error('db:migrate needs MONGODB_URI (the memory store has nothing to migrate).')
  process.exit(1)
}
const store = await mongoStoreFromUri(env.MONGODB_URI, env.MONGODB_DB)
await store.migrate({ usageRetentionDays: env.USAGE_RETENTION_DAYS })
console.log(`indexes ready in ${env.MONGODB_DB} (usage retention ${env.USAGE_RETENTION_DAYS} days)`)
process.exit(0)
