import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queues can be encrypted: `mq_queue_settings.encrypted` (format, compression and schema already
 * have their columns in `message_topics`).
 */
export class SampleQueueEncryption1795846000000 implements MigrationInterface {
  name = 'SampleQueueEncryption1795846000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mq_queue_settings" ADD "encrypted" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mq_queue_settings" DROP COLUMN "encrypted"`);
  }
}
