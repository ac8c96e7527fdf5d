import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transport's four tables: topics, subscriptions, message records and consumption
 * records, with the indexes the admin API queries by (topic + time, message id, status + time).
 * Constraint and index names are explicit and match the entities, so `migration:generate` stays empty.
 * The two append-heavy tables (message and consumption records) reference topics and subscriptions
 * without foreign key constraints: checking one on every inserted row costs about a third of the
 * insert, and recording must stay cheap.
 */
export class InitialSchema1795303480067 implements MigrationInterface {
  name = 'InitialSchema1795303480067';

  async up(queryRunner: QueryRunner): Promise<void> {
    // gen_random_uuid() is built in from PostgreSQL 13; older servers get it from pgcrypto.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'gen_random_uuid') THEN
          CREATE EXTENSION IF NOT EXISTS pgcrypto;
        END IF;
      END $$`);

    await queryRunner.query(`
      CREATE TABLE "message_topics" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" character varying(255) NOT NULL,
        "display_name" character varying(255),
        "description" text,
        "topic_type" character varying(32) NOT NULL DEFAULT 'redis_stream',
        "partition_count" integer NOT NULL DEFAULT 1,
        "replication_factor" integer NOT NULL DEFAULT 1,
        "retention_ms" bigint NOT NULL DEFAULT 604800000,
        "message_format" character varying(32) NOT NULL DEFAULT 'json',
        "schema_definition" jsonb,
        "compression_type" character varying(32) NOT NULL DEFAULT 'none',
        "tenant_id" character varying(64),
        "is_public" boolean NOT NULL DEFAULT false,
        "allowed_producers" jsonb NOT NULL DEFAULT '[]',
        "allowed_consumers" jsonb NOT NULL DEFAULT '[]',
        "status" character varying(16) NOT NULL DEFAULT 'active',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_message_topics" PRIMARY KEY ("id"),
        CONSTRAINT "uq_message_topics_tenant_name" UNIQUE ("tenant_id", "name"),
        CONSTRAINT "chk_message_topics_topic_type" CHECK ("topic_type" IN ('redis_stream')),
        CONSTRAINT "chk_message_topics_status" CHECK ("status" IN ('active', 'paused', 'archived'))
      )`);
    // NULLs are distinct in a unique constraint: topics without a tenant need their own index.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_message_topics_name_without_tenant" ON "message_topics" ("name") WHERE "tenant_id" IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE "message_subscriptions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "topic_id" uuid NOT NULL,
        "consumer_group" character varying(255) NOT NULL,
        "consumer_name" character varying(255) NOT NULL,
        "subscription_type" character varying(32) NOT NULL DEFAULT 'redis_consumer',
        "offset_reset_policy" character varying(16) NOT NULL DEFAULT 'latest',
        "max_poll_records" integer NOT NULL DEFAULT 64,
        "session_timeout_ms" integer NOT NULL DEFAULT 30000,
        "heartbeat_interval_ms" integer NOT NULL DEFAULT 2000,
        "handler_config" jsonb,
        "dead_letter_queue" character varying(512),
        "max_retry_attempts" integer NOT NULL DEFAULT 3,
        "retry_delay_ms" integer NOT NULL DEFAULT 1000,
        "message_filter" jsonb,
        "status" character varying(16) NOT NULL DEFAULT 'active',
        "tenant_id" character varying(64),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_consumed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "pk_message_subscriptions" PRIMARY KEY ("id"),
        CONSTRAINT "uq_message_subscriptions_topic_group_consumer" UNIQUE ("topic_id", "consumer_group", "consumer_name"),
        CONSTRAINT "chk_message_subscriptions_type" CHECK ("subscription_type" IN ('redis_consumer', 'webhook')),
        CONSTRAINT "chk_message_subscriptions_offset_reset" CHECK ("offset_reset_policy" IN ('earliest', 'latest')),
        CONSTRAINT "chk_message_subscriptions_status" CHECK ("status" IN ('active', 'paused', 'stopped')),
        CONSTRAINT "fk_message_subscriptions_topic" FOREIGN KEY ("topic_id")
          REFERENCES "message_topics" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);

    await queryRunner.query(`
      CREATE TABLE "message_records" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "topic_id" uuid NOT NULL,
        "message_key" character varying(255),
        "message_id" character varying(64) NOT NULL,
        "correlation_id" character varying(255),
        "headers" jsonb NOT NULL DEFAULT '{}',
        "payload" jsonb,
        "payload_size" integer NOT NULL DEFAULT 0,
        "content_type" character varying(128) NOT NULL DEFAULT 'application/json',
        "partition_id" integer,
        "stream_entry_id" character varying(64),
        "status" character varying(16) NOT NULL DEFAULT 'published',
        "retry_count" integer NOT NULL DEFAULT 0,
        "published_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "scheduled_at" TIMESTAMP WITH TIME ZONE,
        "consumed_at" TIMESTAMP WITH TIME ZONE,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "producer_id" character varying(255),
        "tenant_id" character varying(64),
        "trace_id" character varying(64),
        CONSTRAINT "pk_message_records" PRIMARY KEY ("id"),
        CONSTRAINT "uq_message_records_message_id" UNIQUE ("message_id"),
        CONSTRAINT "chk_message_records_status" CHECK ("status" IN ('published', 'consumed', 'failed', 'dead_letter'))
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_message_records_topic_published" ON "message_records" ("topic_id", "published_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_message_records_status_published" ON "message_records" ("status", "published_at")`,
    );

    await queryRunner.query(`
      CREATE TABLE "consumption_records" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "subscription_id" uuid NOT NULL,
        "message_id" character varying(64),
        "consumer_instance" character varying(255) NOT NULL,
        "partition_id" integer,
        "stream_entry_id" character varying(64) NOT NULL,
        "status" character varying(16) NOT NULL,
        "processing_time_ms" integer NOT NULL DEFAULT 0,
        "error_message" text,
        "retry_count" integer NOT NULL DEFAULT 0,
        "consumed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "processed_at" TIMESTAMP WITH TIME ZONE,
        "next_retry_at" TIMESTAMP WITH TIME ZONE,
        "tenant_id" character varying(64),
        CONSTRAINT "pk_consumption_records" PRIMARY KEY ("id"),
        CONSTRAINT "chk_consumption_records_status" CHECK ("status" IN ('success', 'failed', 'retrying', 'dead_letter'))
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_consumption_records_subscription_consumed" ON "consumption_records" ("subscription_id", "consumed_at")`,
    );
    await queryRunner.query(
      // Hash, not btree: looked up by equality only, and cheaper to maintain on this append-heavy table.
      `CREATE INDEX "idx_consumption_records_message_id" ON "consumption_records" USING hash ("message_id")`,
    );
    await queryRunner.query(
      // Partial: the admin API asks for failures; successes (the bulk of the rows) need no entry.
      `CREATE INDEX "idx_consumption_records_status_consumed" ON "consumption_records" ("status", "consumed_at") WHERE "status" <> 'success'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Children first; indexes and constraints go with their tables. pgcrypto may serve others: kept.
    await queryRunner.query(`DROP TABLE "consumption_records"`);
    await queryRunner.query(`DROP TABLE "message_records"`);
    await queryRunner.query(`DROP TABLE "message_subscriptions"`);
    await queryRunner.query(`DROP TABLE "message_topics"`);
  }
}
