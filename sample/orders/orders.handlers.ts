import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RedisStreamsContext } from '../../lib/index.js';
import { ORDER_CREATED } from './orders.constants.js';

/** Transport side of the sample: consumes `order.created` in the `billing` group. */
@Controller()
export class OrdersHandlers {
  private readonly logger = new Logger(OrdersHandlers.name);

  @EventPattern<string>(ORDER_CREATED, { group: 'billing' })
  onOrderCreated(@Payload() order: Record<string, unknown>, @Ctx() ctx: RedisStreamsContext) {
    this.logger.log(
      `order.created ${ctx.getMessageId()} (entry ${ctx.getEntryId()}, attempt ${ctx.getAttempt()}): ${JSON.stringify(order)}`,
    );
  }
}
