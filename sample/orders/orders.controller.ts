import { BadRequestException, Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { ClientRedisStreams, RedisStreamsRecordBuilder } from '../../lib/index.js';
import { MQ_CLIENT, ORDER_CREATED } from './orders.constants.js';

/** HTTP side of the sample: `POST /orders` publishes `order.created`. */
@Controller('orders')
export class OrdersController {
  constructor(@Inject(MQ_CLIENT) private readonly client: ClientRedisStreams) {}

  @Post()
  @HttpCode(202)
  async create(@Body() body: unknown): Promise<{ messageId: string }> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestException({ code: 'MQ_VALIDATION_FAILED', message: 'The body must be a JSON object' });
    }
    const record = new RedisStreamsRecordBuilder(body).setHeaders({ 'x-source': 'sample-http' }).build();
    const messageId = await lastValueFrom(this.client.emit<string>(ORDER_CREATED, record));
    return { messageId };
  }
}
