/**
 * Entry point of every bench child process: `node child.mjs <consumer|producer> <config (base64 JSON)>`.
 * Loads `scenarios/<config.module>.mjs`, runs its consumer or producer, and talks to the
 * orchestrator over IPC: → ready, (← warm, → warmed,) ← start/go, → done/produced, ← report, ← stop.
 */
import { benchChild } from './bench-child.mjs';
import { Tracker } from './tracker.mjs';
import { runProducer } from './producer-loop.mjs';

const { role, cfg, send, reportError, stop, onClose } = benchChild({ stopTimeoutMs: 10_000 });
const scenario = await import(`../scenarios/${cfg.module}.mjs`);

try {
  if (role === 'consumer') {
    let extraReport;
    let warmed;
    const tracker = new Tracker(
      cfg,
      async report => {
        const extra = await extraReport?.().catch(err => ({ error: String(err?.message ?? err) }));
        send({ type: 'done', report: extra ? { ...report, extra } : report });
      },
      () => void Promise.resolve(warmed?.()).then(() => send({ type: 'warmed' }), reportError),
    );
    // A scenario's consumer resolves with its close function, or with { close, report, warmed }
    // (`warmed`: resolves once the warm-up run's side effects are done, e.g. its records written).
    const started = await scenario.consumer(cfg, tracker.handle);
    onClose(typeof started === 'function' ? started : started.close);
    extraReport = typeof started === 'function' ? undefined : started.report;
    warmed = typeof started === 'function' ? undefined : started.warmed;
    process.on('message', msg => {
      if (msg.type === 'start') tracker.start();
      else if (msg.type === 'report') send({ type: 'partial', report: tracker.report() });
      else if (msg.type === 'stop') void stop();
    });
  } else {
    const producer = await scenario.producer(cfg);
    onClose(producer.close);
    process.on('message', msg => {
      if (msg.type === 'warm') {
        // The warm-up run: sent (and handled) before the measured one, numbered before it.
        runProducer(producer.send, { messages: cfg.warmupRun, window: cfg.window }).then(
          result => send({ type: 'warmed', result }),
          reportError,
        );
      } else if (msg.type === 'go') {
        runProducer(producer.send, { ...cfg, seqOffset: cfg.warmupRun ?? 0 }).then(
          result => send({ type: 'produced', result }),
          reportError,
        );
      } else if (msg.type === 'stop') void stop();
    });
  }
  send({ type: 'ready' });
} catch (err) {
  reportError(err);
  process.exit(1);
}
