import { Injectable, type PipeTransform } from '@nestjs/common';
import { MqException } from '../errors/mq.exception.js';
import { QUEUE_NAME_PATTERN } from '../tenancy/topic-names.js';

/** Validates a queue name taken from the path or query: 400 MQ_VALIDATION_FAILED if malformed. */
@Injectable()
export class QueueNamePipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !QUEUE_NAME_PATTERN.test(value)) {
      throw MqException.validation('Invalid queue name', [{ field: 'name', errors: [`must match ${QUEUE_NAME_PATTERN.source}`] }]);
    }
    return value;
  }
}
