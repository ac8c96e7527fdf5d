import { Module } from '@nestjs/common';
import { PlatformEffects } from './platform-effects.service.js';
import { PlatformHandlers } from './platform.handlers.js';

/** The platform's own `@EventPattern` consumers. */
@Module({
  controllers: [PlatformHandlers],
  providers: [PlatformEffects],
})
export class PlatformModule {}
