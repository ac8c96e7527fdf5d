import { InitialSchema1795303480067 } from './1795303480067-InitialSchema.js';
import { OutboxInbox1795843343299 } from './1795843343299-OutboxInbox.js';
import { ConsumptionRecordsBrin1795844200000 } from './1795844200000-ConsumptionRecordsBrin.js';

export { InitialSchema1795303480067 } from './1795303480067-InitialSchema.js';
export { OutboxInbox1795843343299 } from './1795843343299-OutboxInbox.js';
export { ConsumptionRecordsBrin1795844200000 } from './1795844200000-ConsumptionRecordsBrin.js';

/**
 * Every migration of the transport's tables, oldest first, for `TypeOrmModule.forRoot({ migrations })`
 * or a `DataSource`. Listed as classes, not a glob: globs misbehave under jest and bundlers.
 * A new migration is added here (and exported above).
 * @publicApi
 */
export const REDIS_STREAMS_MIGRATIONS = [InitialSchema1795303480067, OutboxInbox1795843343299, ConsumptionRecordsBrin1795844200000] as const;
