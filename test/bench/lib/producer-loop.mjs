import { cpuSecondsSince, nowNs } from './clock.mjs';
import { makePayload } from './payload.mjs';

/**
 * Sends `warmup + messages` payloads through `send` (a function returning a promise that resolves
 * once the transport confirmed the message). Throughput mode keeps `window` sends in flight;
 * latency mode (`rate` msgs/s) paces sends by the clock. Each payload is stamped at send time;
 * `seqOffset` shifts the message numbers (several loaders filling one stream).
 */
export async function runProducer(send, { messages, warmup = 0, window = 1000, rate, seqOffset = 0 }) {
  const total = messages + warmup;
  const cpu0 = process.cpuUsage();
  const startNs = nowNs();
  let next = 0;
  let confirmed = 0;
  let errors = 0;
  let firstError;
  let inFlight = 0;
  await new Promise(resolve => {
    const settled = err => {
      inFlight--;
      confirmed++;
      if (err) {
        errors++;
        firstError ??= String(err?.message ?? err);
      }
      if (confirmed === total) resolve();
      else if (!rate) launch();
    };
    const ok = () => settled();
    const fail = err => settled(err ?? new Error('send failed'));
    const one = () => {
      const seq = next++;
      inFlight++;
      send(makePayload(seqOffset + seq, nowNs())).then(ok, fail);
    };
    function launch() {
      while (inFlight < window && next < total) one();
    }
    if (!rate) return launch();
    const tick = () => {
      const due = Math.min(total, Math.floor(((nowNs() - startNs) / 1e9) * rate) + 1);
      while (next < due) one();
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
  const endNs = nowNs();
  return { startNs, endNs, sent: total, errors, firstError, cpuSeconds: cpuSecondsSince(cpu0) };
}
