// The `/ajv` subpath: per-topic JSON Schema (draft 2020-12) validation. Needs the optional peer `ajv`.
import * as ajv2020 from 'ajv/dist/2020.js';
import type { AnySchema, ValidateFunction } from 'ajv';
import type Ajv2020Type from 'ajv/dist/2020.js';
import type { PayloadSchemaValidator } from '../payload/schema-validator.interface.js';

type Ajv2020 = InstanceType<typeof Ajv2020Type.default>;
type Ajv2020Ctor = new (options?: Record<string, unknown>) => Ajv2020;
// ajv is CommonJS (`module.exports = Ajv2020`, also as `.default`): take the class whichever way
// the loader (Node ESM, require(esm), jest's CommonJS transform) exposes it.
const ns = ajv2020 as unknown as { default?: { default?: Ajv2020Ctor } | Ajv2020Ctor };
const Ajv2020Class = (typeof ns.default === 'function' ? ns.default : (ns.default?.default ?? ns)) as Ajv2020Ctor;

/** Options of `jsonSchemaValidator()`. */
export interface JsonSchemaValidatorOptions {
  /** Schema per topic: a map, or a function asked once per topic (`undefined` = no schema). */
  schemas: Record<string, AnySchema> | ((topic: string) => AnySchema | undefined);
  /** An Ajv 2020 instance of your own (formats, keywords). @defaultValue `new Ajv2020({ allErrors: true })` */
  ajv?: Ajv2020;
}

/**
 * Per-topic JSON Schema validation with ajv (draft 2020-12), for `payload.schemas`. Each topic's
 * schema is compiled once, at its first message. Errors are ajv's, as `<instancePath> <message>`.
 */
export function jsonSchemaValidator(options: JsonSchemaValidatorOptions): PayloadSchemaValidator & {
  /** Forgets a topic's compiled schema (after its schema changed). */
  invalidate(topic: string): void;
} {
  const ajv = options.ajv ?? new Ajv2020Class({ allErrors: true, strict: false });
  const compiled = new Map<string, ValidateFunction | null>();
  const schemaOf = (topic: string) =>
    typeof options.schemas === 'function' ? options.schemas(topic) : Object.hasOwn(options.schemas, topic) ? options.schemas[topic] : undefined;
  return {
    validate(topic, payload) {
      let validate = compiled.get(topic);
      if (validate === undefined) {
        const schema = schemaOf(topic);
        const fn: ValidateFunction | null = schema === undefined ? null : ajv.compile(schema);
        compiled.set(topic, fn);
        validate = fn;
      }
      if (!validate || validate(payload)) return undefined;
      return (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    },
    invalidate(topic) {
      compiled.delete(topic);
    },
  };
}
