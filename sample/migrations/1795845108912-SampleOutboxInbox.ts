import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sample moves to the transport's outbox and inbox: the internal API stores each user event
 * (`platform_user_events`) with its outbox message, and the platform handlers apply their effects
 * through the inbox, so the hand-made `unique(message_id)` constraints go.
 */
export class SampleOutboxInbox1795845108912 implements MigrationInterface {
  name = 'SampleOutboxInbox1795845108912';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "platform_user_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "message_id" uuid NOT NULL,
        "tenant_id" character varying(64) NOT NULL,
        "type" character varying(64) NOT NULL,
        "user_id" character varying(255),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_platform_user_events" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_platform_user_events_tenant_created" ON "platform_user_events" ("tenant_id", "created_at")`,
    );
    await queryRunner.query(`ALTER TABLE "platform_notifications" DROP CONSTRAINT "uq_platform_notifications_message_id"`);
    await queryRunner.query(`ALTER TABLE "platform_payments" DROP CONSTRAINT "uq_platform_payments_message_id"`);
    await queryRunner.query(`ALTER TABLE "platform_audit_events" DROP CONSTRAINT "uq_platform_audit_events_message_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "platform_audit_events" ADD CONSTRAINT "uq_platform_audit_events_message_id" UNIQUE ("message_id")`);
    await queryRunner.query(`ALTER TABLE "platform_payments" ADD CONSTRAINT "uq_platform_payments_message_id" UNIQUE ("message_id")`);
    await queryRunner.query(`ALTER TABLE "platform_notifications" ADD CONSTRAINT "uq_platform_notifications_message_id" UNIQUE ("message_id")`);
    await queryRunner.query(`DROP TABLE "platform_user_events"`);
  }
}
