/**
 * Orders two stream entry ids (`<ms>-<seq>`, or a bare `<ms>`): negative if `a` comes first, 0 if
 * equal, positive if `a` comes after `b`. Compares the decimal strings by length, then by character,
 * so sequence numbers beyond 2^53 stay exact.
 */
export function compareEntryIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  return compareDecimal(aMs, bMs) || compareDecimal(aSeq, bSeq);
}

/** The later of two entry ids. */
export function laterEntryId(a: string, b: string): string {
  return compareEntryIds(a, b) >= 0 ? a : b;
}

function parts(id: string): [string, string] {
  const dash = id.indexOf('-');
  return dash < 0 ? [id, '0'] : [id.slice(0, dash), id.slice(dash + 1)];
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
