/**
 * Checks payloads against a per-topic schema. Built by `jsonSchemaValidator()` from the `/ajv`
 * subpath, or implemented over any other schema library.
 */
export interface PayloadSchemaValidator {
  /**
   * Validates the payload of a message of `topic` (after the serializer, before the codec).
   * Returns `undefined` when it is valid or the topic has no schema, else the error messages.
   */
  validate(topic: string, payload: unknown): readonly string[] | undefined;
}
