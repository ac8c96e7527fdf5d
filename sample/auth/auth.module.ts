import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { ServiceTokenGuard } from './service-token.guard.js';

/** Bearer JWT (HS256, `JWT_SECRET`) for the admin API, `X-Service-Token` for the internal API. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [SAMPLE_CONFIG],
      useFactory: (config: SampleConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [JwtAuthGuard, ServiceTokenGuard, MetricsTokenGuard],
  exports: [JwtModule, JwtAuthGuard, ServiceTokenGuard, MetricsTokenGuard],
})
export class AuthModule {}
