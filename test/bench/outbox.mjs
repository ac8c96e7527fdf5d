import { createBenchDatabase } from './lib/bench-database.mjs';
import { loadOursWithTypeorm } from './lib/ours-build.mjs';
import { cpuByProcessName, cpuDelta } from './lib/proc-cpu.mjs';
import { runOnce } from './lib/run-once.mjs';
import { summarizeRuns } from './lib/summarize.mjs';
import { formatMarkdown } from './lib/table.mjs';

/**
 * The outbox scenario: a business row + a message per PostgreSQL transaction, published through
 * the transactional outbox or by a plain `emit` after the commit, side by side (alternated, median
 * of `reps`): throughput (msgs/s with `window` transactions in flight) and latency from the start of
 * the business transaction to the handler at a fixed rate.
 */
export async function runOutbox(admin, { root, messages, window, rate, latencyMessages, warmup, reps, log }) {
  const lib = await loadOursWithTypeorm();
  if (typeof lib.RedisStreamsOutbox !== 'function') {
    const note = 'skipped: this build has no RedisStreamsOutbox (./typeorm)';
    log(`  outbox: ${note}`);
    return { skipped: true, note };
  }
  const db = await createBenchDatabase(root);
  if (db.skipped) {
    log(`  outbox: skipped: ${db.skipped}`);
    return { skipped: true, note: db.skipped };
  }
  const variants = [
    { name: 'emit-after-commit', label: 'transaction, then client.emit() (no guarantee)', module: 'outbox', cfg: { mode: 'after-commit', databaseUrl: db.url } },
    { name: 'outbox', label: 'outbox.emit() in the transaction, relay publishes', module: 'outbox', cfg: { mode: 'outbox', databaseUrl: db.url } },
  ];
  const phases = {
    throughput: { params: { messages, window }, timeoutMs: Math.max(60_000, messages * 5) },
    latency: {
      params: { messages: latencyMessages, warmup, rate, latency: true },
      timeoutMs: ((latencyMessages + warmup) / rate) * 1000 + 30_000,
    },
  };
  const results = {};
  try {
    for (const [phase, { params, timeoutMs }] of Object.entries(phases)) {
      const runs = Object.fromEntries(variants.map(v => [v.name, []]));
      for (let rep = 1; rep <= reps; rep++) {
        for (const v of rep % 2 ? variants : [...variants].reverse()) {
          const meters = { postgres: { read: () => cpuByProcessName('postgres'), delta: cpuDelta } };
          const row = await runOnce(v, params, admin, { timeoutMs, log, meters });
          runs[v.name].push(row);
          const lat = row.latency ? `, p50 ${row.latency.p50Ms.toFixed(2)} ms, p99 ${row.latency.p99Ms.toFixed(2)} ms` : '';
          log(
            `[outbox ${phase} ${rep}/${reps}] ${v.name.padEnd(18)} ${
              row.complete
                ? `e2e ${Math.round(row.e2eMsgsPerSec).toLocaleString('en-US')} msg/s${lat}, PostgreSQL CPU ${row.postgresCpuUsPerMsg?.toFixed(1) ?? '—'} µs/msg`
                : `INCOMPLETE ${row.delivered ?? 0}/${row.expected ?? '?'} ${row.error ?? ''}`
            }`,
          );
        }
      }
      results[phase] = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { ...summarizeRuns(v), postgresCpuUsPerMsg: median(v.filter(r => r.complete).map(r => r.postgresCpuUsPerMsg)) }]));
      results[`${phase}Runs`] = runs;
    }
  } finally {
    await db.drop();
  }
  return { config: { messages, window, rate, latencyMessages, warmup, reps }, variants: variants.map(v => ({ name: v.name, label: v.label })), ...results };
}

/** The outbox table: one row per variant, throughput and latency side by side. */
export function formatOutbox(r) {
  const fmt = (v, d = 2) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  const int = v => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
  const body = r.variants.map(v => {
    const t = r.throughput?.[v.name] ?? {};
    const l = r.latency?.[v.name] ?? {};
    return [v.label, int(t.e2eMsgsPerSec), fmt(t.postgresCpuUsPerMsg, 1), fmt(l.p50Ms), fmt(l.p99Ms)];
  });
  return formatMarkdown(
    [`business transaction + message (${r.config.messages.toLocaleString('en-US')} msgs; latency at ${r.config.rate} msg/s)`, 'msgs/s', 'PostgreSQL CPU µs/msg', 'p50 ms', 'p99 ms'],
    body,
  );
}

function median(values) {
  const v = values.filter(x => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : undefined;
}
