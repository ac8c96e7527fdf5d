/**
 * DEVELOPMENT ONLY. Used when `JWT_SECRET` / `INTERNAL_SERVICE_TOKEN` are not set, so that
 * `npm run sample` and `npm run sample:token` work out of the box. The service logs a warning
 * whenever one is in use and refuses to start with them when `NODE_ENV=production`.
 */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

/** DEVELOPMENT ONLY: see `DEV_JWT_SECRET`. */
export const DEV_INTERNAL_SERVICE_TOKEN = 'dev-only-internal-service-token';
