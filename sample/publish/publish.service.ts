import { HttpStatus, Injectable } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import {
  ClientRedisStreams,
  InjectRedisStreamsClient,
  PayloadValidationError,
  RedisStreamsRecordBuilder,
  type RedisStreamsRecord,
} from '../../lib/index.js';
import type { Principal } from '../auth/principal.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { PublishRateLimiter } from '../common/rate-limit/publish-rate-limiter.js';
import { SampleRedis } from '../common/redis/sample-redis.service.js';
import { SchemaTimeQuota } from '../common/rate-limit/schema-time-quota.js';
import { SchemaRequest } from '../payload/schema-budget.js';
import { QueuesService } from '../queues/queues.service.js';
import type { Queue } from '../queues/queue.js';
import { MAX_DELAY_MS } from './dto/delayed-publish.dto.js';
import type { MessageFieldsDto } from './dto/message-fields.dto.js';
import { PRODUCER_HEADER, TENANT_HEADER } from './message-headers.js';
import { TRACEPARENT } from './trace-context.js';

/** When a message becomes deliverable: now, after a delay, or at a time. */
export interface Timing {
  delayMs?: number;
  deliverAt?: string;
}

/** Answer of a single publish. */
export interface PublishedView {
  messageId: string;
  queue: string;
  /** For a delayed or scheduled message: when it becomes deliverable. */
  deliverAt?: string;
}

/**
 * Publishes to a queue of the caller's tenant with the app's `ClientRedisStreams`: checks
 * `allowed_producers` and the queue's `maxLength` (its backlog: unacked + unread + delayed, see
 * `SampleRedis.backlog`), stamps the tenant and producer headers, and resolves once Redis has the
 * message. A full queue is refused with 429 MQ_QUOTA_EXCEEDED. The check and the write are two
 * steps: concurrent publishes may overshoot the bound by the number in flight.
 */
@Injectable()
export class PublishService {
  constructor(
    @InjectRedisStreamsClient() private readonly client: ClientRedisStreams,
    private readonly queues: QueuesService,
    private readonly redis: SampleRedis,
    private readonly rate: PublishRateLimiter,
    private readonly schemaTime: SchemaTimeQuota,
  ) {}

  /** `trace`: the request's trace context (`RequestTraceContext`), for a message without its own. */
  async publish(principal: Principal, name: string, message: MessageFieldsDto, timing: Timing = {}, trace: Record<string, string> = {}): Promise<PublishedView> {
    const deliverAt = deliverAtOf(timing);
    const topic = await this.topicFor(principal, name, 1);
    const record = this.recordOf(principal, message, deliverAt, trace);
    const messageId = await this.checked(principal, () => lastValueFrom(this.client.emit<string>(topic, record)));
    return { messageId, queue: name, ...(deliverAt !== undefined && { deliverAt: new Date(deliverAt).toISOString() }) };
  }

  async publishBatch(
    principal: Principal,
    name: string,
    messages: MessageFieldsDto[],
    trace: Record<string, string> = {},
  ): Promise<{ messageIds: string[]; queue: string }> {
    const topic = await this.topicFor(principal, name, messages.length);
    const records = messages.map(m => this.recordOf(principal, m, undefined, trace));
    // The payloads are checked against the queue's schema within this call, under one budget for all of them.
    const messageIds = await this.checked(principal, () => this.client.emitBatch(topic, records));
    return { messageIds, queue: name };
  }

  /** The queue's topic, if the caller may publish `count` messages to it (allowed producer, room in the backlog). */
  private async topicFor(principal: Principal, name: string, count: number): Promise<string> {
    const queue = await this.queues.find(principal.tenantId, name);
    const { row } = queue;
    if (row.allowedProducers.length && !row.allowedProducers.includes(principal.sub)) {
      throw MqException.forbidden(`"${principal.sub}" is not an allowed producer of queue "${name}"`);
    }
    // Before anything else costs time: a tenant out of schema-check time is refused (429, Retry-After).
    if (row.schemaDefinition) this.schemaTime.admit(principal.tenantId);
    await this.checkRoom(queue, count);
    await this.rate.take(principal.tenantId, count);
    return row.name;
  }

  /**
   * Runs `emit` as one `SchemaRequest` of the caller's tenant: its schema checks share the request's
   * budget, are charged to the tenant's `SchemaTimeQuota` and stop when it runs out (→ 429
   * MQ_QUOTA_EXCEEDED with Retry-After instead of 400); nothing is written when a check fails.
   */
  private async checked<T>(principal: Principal, emit: () => Promise<T>): Promise<T> {
    const request = new SchemaRequest(this.schemaTime.accountOf(principal.tenantId));
    try {
      return await request.run(emit);
    } catch (err) {
      if (request.quotaExhausted && err instanceof PayloadValidationError) throw this.schemaTime.exceeded(principal.tenantId);
      return schemaError(err);
    }
  }

  private async checkRoom({ row, settings }: Queue, count: number): Promise<void> {
    const maxLength = settings.maxLength;
    if (maxLength === null) return;
    const backlog = await this.redis.backlog(row.name);
    if (backlog + count > maxLength) {
      throw MqException.quota('The queue is full (its backlog reached maxLength)', { maxLength, backlog });
    }
  }

  private recordOf(
    principal: Principal,
    message: MessageFieldsDto,
    deliverAt: number | undefined,
    trace: Record<string, string>,
  ): RedisStreamsRecord<unknown> {
    // A message's own (validated) trace context wins, whole: never its traceparent with the request's tracestate.
    const ownTrace = message.headers?.[TRACEPARENT] !== undefined;
    const builder = new RedisStreamsRecordBuilder<unknown>(message.payload).setHeaders({
      ...(!ownTrace && trace),
      ...message.headers,
      [TENANT_HEADER]: principal.tenantId,
      [PRODUCER_HEADER]: principal.sub,
    });
    if (message.key !== undefined) builder.setKey(message.key);
    if (message.deduplicationId !== undefined) builder.setDeduplicationId(message.deduplicationId);
    if (deliverAt !== undefined) builder.setDeliverAt(deliverAt);
    return builder.build();
  }
}

/** A payload failing its queue's JSON Schema (nothing was written) → 400 MQ_SCHEMA_INVALID with the validation errors. */
function schemaError(err: unknown): never {
  if (err instanceof PayloadValidationError) {
    throw new MqException(HttpStatus.BAD_REQUEST, MqErrorCode.SCHEMA_INVALID, 'The payload does not match the queue schema', err.errors);
  }
  throw err;
}

/** Due time in epoch ms, or undefined for "now"; 400 for both options or a time beyond a year. */
function deliverAtOf({ delayMs, deliverAt }: Timing): number | undefined {
  if (delayMs !== undefined && deliverAt !== undefined) {
    throw MqException.validation('Give delayMs or deliverAt, not both');
  }
  if (delayMs !== undefined) return Date.now() + delayMs;
  if (deliverAt === undefined) return undefined;
  const at = Date.parse(deliverAt);
  if (!Number.isFinite(at)) throw MqException.validation('deliverAt is not a valid date');
  if (at - Date.now() > MAX_DELAY_MS) throw MqException.validation('deliverAt must be at most one year ahead');
  return at;
}
