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
  /** The tenant's schema-time quota (not the check's or the request's budget) set `ms`. */
  quota?: boolean;
}

/** A tenant's schema-check time on this replica (`SchemaTimeQuota.accountOf`). */
export interface SchemaTimeAccount {
  /** Milliseconds the tenant may still spend now (≤ 0: none). */
  leftMs(): number;
  /** Charges time its checks actually took. */
  charge(ms: number): void;
}

/** The publish request each check belongs to (`SchemaRequest.run`). */
const requests = new AsyncLocalStorage<SchemaRequest>();

/** One publish request's checks: their shared deadline, and whom their time is charged to. */
export class SchemaRequest {
  private readonly deadline: number;
  /** A check was refused or stopped because the tenant's quota ran out (→ 429, not 400). */
  quotaExhausted = false;

  constructor(
    readonly account?: SchemaTimeAccount,
    readonly budgetMs = SCHEMA_REQUEST_BUDGET_MS,
  ) {
    this.deadline = performance.now() + budgetMs;
  }

  /** Runs `publish`: every check it makes (synchronously or later in its async continuation) belongs to this request. */
  run<T>(publish: () => T): T {
    return requests.run(this, publish);
  }

  /** The next check's budget: the least of `SCHEMA_CHECK_BUDGET_MS`, the request's time left and the tenant's. */
  nextCheck(): SchemaCheckBudget {
    const left = Math.floor(this.deadline - performance.now());
    const tenantLeft = this.account ? Math.floor(this.account.leftMs()) : Infinity;
    if (tenantLeft < Math.min(left, SCHEMA_CHECK_BUDGET_MS)) {
      return { ms: Math.max(0, tenantLeft), reason: 'the tenant used up its schema-check time on this replica', quota: true };
    }
    if (left >= SCHEMA_CHECK_BUDGET_MS) {
      return { ms: SCHEMA_CHECK_BUDGET_MS, reason: `the schema check took longer than ${SCHEMA_CHECK_BUDGET_MS} ms and was stopped` };
    }
    return { ms: Math.max(0, left), reason: `the schema checks of this request took longer than ${this.budgetMs} ms in all and were stopped` };
  }
}

/** The request the current check belongs to, if any (`SchemaRequest.run`). */
export function currentSchemaRequest(): SchemaRequest | undefined {
  return requests.getStore();
}

/** The next check's budget: `SCHEMA_CHECK_BUDGET_MS`, or what is left of its request's shared budget (or its tenant's quota) when less. */
export function nextSchemaCheckBudget(): SchemaCheckBudget {
  const request = requests.getStore();
  if (request) return request.nextCheck();
  return { ms: SCHEMA_CHECK_BUDGET_MS, reason: `the schema check took longer than ${SCHEMA_CHECK_BUDGET_MS} ms and was stopped` };
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
