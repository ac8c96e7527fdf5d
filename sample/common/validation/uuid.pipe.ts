import { Injectable, type PipeTransform } from '@nestjs/common';
import { MqException } from '../errors/mq.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates an id taken from the path: 400 MQ_VALIDATION_FAILED unless it is a UUID. */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw MqException.validation('Invalid id', [{ field: 'id', errors: ['must be a UUID'] }]);
    }
    return value.toLowerCase();
  }
}
