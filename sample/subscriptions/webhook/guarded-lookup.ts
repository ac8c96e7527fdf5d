import type { LookupAddress, LookupOptions } from 'node:dns';
import { WebhookTargetForbiddenError } from './webhook-target-forbidden.error.js';
import type { WebhookAddressPolicy } from './webhook-address-policy.js';
import type { WebhookResolver } from './webhook-resolver.js';

/** The `lookup` signature `net.connect` calls. */
export type ConnectLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for `net.connect` / `tls.connect` that resolves the name and refuses the connection
 * unless every address is allowed. The socket then connects only to an address checked here, at
 * connection time: a DNS answer that changes after the subscription was created (rebinding)
 * cannot reach a private address. (IP-literal hosts never go through `lookup`; the deliverer
 * checks those itself.)
 */
export function guardedLookup(policy: WebhookAddressPolicy, resolve: WebhookResolver): ConnectLookup {
  return (hostname, options, callback) => {
    const admitted = policy.allowsHost(hostname);
    resolve(hostname).then(
      addresses => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = addresses.filter(a => !family || a.family === family);
        if (!usable.length) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (!admitted && usable.some(a => policy.addressProblem(a.address))) return callback(new WebhookTargetForbiddenError(), '');
        if (options.all) return callback(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
