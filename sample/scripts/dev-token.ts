/**
 * Prints a bearer token for trying the service: `npm run sample:token -- [--tenant acme]
 * [--sub alice] [--roles admin,publisher] [--expires 1h]`. Signs with `JWT_SECRET`, or with the
 * built-in development secret the service also falls back to (and warns about).
 */
import { JwtService } from '@nestjs/jwt';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/sample-config.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    sub: { type: 'string', default: 'dev-user' },
    roles: { type: 'string', default: 'admin' },
    expires: { type: 'string', default: '12h' },
  },
});

const config = loadConfig();
if (config.devDefaults.includes('JWT_SECRET')) {
  process.stderr.write('JWT_SECRET is not set: signing with the built-in DEVELOPMENT secret.\n');
}
const roles = values.roles.split(',').map(r => r.trim()).filter(Boolean);
const token = new JwtService({ secret: config.jwtSecret }).sign(
  { sub: values.sub, tenant_id: values.tenant, roles },
  { algorithm: 'HS256', expiresIn: values.expires as never },
);
process.stdout.write(`${token}\n`);
