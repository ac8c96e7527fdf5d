/** The caller of the admin API, from its bearer token's claims. */
export interface Principal {
  /** `sub`: the user or service that calls. */
  sub: string;
  /** `tenant_id`: every queue and subscription the caller sees belongs to it. */
  tenantId: string;
  /** `roles`: `admin` may administer queues, subscriptions and dead letters. */
  roles: string[];
}

/** Role needed for queue, subscription and dead-letter administration. */
export const ADMIN_ROLE = 'admin';
