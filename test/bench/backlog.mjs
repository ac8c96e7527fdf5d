import { randomBytes } from 'node:crypto';
import { nowNs } from './lib/clock.mjs';
import { spawnRole } from './lib/spawn-role.mjs';
import { TUNED } from './scenarios/index.mjs';

/**
 * Backlog: `messages` messages are loaded first (through our client), then each
 * variant of ours drains the whole stream with its own consumer group (startFrom 'earliest'),
 * one after the other: drain time and consumer peak RSS.
 */
export async function runBacklog(admin, { messages, cpuProf, log }) {
  const prefix = `bench-backlog-${randomBytes(4).toString('hex')}`;
  const variants = [
    { scenario: 'ours-default', server: { group: 'backlog-default', startFrom: 'earliest' } },
    { scenario: 'ours-tuned', server: { ...TUNED.server, group: 'backlog-tuned', startFrom: 'earliest' } },
  ];
  const result = { messages, prefix: undefined, variants: [] };
  try {
    // Two loader processes, each a half of the sequence numbers: loading is producer-bound.
    const loaders = [0, 1].map(i => {
      const first = Math.floor((i * messages) / 2);
      const count = Math.floor(((i + 1) * messages) / 2) - first;
      return spawnRole('producer', { module: 'ours', prefix, messages: count, seqOffset: first, window: 1000 });
    });
    try {
      await Promise.all(loaders.map(l => l.next('ready', 60_000)));
      for (const l of loaders) l.send({ type: 'go' });
      const done = await Promise.all(loaders.map(l => l.next('produced', Math.max(180_000, messages / 2))));
      const startNs = Math.min(...done.map(d => d.result.startNs));
      const endNs = Math.max(...done.map(d => d.result.endNs));
      result.loadSeconds = (endNs - startNs) / 1e9;
      result.loadMsgsPerSec = messages / result.loadSeconds;
      result.loadErrors = done.reduce((n, d) => n + d.result.errors, 0);
      log(`  backlog: loaded ${messages.toLocaleString('en-US')} messages in ${result.loadSeconds.toFixed(1)} s (2 loader processes)`);
    } finally {
      await Promise.all(loaders.map(l => l.stop()));
    }
    for (const v of variants) {
      const spawnedNs = nowNs();
      const profiled = cpuProf?.targets.has(`backlog-${v.scenario}`) ? cpuProf.dir : undefined;
      const consumer = spawnRole('consumer', { module: 'ours', prefix, messages, server: v.server }, { cpuProf: profiled, label: `backlog-${v.scenario}` });
      const row = { scenario: v.scenario, options: v.server };
      try {
        await consumer.next('ready', 60_000);
        let report;
        try {
          ({ report } = await consumer.next('done', Math.max(180_000, messages / 4)));
        } catch (err) {
          row.error = err.message;
          consumer.send({ type: 'report' });
          ({ report } = await consumer.next('partial', 10_000));
        }
        row.delivered = report.distinct;
        row.duplicates = report.duplicates;
        row.complete = report.distinct === report.expected;
        row.peakRssMb = report.peakRssBytes / 2 ** 20;
        row.consumerCpuSeconds = report.cpuSeconds;
        if (row.complete) {
          row.drainSeconds = (report.lastNs - report.firstNs) / 1e9;
          row.drainMsgsPerSec = messages / row.drainSeconds;
          row.spawnToDrainedSeconds = (report.lastNs - spawnedNs) / 1e9;
        }
        log(`  backlog ${v.scenario}: ${row.complete ? `drained in ${row.drainSeconds.toFixed(1)} s` : `incomplete (${row.delivered})`}, peak RSS ${row.peakRssMb.toFixed(0)} MB`);
      } catch (err) {
        row.error = err.message;
        log(`  backlog ${v.scenario}: ${err.message}`);
      } finally {
        await consumer.stop();
      }
      result.variants.push(row);
    }
  } finally {
    await admin.deletePrefix(prefix).catch(() => undefined);
  }
  return result;
}
