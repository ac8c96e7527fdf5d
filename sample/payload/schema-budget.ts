import { createContext, Script } from 'node:vm';

/**
 * Longest one compile-and-check of a tenant's JSON Schema may hold the event loop. Ordinary
 * schemas take microseconds; a hostile one (a backtracking `pattern`, `uniqueItems` over a large
 * array of objects) would otherwise take minutes of every tenant's time on this replica.
 */
export const SCHEMA_CHECK_BUDGET_MS = 100;

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
