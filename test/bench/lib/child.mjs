/**
 * Entry point of every bench child process: `node child.mjs <consumer|producer> <config (base64 JSON)>`.
 * Loads `scenarios/<config.module>.mjs`, runs its consumer or producer, and talks to the
 * orchestrator over IPC: → ready, ← start/go, → done/produced, ← report, ← stop.
 */
import { Tracker } from './tracker.mjs';
import { runProducer } from './producer-loop.mjs';

const [role, encoded] = process.argv.slice(2);
const cfg = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
const scenario = await import(`../scenarios/${cfg.module}.mjs`);
const send = msg => process.send?.(msg);

process.on('unhandledRejection', err => send({ type: 'error', error: String(err?.stack ?? err) }));
process.on('disconnect', () => process.exit(1)); // the orchestrator died

let close = async () => undefined;
let stopping = false;

async function stop() {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(0), 10_000);
  try {
    await close();
  } catch (err) {
    send({ type: 'error', error: `close failed: ${err?.message ?? err}` });
  }
  clearTimeout(timer);
  process.exit(0);
}

try {
  if (role === 'consumer') {
    let extraReport;
    const tracker = new Tracker(cfg, async report => {
      const extra = await extraReport?.().catch(err => ({ error: String(err?.message ?? err) }));
      send({ type: 'done', report: extra ? { ...report, extra } : report });
    });
    // A scenario's consumer resolves with its close function, or with { close, report }.
    const started = await scenario.consumer(cfg, tracker.handle);
    close = typeof started === 'function' ? started : started.close;
    extraReport = typeof started === 'function' ? undefined : started.report;
    process.on('message', msg => {
      if (msg.type === 'start') tracker.start();
      else if (msg.type === 'report') send({ type: 'partial', report: tracker.report() });
      else if (msg.type === 'stop') void stop();
    });
  } else {
    const producer = await scenario.producer(cfg);
    close = producer.close;
    process.on('message', msg => {
      if (msg.type === 'go') {
        runProducer(producer.send, cfg).then(
          result => send({ type: 'produced', result }),
          err => send({ type: 'error', error: String(err?.stack ?? err) }),
        );
      } else if (msg.type === 'stop') void stop();
    });
  }
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'error', error: String(err?.stack ?? err) });
  process.exit(1);
}
