import type { UsageSink } from '../core/ports.ts'
import type { Store } from '../core/store.ts'

/** Usage records into the store, off the hot path (the pipeline defers the returned promise). */
export function storeUsageSink(store: Store): UsageSink {
  return { record: (event) => store.recordUsage([event]) }
}
