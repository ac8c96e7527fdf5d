import { createBenchDatabase } from './lib/bench-database.mjs';
import { loadOursWithTypeorm } from './lib/ours-build.mjs';
import { cpuByProcessName, cpuDelta } from './lib/proc-cpu.mjs';
import { runOnce } from './lib/run-once.mjs';
import { median } from './lib/stats.mjs';

/**
 * Recording on vs off (target: consumption records + metrics on ≥ 0.9 × off): ours with defaults
 * wired through `RedisStreamsModule`, once with `metrics` + `persistence` on (a fresh, migrated
 * PostgreSQL database) and once with both off; alternated, median of `reps`.
 *
 * `BENCH_RECORDING_BASE=DIR` (read only here) adds the two "on" variants once more with the build
 * in DIR (`<name>@base`), in the same rounds: how a recorder change (e.g. COPY instead of INSERT)
 * compares with the build before it, as ratios to the same "off" runs.
 */
export async function runRecording(admin, { root, messages, warmup = 0, window, reps, timeoutMs, cpuProf, log }) {
  const lib = await loadOursWithTypeorm();
  if (typeof lib.RedisStreamsModule !== 'function' || typeof lib.ConsumptionRecorder !== 'function') {
    const note = 'skipped: RedisStreamsModule / ConsumptionRecorder are not exported from lib/index.ts';
    log(`  recording: ${note}`);
    return { skipped: true, note };
  }
  const db = await createBenchDatabase(root);
  if (db.skipped) {
    log(`  recording: skipped: ${db.skipped}`);
    return { skipped: true, note: db.skipped };
  }
  const variants = [
    { name: 'recording-off', label: 'ours via RedisStreamsModule, metrics + persistence off', module: 'ours-module', cfg: { recording: false } },
    { name: 'recording-on', label: 'ours via RedisStreamsModule, metrics + consumption records on', module: 'ours-module', cfg: { recording: true, databaseUrl: db.url } },
    // The recorder alone, wired by hand: its own cost, apart from the module's metrics.
    { name: 'recorder-off', label: 'ours, no observer', module: 'ours-recorder', cfg: { recording: false } },
    { name: 'recorder-on', label: 'ours + ConsumptionRecorder as observer', module: 'ours-recorder', cfg: { recording: true, databaseUrl: db.url } },
  ];
  const base = process.env.BENCH_RECORDING_BASE;
  if (base) {
    for (const v of variants.filter(v => v.cfg.recording)) {
      variants.push({ ...v, name: `${v.name}@base`, label: `${v.label} (build ${base})`, cfg: { ...v.cfg, distDir: base } });
    }
  }
  const runs = Object.fromEntries(variants.map(v => [v.name, []]));
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const v of rep % 2 ? variants : [...variants].reverse()) {
        const meters = { postgres: { read: () => cpuByProcessName('postgres'), delta: cpuDelta } };
        const row = await runOnce(v, { messages, window, warmupRun: warmup }, admin, { cpuProf, timeoutMs, log, meters });
        runs[v.name].push(row);
        const rec = row.extra?.recorder;
        const cpu = row.complete
          ? `, CPU µs/msg consumer ${row.consumerCpuUsPerMsg.toFixed(1)}, PostgreSQL ${row.postgresCpuUsPerMsg?.toFixed(1) ?? '—'}, other load ${Math.round(row.otherCpuPctOfMachine ?? 0)} %`
          : '';
        log(
          `[recording ${rep}/${reps}] ${v.name.padEnd(14)} ${row.complete ? `e2e ${Math.round(row.e2eMsgsPerSec).toLocaleString('en-US')} msg/s${cpu}` : `INCOMPLETE ${row.error ?? ''}`}` +
            (rec ? `, records written ${rec.written.consumption}, dropped ${rec.dropped.consumption}, all written ${row.extra.recordsWrittenAfterMs} ms after the last handled` : ''),
        );
      }
    }
  } finally {
    await db.drop();
  }
  const e2e = name => median(runs[name].filter(r => r.complete).map(r => r.e2eMsgsPerSec));
  const off = e2e('recording-off');
  const on = e2e('recording-on');
  const dropped = [...runs['recording-on'], ...runs['recorder-on']].reduce((n, r) => n + (r.extra?.recorder?.dropped.consumption ?? 0), 0);
  const cpu = (name, key) => median(runs[name].filter(r => r.complete).map(r => r[key]));
  const recorderOff = e2e('recorder-off');
  const recorderOn = e2e('recorder-on');
  const baseComparison = base ? compareWithBase(runs, e2e, cpu, log) : undefined;
  return {
    ...(baseComparison ? { base: { dist: base, ...baseComparison } } : {}),
    offMsgsPerSec: off,
    onMsgsPerSec: on,
    ratio: off && on ? on / off : undefined,
    recorderOnly: {
      offMsgsPerSec: recorderOff,
      onMsgsPerSec: recorderOn,
      ratio: recorderOff && recorderOn ? recorderOn / recorderOff : undefined,
      consumerCpuUsPerMsg: { off: cpu('recorder-off', 'consumerCpuUsPerMsg'), on: cpu('recorder-on', 'consumerCpuUsPerMsg') },
      postgresCpuUsPerMsg: { off: cpu('recorder-off', 'postgresCpuUsPerMsg'), on: cpu('recorder-on', 'postgresCpuUsPerMsg') },
    },
    consumerCpuUsPerMsg: { off: cpu('recording-off', 'consumerCpuUsPerMsg'), on: cpu('recording-on', 'consumerCpuUsPerMsg') },
    postgresCpuUsPerMsg: { off: cpu('recording-off', 'postgresCpuUsPerMsg'), on: cpu('recording-on', 'postgresCpuUsPerMsg') },
    droppedRecords: dropped,
    runs,
  };
}

/**
 * Per round and as medians: each "on" variant ÷ its "off" of the same round, for this build and the
 * base build, and PostgreSQL / consumer CPU per message of each. Logged, and returned for the JSON.
 */
function compareWithBase(runs, e2e, cpu, log) {
  const pairs = [
    ['recording-on', 'recording-off'],
    ['recording-on@base', 'recording-off'],
    ['recorder-on', 'recorder-off'],
    ['recorder-on@base', 'recorder-off'],
  ];
  const rounds = runs['recording-off'].length;
  const out = {};
  log(`\nRecording, this build vs BENCH_RECORDING_BASE (on ÷ off of the same round; CPU µs/msg)`);
  for (const [on, off] of pairs) {
    const ratios = [];
    for (let i = 0; i < rounds; i++) {
      const a = runs[on][i];
      const b = runs[off][i];
      if (a?.complete && b?.complete) ratios.push(a.e2eMsgsPerSec / b.e2eMsgsPerSec);
    }
    out[on] = {
      roundRatios: ratios,
      medianRatio: median(ratios),
      msgsPerSec: e2e(on),
      postgresCpuUsPerMsg: cpu(on, 'postgresCpuUsPerMsg'),
      consumerCpuUsPerMsg: cpu(on, 'consumerCpuUsPerMsg'),
    };
    const r = out[on];
    log(
      `  ${on.padEnd(18)} ratios ${ratios.map(x => x.toFixed(2)).join(' ')}  median ${r.medianRatio?.toFixed(2) ?? '—'} ×` +
        `   PostgreSQL ${r.postgresCpuUsPerMsg?.toFixed(1) ?? '—'} µs/msg   consumer ${r.consumerCpuUsPerMsg?.toFixed(1) ?? '—'} µs/msg`,
    );
  }
  return out;
}
