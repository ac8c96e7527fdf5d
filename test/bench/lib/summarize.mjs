import { median } from './stats.mjs';

const METRICS = [
  'producerMsgsPerSec', 'e2eMsgsPerSec', 'e2eSeconds',
  'producerCpuSeconds', 'consumerCpuSeconds', 'redisCpuSeconds',
  'producerCpuPct', 'consumerCpuPct', 'redisCpuPct',
  'producerCpuUsPerMsg', 'consumerCpuUsPerMsg', 'redisCpuUsPerMsg', 'peakRssMb', 'otherCpuPctOfMachine',
];

/** Median of each metric over the complete runs of one scenario (each metric on its own). */
export function summarizeRuns(runs) {
  const ok = runs.filter(r => r.complete);
  const out = { runs: runs.length, completeRuns: ok.length };
  for (const m of METRICS) out[m] = median(ok.map(r => r[m]));
  const commands = new Set(ok.flatMap(r => Object.keys(r.redisCallsPerMessage ?? {})));
  out.redisCallsPerMessage = Object.fromEntries([...commands].map(c => [c, median(ok.map(r => r.redisCallsPerMessage?.[c] ?? 0))]));
  if (ok.some(r => r.latency)) {
    out.p50Ms = median(ok.map(r => r.latency?.p50Ms));
    out.p90Ms = median(ok.map(r => r.latency?.p90Ms));
    out.p99Ms = median(ok.map(r => r.latency?.p99Ms));
    out.maxMs = median(ok.map(r => r.latency?.maxMs));
  }
  if (ok.length < runs.length) {
    out.incomplete = runs.filter(r => !r.complete).map(r => ({ delivered: r.delivered, expected: r.expected, error: r.error }));
  }
  return out;
}

/** One table row per scenario: throughput medians, latency medians, ratio to the best ioredis loop. */
export function buildRows(scenarios, throughput, latency) {
  const best = Math.max(
    0,
    ...scenarios.filter(s => s.baseline).map(s => throughput[s.name]?.e2eMsgsPerSec ?? 0),
  );
  return scenarios.map(s => {
    const t = throughput[s.name] ?? {};
    const l = latency[s.name] ?? {};
    return {
      scenario: s.name,
      label: s.label,
      producerMsgsPerSec: t.producerMsgsPerSec,
      e2eMsgsPerSec: t.e2eMsgsPerSec,
      ratioToBestIoredis: best && t.e2eMsgsPerSec ? t.e2eMsgsPerSec / best : undefined,
      p50Ms: l.p50Ms,
      p99Ms: l.p99Ms,
      producerCpuPct: t.producerCpuPct,
      consumerCpuPct: t.consumerCpuPct,
      redisCpuPct: t.redisCpuPct,
      producerCpuUsPerMsg: t.producerCpuUsPerMsg,
      consumerCpuUsPerMsg: t.consumerCpuUsPerMsg,
      redisCpuUsPerMsg: t.redisCpuUsPerMsg,
      redisCallsPerMessage: t.redisCallsPerMessage,
      peakRssMb: t.peakRssMb,
      otherCpuPctOfMachine: t.otherCpuPctOfMachine,
      incomplete: t.incomplete || l.incomplete ? { throughput: t.incomplete, latency: l.incomplete } : undefined,
    };
  });
}

/** The performance targets (docs/benchmarks.md), checked for every variant of ours present in the rows. */
export function checkTargets(rows, backlog, recording) {
  const by = Object.fromEntries(rows.map(r => [r.scenario, r]));
  const best = Math.max(0, ...['ioredis-100', 'ioredis-1000'].map(n => by[n]?.e2eMsgsPerSec ?? 0)) || undefined;
  const out = [];
  for (const ours of rows.filter(r => r.scenario.startsWith('ours-'))) {
    const e2e = ours.e2eMsgsPerSec;
    const ratio = (peer, min, name) => {
      const p = peer === 'best-ioredis' ? best : by[peer]?.e2eMsgsPerSec;
      if (!e2e || !p) return;
      out.push({ variant: ours.scenario, target: `e2e ≥ ${min} × ${name}`, value: e2e / p, unit: '×', met: e2e / p >= min });
    };
    ratio('best-ioredis', 0.7, 'best plain ioredis loop');
    ratio('nest-redis', 1.4, "Nest's Transport.REDIS");
    ratio('streams-transporter', 5, '@nestjs-redis/streams-transporter');
    ratio('bullmq', 5, 'BullMQ');
    if (ours.p50Ms !== undefined) out.push({ variant: ours.scenario, target: 'p50 ≤ 0.5 ms at the latency rate', value: ours.p50Ms, unit: 'ms', met: ours.p50Ms <= 0.5 });
    if (ours.p99Ms !== undefined) out.push({ variant: ours.scenario, target: 'p99 ≤ 3 ms at the latency rate', value: ours.p99Ms, unit: 'ms', met: ours.p99Ms <= 3 });
  }
  for (const b of backlog?.variants ?? []) {
    if (b.peakRssMb !== undefined) {
      out.push({ variant: b.scenario, target: `${backlog.messages} backlog drained, consumer RSS < 256 MB`, value: b.peakRssMb, unit: 'MB', met: b.complete && b.peakRssMb < 256 });
    }
  }
  if (recording?.ratio !== undefined) {
    out.push({ variant: 'ours-default', target: 'recording on ≥ 0.9 × off', value: recording.ratio, unit: '×', met: recording.ratio >= 0.9 });
  }
  return out;
}
