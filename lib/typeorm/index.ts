/**
 * `nestjs-redis-streams-transport/typeorm`: the transport's tables in PostgreSQL through TypeORM
 * (entities, migrations, the consumption recorder). Needs the optional peers `typeorm`,
 * `@nestjs/typeorm` and `pg`.
 */
export {
  ConsumptionRecorder,
  type RecorderDatabase,
  type RecorderHooks,
  type RecorderStats,
  type RecordKind,
} from '../persistence/consumption-recorder.js';
export { ConsumptionRecordEntity, type ConsumptionStatus } from '../persistence/entities/consumption-record.entity.js';
export { MessageRecordEntity, type MessageRecordStatus } from '../persistence/entities/message-record.entity.js';
export {
  MessageSubscriptionEntity,
  type MessageSubscriptionStatus,
  type MessageSubscriptionType,
} from '../persistence/entities/message-subscription.entity.js';
export { MessageTopicEntity, type MessageTopicStatus } from '../persistence/entities/message-topic.entity.js';
export type {
  RecordedSubscriptionSettings,
  RedisStreamsPersistenceOptions,
} from '../persistence/interfaces/redis-streams-persistence-options.interface.js';
export { REDIS_STREAMS_ENTITIES } from '../persistence/redis-streams.entities.js';
export * from '../../migrations/index.js';
export type { RedisStreamsTypeOrmAsyncOptions, RedisStreamsTypeOrmOptions } from './redis-streams-typeorm-options.interface.js';
export { withTypeOrmRecording } from './with-typeorm-recording.js';
export { OutboxTransactionRequiredError } from '../errors/outbox-transaction-required.error.js';
export type { OutboxPublisher, RedisStreamsOutboxOptions } from '../persistence/outbox/interfaces/redis-streams-outbox-options.interface.js';
export type { OutboxStats, RelayPass } from '../persistence/outbox/outbox-relay.js';
export { RedisStreamsOutbox, type OutboxTransaction } from '../persistence/outbox/redis-streams-outbox.js';
export type { RedisStreamsInboxOptions } from '../persistence/inbox/interfaces/redis-streams-inbox-options.interface.js';
export { RedisStreamsInbox, type InboxMessage, type InboxOutcome } from '../persistence/inbox/redis-streams-inbox.js';
export type { RedisStreamsTypeOrmInboxOptions, RedisStreamsTypeOrmOutboxOptions } from './redis-streams-typeorm-outbox-options.interface.js';
export { withTypeOrmInbox } from './with-typeorm-inbox.js';
export { withTypeOrmOutbox } from './with-typeorm-outbox.js';
