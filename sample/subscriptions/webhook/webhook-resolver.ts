import { lookup } from 'node:dns/promises';

/** One resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to every address it has. The service's default is the system resolver
 * (`dns.lookup`, what `net.connect` uses); tests pass a stub that answers private addresses, so
 * that refusals are exercised without sending traffic anywhere.
 */
export type WebhookResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver. */
export const systemResolver: WebhookResolver = async hostname =>
  (await lookup(hostname, { all: true, verbatim: true })).map(a => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
