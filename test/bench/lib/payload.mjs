/** Every bench message is this many bytes of JSON. */
export const PAYLOAD_BYTES = 256;

const PAD = 'x'.repeat(PAYLOAD_BYTES);

/**
 * A 256-byte JSON payload: `seq` (0-based message number, for counting distinct deliveries) and
 * `t` (send time, `nowNs()`, for latency), padded to exactly `PAYLOAD_BYTES` when stringified.
 */
export function makePayload(seq, t) {
  const payload = { seq, t, type: 'order.created', tenant: 'tenant-042', pad: '' };
  const base = JSON.stringify(payload).length;
  payload.pad = PAD.slice(0, Math.max(0, PAYLOAD_BYTES - base));
  return payload;
}
