import { AsyncLocalStorage } from 'node:async_hooks';
import { createContext, Script } from 'node:vm';

/**
 * Longest one check of a payload against a tenant's JSON Schema may hold the event loop. Ordinary
 * checks take microseconds; a hostile schema (a backtracking `pattern`, `uniqueItems` over a large
 * array of objects) would otherwise take minutes of every tenant's time on this replica. The
 * budget is wall time (the vm watchdog's), so it leaves room for a busy machine.
 */
export const SCHEMA_CHECK_BUDGET_MS = 250;

/**
 * Longest compile of a tenant's schema (once per schema, at queue creation and before its first
 * check): ajv generates code, which takes milliseconds, and much longer on a cold, loaded process
 * (100 ms was exceeded by an ordinary schema in CI). Compiling does not depend on payloads.
 */
export const SCHEMA_COMPILE_BUDGET_MS = 3_000;

/**
 * Longest all the checks of one publish request may take together. Without it a batch multiplies
 * the per-payload budget: 1,000 payloads each just under it held the event loop for minutes. An
 * ordinary schema checks a 1,000-message batch in about 200 ms (the watchdog's cost per check).
 */
export const SCHEMA_REQUEST_BUDGET_MS = 1_000;

/** The time one check may take, and what to say if it is stopped then. */
export interface SchemaCheckBudget {
  /** Milliseconds; 0: none left, do not start the check. */
  ms: number;
  reason: string;
}

const requests = new AsyncLocalStorage<{ deadline: number }>();

/** Runs `publish` (its checks are synchronous within the call) with one shared budget for every check it makes. */
export function withSchemaRequestBudget<T>(publish: () => T, budgetMs = SCHEMA_REQUEST_BUDGET_MS): T {
  return requests.run({ deadline: performance.now() + budgetMs }, publish);
}

/** The next check's budget: `SCHEMA_CHECK_BUDGET_MS`, or what is left of its request's shared budget when less. */
export function nextSchemaCheckBudget(): SchemaCheckBudget {
  const request = requests.getStore();
  const left = request ? Math.floor(request.deadline - performance.now()) : Infinity;
  if (left >= SCHEMA_CHECK_BUDGET_MS) {
    return { ms: SCHEMA_CHECK_BUDGET_MS, reason: `the schema check took longer than ${SCHEMA_CHECK_BUDGET_MS} ms and was stopped` };
  }
  return { ms: Math.max(0, left), reason: `the schema checks of this request took longer than ${SCHEMA_REQUEST_BUDGET_MS} ms in all and were stopped` };
}

/** Thrown by `withinSchemaBudget` when the check was stopped. */
export class SchemaBudgetExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the schema check took longer than ${budgetMs} ms and was stopped`);
    this.name = 'SchemaBudgetExceededError';
  }
}

// A tenant's schema is plain ajv code in this realm; the script only calls it, so that the vm's
// `timeout` (a watchdog that terminates whatever JavaScript runs, regex backtracking included) applies.
const context = createContext({ check: undefined as (() => unknown) | undefined });
const script = new Script('check()');

/**
 * Runs `check` (synchronous: compile and validate with ajv) and stops it after `budgetMs`. Errors
 * of `check` itself (e.g. a schema recursing into a stack overflow) pass through.
 */
export function withinSchemaBudget<T>(check: () => T, budgetMs = SCHEMA_CHECK_BUDGET_MS): T {
  context.check = check;
  try {
    return script.runInContext(context, { timeout: budgetMs }) as T;
  } catch (err) {
    if ((err as { code?: unknown })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new SchemaBudgetExceededError(budgetMs);
    throw err;
  } finally {
    context.check = undefined;
  }
}
