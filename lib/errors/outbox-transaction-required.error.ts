/**
 * `outbox.emit()` was given a manager outside a transaction: the row would commit on its own, and
 * the message could go out for a business write that later rolls back.
 */
export class OutboxTransactionRequiredError extends Error {
  constructor(readonly topic: string) {
    super(
      `outbox.emit("${topic}") needs the EntityManager (or QueryRunner) of an active transaction, e.g. inside dataSource.transaction(manager => …)`,
    );
    this.name = 'OutboxTransactionRequiredError';
  }
}
