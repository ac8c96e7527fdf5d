import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { InternalController } from './internal.controller.js';
import { InternalService } from './internal.service.js';

/** The internal API (`/internal/mq/*`). */
@Module({
  imports: [ObservabilityModule, RuntimeModule],
  controllers: [InternalController],
  providers: [InternalService],
})
export class InternalModule {}
