import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sample service's own tables, next to the transport's four (which `InitialSchema` creates and
 * this migration must run after): per-queue settings the `message_topics` columns do not cover,
 * webhook signing secrets, the audit log of admin mutations, and what the platform handlers do
 * (notifications, payments, audit events), each keyed by message id so a redelivery is a no-op.
 */
export class SampleSchema1795304282928 implements MigrationInterface {
  name = 'SampleSchema1795304282928';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "mq_queue_settings" (
        "topic_id" uuid NOT NULL,
        "max_length" integer,
        "max_attempts" integer NOT NULL DEFAULT 5,
        "retry_delay_ms" integer NOT NULL DEFAULT 1000,
        "retry_backoff" character varying(16) NOT NULL DEFAULT 'exponential',
        "max_retry_delay_ms" integer NOT NULL DEFAULT 60000,
        "dead_letter" boolean NOT NULL DEFAULT true,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_mq_queue_settings" PRIMARY KEY ("topic_id"),
        CONSTRAINT "chk_mq_queue_settings_backoff" CHECK ("retry_backoff" IN ('fixed', 'exponential')),
        CONSTRAINT "fk_mq_queue_settings_topic" FOREIGN KEY ("topic_id")
          REFERENCES "message_topics" ("id") ON DELETE CASCADE
      )`);

    await queryRunner.query(`
      CREATE TABLE "mq_webhook_secrets" (
        "subscription_id" uuid NOT NULL,
        "secret" character varying(128) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_mq_webhook_secrets" PRIMARY KEY ("subscription_id"),
        CONSTRAINT "fk_mq_webhook_secrets_subscription" FOREIGN KEY ("subscription_id")
          REFERENCES "message_subscriptions" ("id") ON DELETE CASCADE
      )`);

    await queryRunner.query(`
      CREATE TABLE "mq_admin_audit_log" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "actor" character varying(255) NOT NULL,
        "tenant_id" character varying(64) NOT NULL,
        "action" character varying(64) NOT NULL,
        "resource_type" character varying(32) NOT NULL,
        "resource_id" character varying(255) NOT NULL,
        "details" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_mq_admin_audit_log" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_mq_admin_audit_log_tenant_created" ON "mq_admin_audit_log" ("tenant_id", "created_at")`,
    );

    await queryRunner.query(`
      CREATE TABLE "platform_notifications" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "message_id" character varying(64) NOT NULL,
        "tenant_id" character varying(64) NOT NULL,
        "user_id" character varying(255),
        "channel" character varying(16) NOT NULL,
        "template" character varying(64) NOT NULL,
        "recipient" character varying(320) NOT NULL,
        "data" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_platform_notifications" PRIMARY KEY ("id"),
        CONSTRAINT "uq_platform_notifications_message_id" UNIQUE ("message_id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "platform_payments" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "message_id" character varying(64) NOT NULL,
        "tenant_id" character varying(64) NOT NULL,
        "payment_id" character varying(255) NOT NULL,
        "user_id" character varying(255),
        "amount_minor" bigint NOT NULL,
        "currency" character(3) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_platform_payments" PRIMARY KEY ("id"),
        CONSTRAINT "uq_platform_payments_message_id" UNIQUE ("message_id"),
        CONSTRAINT "uq_platform_payments_tenant_payment" UNIQUE ("tenant_id", "payment_id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "platform_audit_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "message_id" character varying(64) NOT NULL,
        "tenant_id" character varying(64) NOT NULL,
        "actor" character varying(255) NOT NULL,
        "action" character varying(128) NOT NULL,
        "resource" character varying(255),
        "details" jsonb,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_platform_audit_events" PRIMARY KEY ("id"),
        CONSTRAINT "uq_platform_audit_events_message_id" UNIQUE ("message_id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_platform_audit_events_tenant_occurred" ON "platform_audit_events" ("tenant_id", "occurred_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "platform_audit_events"`);
    await queryRunner.query(`DROP TABLE "platform_payments"`);
    await queryRunner.query(`DROP TABLE "platform_notifications"`);
    await queryRunner.query(`DROP TABLE "mq_admin_audit_log"`);
    await queryRunner.query(`DROP TABLE "mq_webhook_secrets"`);
    await queryRunner.query(`DROP TABLE "mq_queue_settings"`);
  }
}
