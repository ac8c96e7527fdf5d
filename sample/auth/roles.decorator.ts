import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@Roles`. */
export const ROLES_KEY = 'mq:roles';

/** The caller needs every one of these roles (checked by `JwtAuthGuard`). */
export const Roles = (...roles: string[]) => SetMetadata(ROLES_KEY, roles);
