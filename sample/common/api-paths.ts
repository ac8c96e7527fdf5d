/** Base path of the admin API. */
export const API_PREFIX = 'api/v1/mq';

/** Base path of the internal, service-to-service API. */
export const INTERNAL_PREFIX = 'internal/mq';
