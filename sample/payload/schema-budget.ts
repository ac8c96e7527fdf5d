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
