import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox and the idempotent inbox.
 *
 * `message_outbox`: one row per message written in a business transaction, published by the relay.
 * The identity id orders rows (per key), the partial index on pending rows is what the relay scans,
 * and the one on sent rows is what pruning scans; `message_id` is made by the client (it is the
 * published message id and the deduplication id), so no unique index is paid for on insert.
 *
 * `message_inbox`: one row per `(consumer group, message id)` whose effect committed; the primary
 * key is the idempotence check, the index on `processed_at` serves pruning.
 */
export class OutboxInbox1795843343299 implements MigrationInterface {
  name = 'OutboxInbox1795843343299';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "message_outbox" (
        "id" bigint GENERATED ALWAYS AS IDENTITY,
        "message_id" uuid NOT NULL,
        "topic" character varying(255) NOT NULL,
        "message_key" character varying(255),
        "payload" text NOT NULL,
        "headers" jsonb,
        "deliver_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        CONSTRAINT "pk_message_outbox" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_message_outbox_pending" ON "message_outbox" ("id") WHERE "sent_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_message_outbox_sent_at" ON "message_outbox" ("sent_at") WHERE "sent_at" IS NOT NULL`,
    );
    // A queue table: every row is updated once and deleted later. Vacuum it after a fixed number of
    // dead rows, not a fraction of its size, so the relay's index scans stay short.
    await queryRunner.query(
      `ALTER TABLE "message_outbox" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000)`,
    );

    await queryRunner.query(`
      CREATE TABLE "message_inbox" (
        "consumer_group" character varying(255) NOT NULL,
        "message_id" character varying(64) NOT NULL,
        "topic" character varying(255) NOT NULL,
        "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_message_inbox" PRIMARY KEY ("consumer_group", "message_id")
      )`);
    await queryRunner.query(`CREATE INDEX "idx_message_inbox_processed_at" ON "message_inbox" ("processed_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "message_inbox"`);
    await queryRunner.query(`DROP TABLE "message_outbox"`);
  }
}
