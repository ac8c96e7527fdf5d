/**
 * Child process of the many-topics scenario: `node many-topics-child.mjs <consumer|producer> <config>`.
 * Loads `scenarios/many-topics/<config.system>.mjs`. The consumer subscribes everything, answers
 * `ready` with the time that took, then reports probes and traffic (see spread-tracker.mjs). The
 * producer runs the orchestrator's operations (`op` → `op-done`): probes, pause/resume, traffic.
 */
import { benchChild } from './bench-child.mjs';
import { nowNs } from './clock.mjs';
import { runProducer } from './producer-loop.mjs';
import { SpreadTracker } from './spread-tracker.mjs';

const { role, cfg, send, reportError, stop, onClose } = benchChild({ stopTimeoutMs: 15_000 });
const system = await import(`../scenarios/many-topics/${cfg.system}.mjs`);

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** The producer's operations; each resolves with what the orchestrator needs to measure. */
function operations(producer) {
  /** Sends probe messages at once, each stamped with its send time. */
  async function probes({ probes }) {
    return Promise.all(
      probes.map(async p => {
        const sentNs = nowNs();
        await producer.send(p.index, { probe: p.id, t: sentNs, failOnce: p.failOnce }, { delayMs: p.delayMs, failOnce: p.failOnce });
        return { id: p.id, sentNs };
      }),
    );
  }
  return {
    probes,
    async pause({ index }) {
      const beforeNs = nowNs();
      await producer.pause(index);
      return { beforeNs, afterNs: nowNs() };
    },
    async resume({ index }) {
      const beforeNs = nowNs();
      await producer.resume(index);
      return { beforeNs, afterNs: nowNs() };
    },
    /** One probe to `index` every `intervalMs` for `spanMs`. */
    async stream({ index, intervalMs, spanMs, idPrefix }) {
      const sent = [];
      const endNs = nowNs() + spanMs * 1e6;
      for (let n = 0; nowNs() < endNs; n++) {
        sent.push(...(await probes({ probes: [{ id: `${idPrefix}${n}`, index }] })));
        await sleep(intervalMs);
      }
      return sent;
    },
    /** `messages` traffic messages, message `seq` to topic `seq % topics`, `window` in flight. */
    traffic({ messages, topics, window }) {
      const send = data => producer.send(data.seq % topics, data);
      return runProducer(send, { messages, window });
    },
  };
}

/**
 * Polls the system's own view of a subscription's pause state (every 2 ms, up to `timeoutMs`) and
 * reports when it became `want`; `ns` stays undefined when the system has no such view or it never did.
 */
async function watchPaused(isPaused, { index, want, timeoutMs }) {
  const endNs = nowNs() + timeoutMs * 1e6;
  let ns;
  while (isPaused && nowNs() < endNs) {
    const state = isPaused(index);
    if (state === undefined) break;
    if (state === want) {
      ns = nowNs();
      break;
    }
    await sleep(2);
  }
  send({ type: 'paused-state', want, ns });
}

try {
  if (role === 'consumer') {
    const tracker = new SpreadTracker(send);
    const started = await system.consumer(cfg, tracker.handle);
    onClose(started.close);
    process.on('message', msg => {
      if (msg.type === 'expect') {
        tracker.expect(msg);
        send({ type: 'expecting' });
      } else if (msg.type === 'watch-paused') void watchPaused(started.isPaused, msg);
      else if (msg.type === 'report') send({ type: 'report', report: tracker.report() });
      else if (msg.type === 'stop') void stop();
    });
    send({ type: 'ready', subscribeMs: started.subscribeMs });
  } else {
    const producer = await system.producer(cfg);
    onClose(producer.close);
    const ops = operations(producer);
    process.on('message', msg => {
      if (msg.type === 'op') {
        ops[msg.op](msg).then(
          result => send({ type: 'op-done', op: msg.op, result }),
          reportError,
        );
      } else if (msg.type === 'stop') void stop();
    });
    send({ type: 'ready' });
  }
} catch (err) {
  reportError(err);
  process.exit(1);
}
