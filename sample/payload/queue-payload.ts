import { createHash } from 'node:crypto';
import type { PayloadCodec, PayloadCompression, PayloadOptions, PayloadSchemaValidator } from '../../lib/index.js';
import { jsonSchemaValidator } from '../../lib/ajv/index.js';
import { msgpackCodec } from '../../lib/msgpack/index.js';
import type { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';
import { tenantKeyProvider, type PayloadKeyConfig } from './payload-keys.js';
import { currentSchemaRequest, nextSchemaCheckBudget, SCHEMA_COMPILE_BUDGET_MS, SchemaBudgetExceededError, withinSchemaBudget } from './schema-budget.js';

/** A queue's `messageFormat` values. */
export const MESSAGE_FORMATS = ['json', 'msgpack'] as const;
/** A queue's `compressionType` values. */
export const COMPRESSION_TYPES = ['none', 'gzip', 'br'] as const;

/** What a queue's settings say about its payloads. */
export interface QueuePayloadSettings {
  tenantId: string;
  messageFormat: (typeof MESSAGE_FORMATS)[number];
  compressionType: (typeof COMPRESSION_TYPES)[number];
  encrypted: boolean;
  schemaDefinition: Record<string, unknown> | null;
}

const MSGPACK = msgpackCodec();
/** Payloads below this stay uncompressed (the gzip header would cost more than it saves). */
const COMPRESSION_THRESHOLD_BYTES = 512;
/** Compiled schemas one replica keeps (one per topic; past it the oldest compiled is dropped, recompiled on use). */
const MAX_COMPILED = 10_000;

/**
 * The transport's payload options driven by each queue's settings, read from the registry at every
 * publish (so a `PUT /queues` applies to the next message): codec, compression, per-tenant
 * encryption and the JSON Schema (each check within `SCHEMA_CHECK_BUDGET_MS`, a request's checks
 * within `SCHEMA_REQUEST_BUDGET_MS`, all within the tenant's `SchemaTimeQuota`, which is charged the
 * time they take: tenants write the schemas). Servers decode every format
 * whatever the settings say now, so messages published before a change stay readable.
 */
export function queuePayloadOptions(registry: QueueRuntimeRegistry, keys: PayloadKeyConfig | undefined): PayloadOptions {
  const settings = (topic: string) => registry.payloadOf(topic);
  // Compiled per topic, kept while its schema's text is the same: the registry's sync brings fresh
  // objects every `SYNC_INTERVAL_MS`, and recompiling then would cost (and charge) a compile per sync.
  const compiled = new Map<string, { digest: string; validator: PayloadSchemaValidator }>();
  const digests = new WeakMap<object, string>();
  const digestOf = (schema: object): string => {
    let digest = digests.get(schema);
    if (digest === undefined) digests.set(schema, (digest = createHash('sha256').update(JSON.stringify(schema)).digest('base64')));
    return digest;
  };
  return {
    codec: (topic): PayloadCodec | undefined => (settings(topic)?.messageFormat === 'msgpack' ? MSGPACK : undefined),
    codecs: [MSGPACK],
    compression: (topic): PayloadCompression | undefined => {
      const type = settings(topic)?.compressionType;
      return type === 'gzip' || type === 'br' ? { algorithm: type, thresholdBytes: COMPRESSION_THRESHOLD_BYTES } : undefined;
    },
    ...(keys && { keys: tenantKeyProvider(keys, topic => (settings(topic)?.encrypted ? settings(topic) : undefined)) }),
    schemas: {
      validate(topic, payload) {
        const schema = settings(topic)?.schemaDefinition;
        if (!schema) {
          compiled.delete(topic);
          return undefined;
        }
        // A batch's checks share its request's budget (`SchemaRequest`): once spent, the rest are not run;
        // nor any once the tenant's schema-time quota is (then the request answers 429, see `PublishService`).
        const request = currentSchemaRequest();
        const budget = nextSchemaCheckBudget();
        if (budget.ms === 0) {
          if (budget.quota && request) request.quotaExhausted = true;
          return [`/ ${budget.reason}`];
        }
        const started = performance.now();
        const digest = digestOf(schema);
        const cached = compiled.get(topic);
        let validator = cached?.digest === digest ? cached.validator : undefined;
        let compiling = false;
        try {
          if (!validator) {
            compiling = true;
            const fresh = jsonSchemaValidator({ schemas: () => schema });
            // Compiled (ajv compiles on first use) under its own, larger budget: only the checks of
            // payloads get the tight one.
            withinSchemaBudget(() => fresh.validate(topic, null), SCHEMA_COMPILE_BUDGET_MS);
            compiled.delete(topic); // re-inserted as the newest
            compiled.set(topic, { digest, validator: (validator = fresh) });
            if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
            compiling = false;
          }
          const check = validator;
          return withinSchemaBudget(() => check.validate(topic, payload), budget.ms);
        } catch (err) {
          // A stopped compile can leave ajv half-built: the next message starts from a fresh validator.
          // (A stopped check leaves nothing behind: the compiled validator is kept.)
          if (compiling) compiled.delete(topic);
          // Refused like any invalid payload (400 MQ_SCHEMA_INVALID, nothing written), never a 500.
          if (err instanceof SchemaBudgetExceededError) {
            const stoppedByBudget = err.budgetMs === budget.ms;
            if (stoppedByBudget && budget.quota && request) request.quotaExhausted = true;
            return [`/ ${stoppedByBudget ? budget.reason : err.message}`];
          }
          return [`/ the schema could not be evaluated (${(err as Error).message})`];
        } finally {
          // The time the event loop actually spent (compile included) is the tenant's.
          request?.account?.charge(performance.now() - started);
        }
      },
    },
  };
}

/** Messages of a JSON Schema that does not compile, or `undefined` when it does. */
export function schemaProblems(schema: Record<string, unknown>): string[] | undefined {
  try {
    withinSchemaBudget(() => jsonSchemaValidator({ schemas: () => schema }).validate('check', null), SCHEMA_COMPILE_BUDGET_MS);
    return undefined;
  } catch (err) {
    return [(err as Error).message];
  }
}
