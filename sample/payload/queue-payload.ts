import type { PayloadCodec, PayloadCompression, PayloadOptions, PayloadSchemaValidator } from '../../lib/index.js';
import { jsonSchemaValidator } from '../../lib/ajv/index.js';
import { msgpackCodec } from '../../lib/msgpack/index.js';
import type { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';
import { tenantKeyProvider, type PayloadKeyConfig } from './payload-keys.js';
import { nextSchemaCheckBudget, SCHEMA_COMPILE_BUDGET_MS, SchemaBudgetExceededError, withinSchemaBudget } from './schema-budget.js';

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

/**
 * The transport's payload options driven by each queue's settings, read from the registry at every
 * publish (so a `PUT /queues` applies to the next message): codec, compression, per-tenant
 * encryption and the JSON Schema (each check within `SCHEMA_CHECK_BUDGET_MS`, a request's checks
 * within `SCHEMA_REQUEST_BUDGET_MS`: tenants write the schemas). Servers decode every format
 * whatever the settings say now, so messages published before a change stay readable.
 */
export function queuePayloadOptions(registry: QueueRuntimeRegistry, keys: PayloadKeyConfig | undefined): PayloadOptions {
  const settings = (topic: string) => registry.payloadOf(topic);
  const compiled = new WeakMap<object, PayloadSchemaValidator>();
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
        if (!schema) return undefined;
        // A batch's checks share its request's budget (`withSchemaRequestBudget`): once spent, the rest are not run.
        const budget = nextSchemaCheckBudget();
        if (budget.ms === 0) return [`/ ${budget.reason}`];
        let validator = compiled.get(schema);
        try {
          if (!validator) {
            const fresh = jsonSchemaValidator({ schemas: () => schema });
            // Compiled (ajv compiles on first use) under its own, larger budget: only the checks of
            // payloads get the tight one.
            withinSchemaBudget(() => fresh.validate(topic, null), SCHEMA_COMPILE_BUDGET_MS);
            compiled.set(schema, (validator = fresh));
          }
          const check = validator;
          return withinSchemaBudget(() => check.validate(topic, payload), budget.ms);
        } catch (err) {
          // A stopped compile can leave ajv half-built: the next message starts from a fresh validator.
          compiled.delete(schema);
          // Refused like any invalid payload (400 MQ_SCHEMA_INVALID, nothing written), never a 500.
          if (err instanceof SchemaBudgetExceededError) return [`/ ${err.budgetMs === budget.ms ? budget.reason : err.message}`];
          return [`/ the schema could not be evaluated (${(err as Error).message})`];
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
