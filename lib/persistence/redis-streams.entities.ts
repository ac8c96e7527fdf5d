import { ConsumptionRecordEntity } from './entities/consumption-record.entity.js';
import { MessageRecordEntity } from './entities/message-record.entity.js';
import { MessageSubscriptionEntity } from './entities/message-subscription.entity.js';
import { MessageTopicEntity } from './entities/message-topic.entity.js';

/**
 * The four entities of the transport's tables, for `TypeOrmModule.forRoot({ entities: [...] })`
 * or a `DataSource`. Listed as classes, not a glob: globs misbehave under jest and bundlers.
 * @publicApi
 */
export const REDIS_STREAMS_ENTITIES = [
  MessageTopicEntity,
  MessageSubscriptionEntity,
  MessageRecordEntity,
  ConsumptionRecordEntity,
] as const;
