import { DEFAULT_BATCH_SIZE, DEFAULT_BLOCK_MS, DEFAULT_CLAIM_IDLE_MS, DEFAULT_CONCURRENCY } from '../constants.js';
import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import { resolveRetryPolicy } from '../retry/backoff.js';
import type { GroupConsumerKeys, GroupConsumerOptions } from './group-consumer.js';
import type { SettlerOptions } from './settler.js';

/** What one (topic, group) consumer and its settler are built from. */
export interface ConsumerSetup {
  keys: GroupConsumerKeys;
  settler: SettlerOptions;
  consumer: GroupConsumerOptions;
}

/**
 * The keys, settling policy and consumer options of one (topic, group): the handler's extras
 * resolved over the server's options, then the defaults, once.
 */
export function resolveConsumerSetup(
  k: StreamKeys,
  o: RedisStreamsServerOptions,
  consumer: string,
  topic: string,
  group: string,
  extras: RedisStreamsHandlerExtras,
): ConsumerSetup {
  return {
    keys: {
      stream: k.stream(topic),
      deadLetter: k.deadLetter(topic),
      deadLetterRefs: k.deadLetterRefs(topic),
      paused: k.paused(topic),
      retry: k.retry(topic, group),
      failures: k.failures(topic, group),
    },
    settler: {
      topic,
      group,
      consumer,
      retry: resolveRetryPolicy(o.retry, extras.retry),
      deadLetter: extras.deadLetter ?? o.deadLetter ?? true,
    },
    consumer: {
      topic,
      group,
      consumer,
      concurrency: extras.concurrency ?? o.concurrency ?? DEFAULT_CONCURRENCY,
      batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
      blockMs: o.blockMs ?? DEFAULT_BLOCK_MS,
      claimIdleMs: extras.claimIdleMs ?? o.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS,
      startFrom: extras.startFrom ?? o.startFrom ?? 'latest',
    },
  };
}
