import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal.js';

/** Where `JwtAuthGuard` leaves the verified principal on the request. */
export const PRINCIPAL = Symbol('mq:principal');

/** The caller's `Principal` (the route must be behind `JwtAuthGuard`). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest()[PRINCIPAL],
);
