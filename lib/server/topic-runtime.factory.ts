import type { LoggerService } from '@nestjs/common';
import type { RedisConnection } from '../connection/create-redis-connection.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_BLOCK_MS,
  DEFAULT_CLAIM_IDLE_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_DELAYED_POLL_MS,
  DEFAULT_HOUSEKEEPING_INTERVAL_MS,
  DEFAULT_RETENTION_MS,
} from '../constants.js';
import type { RedisStreamsHandlerExtras } from '../interfaces/redis-streams-handler-extras.interface.js';
import type { RedisStreamsServerOptions } from '../interfaces/redis-streams-server-options.interface.js';
import type { StreamKeys } from '../keys/stream-keys.js';
import { resolveRetryPolicy } from '../retry/backoff.js';
import type { RedisStreamsScripts } from '../scripts/redis-streams-scripts.js';
import { Settler } from './settler.js';
import { TopicConsumer, type InvokeHandlers } from './topic-consumer.js';
import { TopicScheduler } from './topic-scheduler.js';

/** What every consumer and scheduler of one server shares. */
export interface TopicRuntimeDeps {
  command: RedisConnection;
  scripts: RedisStreamsScripts;
  keys: StreamKeys;
  options: RedisStreamsServerOptions;
  consumerName: string;
  logger: LoggerService;
}

/** Builds the consumer (and its settler) of one (topic, group), resolving handler extras over server options once. */
export function createTopicConsumer(
  deps: TopicRuntimeDeps,
  reader: RedisConnection,
  topic: string,
  group: string,
  extras: RedisStreamsHandlerExtras,
  invoke: InvokeHandlers,
): TopicConsumer {
  const { keys: k, options: o } = deps;
  const keys = {
    stream: k.stream(topic),
    deadLetter: k.deadLetter(topic),
    deadLetterRefs: k.deadLetterRefs(topic),
    paused: k.paused(topic),
    retry: k.retry(topic, group),
    failures: k.failures(topic, group),
  };
  let consumer: TopicConsumer | undefined;
  const settler = new Settler(
    deps.command,
    deps.scripts,
    keys,
    {
      topic,
      group,
      consumer: deps.consumerName,
      retry: resolveRetryPolicy(o.retry, extras.retry),
      deadLetter: extras.deadLetter ?? o.deadLetter ?? true,
    },
    deps.logger,
    o.observer,
    dueAt => consumer?.retryScheduled(dueAt),
  );
  consumer = new TopicConsumer(
    deps.command,
    reader,
    deps.scripts,
    keys,
    {
      topic,
      group,
      consumer: deps.consumerName,
      concurrency: extras.concurrency ?? o.concurrency ?? DEFAULT_CONCURRENCY,
      batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
      blockMs: o.blockMs ?? DEFAULT_BLOCK_MS,
      claimIdleMs: extras.claimIdleMs ?? o.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS,
      startFrom: extras.startFrom ?? o.startFrom ?? 'latest',
    },
    settler,
    invoke,
    deps.logger,
  );
  return consumer;
}

/** Builds the delayed-promotion and housekeeping scheduler of one topic. */
export function createTopicScheduler(deps: TopicRuntimeDeps, topic: string): TopicScheduler {
  const { keys: k, options: o } = deps;
  return new TopicScheduler(
    deps.scripts,
    { stream: k.stream(topic), delayed: k.delayed(topic), deadLetterRefs: k.deadLetterRefs(topic) },
    {
      topic,
      delayedPollMs: o.delayedPollMs ?? DEFAULT_DELAYED_POLL_MS,
      retentionMs: o.retentionMs ?? DEFAULT_RETENTION_MS,
      housekeepingIntervalMs: o.housekeepingIntervalMs ?? DEFAULT_HOUSEKEEPING_INTERVAL_MS,
    },
    deps.logger,
  );
}
