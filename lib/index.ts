export type {
  DeadLetter,
  ListDeadLettersOptions,
  ReplayDeadLettersOptions,
  TopicGroupInfo,
  TopicInfo,
} from './admin/admin.types.js';
export { RedisStreamsAdmin } from './admin/redis-streams-admin.js';
export { ClientRedisStreams } from './client/client-redis-streams.js';
export { REDIS_STREAMS_TRANSPORT } from './constants.js';
export { RedisStreamsContext } from './ctx-host/redis-streams.context.js';
export { BatchPublishError, type BatchItemResult } from './errors/batch-publish.error.js';
export { InvalidTopicError } from './errors/invalid-topic.error.js';
export { PublishOutcomeUnknownError } from './errors/publish-outcome-unknown.error.js';
export { RedisUnavailableError } from './errors/redis-unavailable.error.js';
export { ReplyInterruptedError } from './errors/reply-interrupted.error.js';
export { RequestTimeoutError } from './errors/request-timeout.error.js';
export { TopicFullError } from './errors/topic-full.error.js';
export { UnrecoverableMessageError } from './errors/unrecoverable-message.error.js';
export { HandlerTimeoutError } from './errors/handler-timeout.error.js';
export { PayloadValidationError } from './errors/payload-validation.error.js';
export { isCompressionSupported, type CompressionAlgorithm } from './payload/compression.js';
export { jsonCodec } from './payload/json.codec.js';
export { JSON_CONTENT_TYPE, type PayloadCodec } from './payload/payload-codec.interface.js';
export type { PayloadKeyProvider } from './payload/payload-key-provider.interface.js';
export { payloadKeyRing, type PayloadKeyRingOptions } from './payload/payload-key-ring.js';
export type { PayloadCompression, PayloadOptions } from './payload/payload-options.interface.js';
export type { PayloadSchemaValidator } from './payload/schema-validator.interface.js';
export type { MessageTracing, ProcessedMessage, SentMessage } from './tracing/message-tracing.interface.js';
export {
  redisStreamsClient,
  type RedisStreamsClientRegistration,
} from './helpers/redis-streams-client.helper.js';
export { redisStreamsExtras } from './helpers/redis-streams-extras.helper.js';
export {
  RedisStreamsEventsMap,
  RedisStreamsStatus,
  type RedisStreamsConnectionRole,
  type RedisStreamsEvents,
} from './events/redis-streams.events.js';
export type { RedisStreamsAdminOptions } from './interfaces/redis-streams-admin-options.interface.js';
export type { RedisStreamsClientOptions } from './interfaces/redis-streams-client-options.interface.js';
export type {
  RedisStreamsClusterConnection,
  RedisStreamsConnectionOptions,
  RedisStreamsUrlConnection,
} from './interfaces/redis-streams-connection-options.interface.js';
export type { RedisStreamsHandlerExtras } from './interfaces/redis-streams-handler-extras.interface.js';
export type { RedisStreamsServerOptions } from './interfaces/redis-streams-server-options.interface.js';
export type { BackoffOptions, RetryOptions } from './interfaces/retry-options.interface.js';
export type {
  ConsumerStartedEvent,
  MessageOutcome,
  MessagePublishedEvent,
  MessageSettledEvent,
  RedisStreamsObserver,
} from './observer/redis-streams-observer.interface.js';
export {
  RedisStreamsRecord,
  RedisStreamsRecordBuilder,
  type RedisStreamsRecordOptions,
} from './record-builders/redis-streams.record-builder.js';
export { ServerRedisStreams, type ConsumerState } from './server/server-redis-streams.js';

// The core module (DI); the integrations live in the subpaths ./typeorm, ./prometheus, ./terminus.
export { CompositeRedisStreamsObserver, composeObservers } from './module/composite-redis-streams.observer.js';
export { InjectRedisStreamsClient } from './module/inject-redis-streams-client.decorator.js';
export type { RedisStreamsIntegration } from './module/interfaces/redis-streams-integration.interface.js';
export type { RedisStreamsModuleExtras } from './module/interfaces/redis-streams-module-extras.interface.js';
export type { RedisStreamsModuleOptions } from './module/interfaces/redis-streams-module-options.interface.js';
export { RedisStreamsModule } from './module/redis-streams.module.js';
export {
  DEFAULT_REDIS_STREAMS_CLIENT,
  getRedisStreamsClientToken,
  REDIS_STREAMS_MODULE_OPTIONS,
  REDIS_STREAMS_OBSERVER,
} from './module/redis-streams.tokens.js';
