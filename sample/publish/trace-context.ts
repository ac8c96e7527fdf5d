import type { IncomingHttpHeaders } from 'node:http';

/** W3C Trace Context header names, lower case: the transport's tracing reads exactly these message headers. */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** Longest `tracestate` accepted (W3C: vendors propagate at least 512 characters). */
export const MAX_TRACESTATE_LENGTH = 512;

/** Most `tracestate` list-members (W3C: at most 32). */
export const MAX_TRACESTATE_MEMBERS = 32;

/** Version 00: lower-case hex, neither id all zeros. Other versions are refused (nothing here produces or reads them). */
const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A `tracestate` key: `simple-key` or `tenant-id@system-id` (W3C Trace Context §3.3.1.3.1). */
const TRACESTATE_KEY = /^(?:[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13})$/;

/** A `tracestate` value: printable ASCII but `,` and `=`, no trailing space, 1-256 characters. */
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Why a `traceparent` value is not a W3C one, or undefined. */
export function traceparentProblem(value: string): string | undefined {
  return TRACEPARENT_PATTERN.test(value)
    ? undefined
    : 'traceparent must be a W3C traceparent: 00-<32 lower-case hex, not all 0>-<16 lower-case hex, not all 0>-<2 hex>';
}

/** Why a `tracestate` value is not a W3C one within limits, or undefined. */
export function tracestateProblem(value: string): string | undefined {
  if (value.length > MAX_TRACESTATE_LENGTH) return `tracestate must be at most ${MAX_TRACESTATE_LENGTH} characters`;
  // Empty list-members (",,") are allowed by the grammar; what is left must be key=value pairs.
  const members = value.split(',').map(m => m.trim()).filter(m => m !== '');
  if (members.length > MAX_TRACESTATE_MEMBERS) return `tracestate must have at most ${MAX_TRACESTATE_MEMBERS} members`;
  const keys = new Set<string>();
  for (const member of members) {
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    if (eq < 0 || !TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(member.slice(eq + 1))) {
      return 'tracestate must be a W3C tracestate: comma-separated key=value members (lower-case keys, printable ASCII values without "," or "=")';
    }
    if (keys.has(key)) return `tracestate must not repeat the key "${key}"`;
    keys.add(key);
  }
  return undefined;
}

/**
 * Why a message's headers carry an unusable trace context, or undefined: a malformed `traceparent`,
 * a malformed or oversized `tracestate`, a `tracestate` without `traceparent` (W3C: meaningless),
 * or another spelling of either name (`TraceParent`), which case-insensitive readers would take
 * for the header while the transport's tracing does not.
 */
export function traceContextProblem(headers: Record<string, string>): string | undefined {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if ((lower === TRACEPARENT || lower === TRACESTATE) && name !== lower) return `trace context header "${name}" must be written "${lower}"`;
  }
  const parent = headers[TRACEPARENT];
  const state = headers[TRACESTATE];
  if (parent !== undefined) {
    const problem = traceparentProblem(parent);
    if (problem) return problem;
  }
  if (state === undefined) return undefined;
  if (parent === undefined) return 'tracestate needs a traceparent';
  return tracestateProblem(state);
}

/**
 * The trace context of the caller's HTTP request, as message headers. As any W3C receiver does, an
 * invalid `traceparent` (repeated headers included, which Node joins) is ignored and the request
 * still served; an invalid `tracestate` is dropped, and never kept without its `traceparent`.
 */
export function traceContextOfRequest(headers: IncomingHttpHeaders): Record<string, string> {
  const parent = headers[TRACEPARENT];
  if (typeof parent !== 'string' || traceparentProblem(parent)) return {};
  const state = headers[TRACESTATE];
  const keepState = typeof state === 'string' && state.trim() !== '' && !tracestateProblem(state);
  return { [TRACEPARENT]: parent, ...(keepState && { [TRACESTATE]: state }) };
}
