#!/usr/bin/env node
/**
 * Prints a bearer token for trying the service: `npm run sample:token -- [--tenant acme]
 * [--sub alice] [--roles admin] [--expires 12h]`. HS256 with `JWT_SECRET` (plus `JWT_ISSUER` /
 * `JWT_AUDIENCE` when set), or with the built-in development secret that `npm run sample` (--dev)
 * also accepts. Plain JavaScript with `jose`, so it runs at once: nothing is compiled.
 */
import { SignJWT } from 'jose';
import { parseArgs } from 'node:util';

/** Must equal DEV_JWT_SECRET of sample/config/dev-defaults.ts (a unit test checks it). */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    sub: { type: 'string', default: 'dev-user' },
    roles: { type: 'string', default: 'admin' },
    expires: { type: 'string', default: '12h' },
  },
});

const secret = process.env.JWT_SECRET || DEV_JWT_SECRET;
if (!process.env.JWT_SECRET) process.stderr.write('JWT_SECRET is not set: signing with the built-in DEVELOPMENT secret.\n');
const roles = values.roles.split(',').map(r => r.trim()).filter(Boolean);
let jwt = new SignJWT({ tenant_id: values.tenant, roles })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(values.expires);
if (process.env.JWT_ISSUER) jwt = jwt.setIssuer(process.env.JWT_ISSUER);
if (process.env.JWT_AUDIENCE) jwt = jwt.setAudience(process.env.JWT_AUDIENCE);
process.stdout.write(`${await jwt.sign(new TextEncoder().encode(secret))}\n`);
