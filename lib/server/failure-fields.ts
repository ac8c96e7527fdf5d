/**
 * The fields an entry may have in its group's failures hash: `<entry id>` (its first failure, ms)
 * and `<entry id>:span` (the `traceparent` of its last failed attempt, when traced). Both go once
 * the entry is settled for good; the Lua scripts name them the same way.
 */
export function failureFields(entryIds: readonly string[]): string[] {
  const fields = new Array<string>(entryIds.length * 2);
  for (let i = 0; i < entryIds.length; i++) {
    fields[2 * i] = entryIds[i];
    fields[2 * i + 1] = spanField(entryIds[i]);
  }
  return fields;
}

/** The failures-hash field holding the last failed attempt's `traceparent` of an entry. */
function spanField(entryId: string): string {
  return `${entryId}:span`;
}
