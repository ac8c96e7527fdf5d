import { Global, Module } from '@nestjs/common';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtVerifier } from './jwt-verifier.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { ServiceTokenGuard } from './service-token.guard.js';

/** Bearer JWT (`JwtVerifier`) for the admin API, `X-Service-Token` for the internal API, a metrics credential for `/metrics`. */
@Global()
@Module({
  providers: [JwtVerifier, JwtAuthGuard, ServiceTokenGuard, MetricsTokenGuard],
  exports: [JwtVerifier, JwtAuthGuard, ServiceTokenGuard, MetricsTokenGuard],
})
export class AuthModule {}
