import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper inserts into `consumption_records`: its btree on (subscription_id, consumed_at) becomes a
 * BRIN index on consumed_at. Rows arrive in consumed_at order, so a BRIN index (a few pages for
 * millions of rows, touched once per page range) serves time-range reads and retention deletes,
 * while a btree entry per row cost about a fifth of the PostgreSQL CPU of recording.
 * Reads of one subscription filter the time range it returns.
 */
export class ConsumptionRecordsBrin1795844200000 implements MigrationInterface {
  name = 'ConsumptionRecordsBrin1795844200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_consumption_records_subscription_consumed"`);
    await queryRunner.query(
      `CREATE INDEX "idx_consumption_records_consumed_brin" ON "consumption_records" USING brin ("consumed_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_consumption_records_consumed_brin"`);
    await queryRunner.query(
      `CREATE INDEX "idx_consumption_records_subscription_consumed" ON "consumption_records" ("subscription_id", "consumed_at")`,
    );
  }
}
