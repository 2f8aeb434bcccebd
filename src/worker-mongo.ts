import { mongoStoreFromUri } from './adapters/store-mongo.ts'
import { workerHandler } from './worker.ts'

// The Worker with MongoDB as its shared store (wrangler env "mongodb", which enables
// nodejs_compat for the driver). Kept apart so the default Worker bundle stays small.
export default workerHandler(async (env) => {
  const store = await mongoStoreFromUri(env.MONGODB_URI as string, env.MONGODB_DB)
  if (env.SWITCHYARD_MIGRATE) await store.migrate({ usageRetentionDays: env.USAGE_RETENTION_DAYS })
  return store
})
