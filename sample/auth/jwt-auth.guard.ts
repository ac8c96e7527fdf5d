import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HttpRequest } from '../common/http/http-types.js';
import { MqErrorCode } from '../common/errors/mq-error-code.js';
import { MqException } from '../common/errors/mq.exception.js';
import { AuthFailureLimiter } from '../common/rate-limit/auth-failure-limiter.js';
import { PLATFORM_TENANT, TENANT_ID_PATTERN } from '../common/tenancy/topic-names.js';
import { PRINCIPAL } from './current-principal.decorator.js';
import { JwtVerifier } from './jwt-verifier.js';
import type { Principal } from './principal.js';
import { ROLES_KEY } from './roles.decorator.js';

/**
 * Bearer JWT with `sub`, `tenant_id` and `roles` (verified by `JwtVerifier`: signature, `exp`
 * required, `iss` / `aud` when configured): a missing, malformed, expired or wrongly signed token
 * is 401; a token without the roles of `@Roles(...)` is 403. Failed attempts count against the
 * client address (`AuthFailureLimiter`: 429 past the limit). Applied per controller, never
 * globally, so the transport's `@EventPattern` handlers are not guarded.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequest & { [PRINCIPAL]?: Principal }>();
    const principal = await this.failures.authenticate(request, () => this.verify(request.headers.authorization));
    const needed = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    const missing = (needed ?? []).filter(role => !principal.roles.includes(role));
    if (missing.length) throw MqException.forbidden(`This operation needs the role(s): ${missing.join(', ')}`);
    request[PRINCIPAL] = principal;
    return true;
  }

  /** The principal of an `Authorization` header value; 401 unless it holds a valid token. */
  async verify(header: string | undefined, options: { allowPlatformTenant?: boolean } = {}): Promise<Principal> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header ?? '');
    if (!match) throw unauthorized('A bearer token is required (Authorization: Bearer <jwt>)');
    let claims: Record<string, unknown>;
    try {
      claims = await this.jwt.verify(match[1]);
    } catch (err) {
      throw unauthorized(`Invalid token: ${(err as Error).message}`);
    }
    const { sub, tenant_id: tenantId, roles = [] } = claims;
    if (typeof sub !== 'string' || !sub) throw unauthorized('The token has no "sub"');
    if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
      throw unauthorized('The token has no valid "tenant_id" (letters, digits, "_" and "-")');
    }
    if (!Array.isArray(roles) || roles.some(r => typeof r !== 'string')) throw unauthorized('"roles" must be a list of strings');
    if (tenantId === PLATFORM_TENANT && !options.allowPlatformTenant) throw MqException.forbidden(`The tenant id "${PLATFORM_TENANT}" is reserved`);
    return { sub, tenantId, roles: roles as string[] };
  }
}

function unauthorized(message: string): MqException {
  return new MqException(HttpStatus.UNAUTHORIZED, MqErrorCode.UNAUTHORIZED, message);
}
