import type { TopicInfo } from '../../lib/index.js';
import type { MessageTopicEntity } from '../../lib/typeorm/index.js';
import { queueNameOf } from '../common/tenancy/topic-names.js';
import type { QueueSettingsEntity } from './queue-settings.entity.js';

/** A tenant's queue: its `message_topics` row and its `mq_queue_settings` row. */
export interface Queue {
  row: MessageTopicEntity;
  settings: QueueSettingsEntity;
}

/** Live state of a queue's stream, from `RedisStreamsAdmin.getTopic`. */
export interface QueueStatsView {
  length: number;
  delayed: number;
  deadLetters: number;
  groups: { name: string; consumers: number; pending: number; lag: number | null; paused: boolean }[];
}

/** A queue as the API shows it. */
export interface QueueView {
  name: string;
  /** The Redis topic (`<tenant_id>.<name>`): what an external consumer subscribes to. */
  topic: string;
  displayName: string | null;
  description: string | null;
  retentionMs: number;
  maxLength: number | null;
  maxAttempts: number;
  retryDelayMs: number;
  retryBackoff: 'fixed' | 'exponential';
  maxRetryDelayMs: number;
  deadLetter: boolean;
  allowedProducers: string[];
  allowedConsumers: string[];
  messageFormat: string;
  compressionType: string;
  encrypted: boolean;
  schemaDefinition: Record<string, unknown> | null;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  stats?: QueueStatsView;
}

/** The API view of a queue, with its stream's stats when given. */
export function toQueueView({ row, settings }: Queue, info?: TopicInfo | null): QueueView {
  return {
    name: queueNameOf(row.name),
    topic: row.name,
    displayName: row.displayName,
    description: row.description,
    retentionMs: row.retentionMs,
    maxLength: settings.maxLength,
    maxAttempts: settings.maxAttempts,
    retryDelayMs: settings.retryDelayMs,
    retryBackoff: settings.retryBackoff,
    maxRetryDelayMs: settings.maxRetryDelayMs,
    deadLetter: settings.deadLetter,
    allowedProducers: row.allowedProducers,
    allowedConsumers: row.allowedConsumers,
    messageFormat: row.messageFormat,
    compressionType: row.compressionType,
    encrypted: settings.encrypted,
    schemaDefinition: row.schemaDefinition,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(info !== undefined && { stats: toStats(info) }),
  };
}

function toStats(info: TopicInfo | null): QueueStatsView {
  if (!info) return { length: 0, delayed: 0, deadLetters: 0, groups: [] };
  return {
    length: info.length,
    delayed: info.delayed,
    deadLetters: info.deadLetters,
    groups: info.groups.map(g => ({ name: g.name, consumers: g.consumers, pending: g.pending, lag: g.lag, paused: g.paused })),
  };
}
