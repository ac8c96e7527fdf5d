import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { ClientRedisStreams } from '../lib/index.js';
import { MQ_CLIENT } from './orders/orders.constants.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersHandlers } from './orders/orders.handlers.js';
import { redisConnection, redisPrefix } from './config.js';

@Module({
  imports: [
    ClientsModule.register([
      { name: MQ_CLIENT, customClass: ClientRedisStreams, options: { connection: redisConnection(), prefix: redisPrefix() } },
    ]),
  ],
  controllers: [OrdersController, OrdersHandlers],
})
export class AppModule {}
