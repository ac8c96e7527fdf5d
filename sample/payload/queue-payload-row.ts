import type { MessageTopicEntity } from '../../lib/typeorm/index.js';
import type { QueueSettingsEntity } from '../queues/queue-settings.entity.js';
import type { QueuePayloadSettings } from './queue-payload.js';

/** The payload columns of a queue as a raw query returns them. */
export interface QueuePayloadRow {
  tenant_id: string | null;
  message_format: string;
  compression_type: string;
  schema_definition: Record<string, unknown> | null;
  encrypted: boolean;
}

/** Registry settings from a raw row. */
export function payloadSettingsOf(row: QueuePayloadRow): QueuePayloadSettings {
  return {
    tenantId: row.tenant_id ?? '',
    messageFormat: row.message_format === 'msgpack' ? 'msgpack' : 'json',
    compressionType: row.compression_type === 'gzip' || row.compression_type === 'br' ? row.compression_type : 'none',
    encrypted: row.encrypted === true,
    schemaDefinition: row.schema_definition ?? null,
  };
}

/** Registry settings from the entities. */
export function payloadSettingsOfQueue(row: MessageTopicEntity, settings: QueueSettingsEntity): QueuePayloadSettings {
  return payloadSettingsOf({
    tenant_id: row.tenantId,
    message_format: row.messageFormat,
    compression_type: row.compressionType,
    schema_definition: row.schemaDefinition,
    encrypted: settings.encrypted,
  });
}
