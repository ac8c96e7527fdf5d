import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateQueueDto } from './create-queue.dto.js';

/**
 * Body of `PUT /queues/{name}`: the fields to change (absent = unchanged; `maxLength: null`
 * removes the limit). Applies to running consumers without a restart.
 */
// skipNullProperties: false — a null is validated (and refused) except where the field allows it.
export class UpdateQueueDto extends PartialType(OmitType(CreateQueueDto, ['name'] as const), { skipNullProperties: false }) {}
