/**
 * DEVELOPMENT ONLY. Used when `JWT_SECRET` / `INTERNAL_SERVICE_TOKEN` are not set, so that
 * `npm run sample` (which passes `--dev`) and `npm run sample:token` work out of the box. Accepted
 * only in development mode (`--dev` or `NODE_ENV=development`), with a warning at every start;
 * otherwise the service refuses to start. `sample/scripts/dev-token.mjs` holds a copy.
 */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

/** DEVELOPMENT ONLY: see `DEV_JWT_SECRET`. */
export const DEV_INTERNAL_SERVICE_TOKEN = 'dev-only-internal-service-token';
