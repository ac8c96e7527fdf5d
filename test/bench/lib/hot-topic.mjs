import { median } from './stats.mjs';

/** The peers issue 9 compares ours with on one hot topic, and its targets. */
const OURS = 'ours-default';
const BARE = 'ours-bare';
const RAW = 'ioredis-1000';
const NEST = 'nest-redis';
const TARGETS = { raw: 1.0, nest: 1.5, cpuUsPerMsg: 12 };

/**
 * Issue 9's hot-topic summary of the throughput runs: per round (every scenario ran once per round,
 * interleaved), ours with defaults ÷ the plain ioredis COUNT 1000 loop and ÷ Nest's Transport.REDIS,
 * and consumer CPU; medians over the rounds; the targets. Ratios are taken within a round, so the
 * machine's load drifts out of them. Undefined when a peer did not run.
 */
export function summarizeHotTopic(throughputRuns) {
  const raw = throughputRuns?.[RAW];
  if (!raw) return undefined;
  // ours-default, and the same against other builds (`--compare-dist`: ours-default@<tag>); then the
  // diagnostic ours-bare (no Nest per-message pipeline), whose figures are for comparison only.
  const ours = n => n === OURS || n.startsWith(`${OURS}@`);
  const bare = n => n === BARE || n.startsWith(`${BARE}@`);
  const names = [...Object.keys(throughputRuns).filter(ours), ...Object.keys(throughputRuns).filter(bare)];
  if (!names.length) return undefined;
  return { variants: names.map(name => summarizeVariant(name, throughputRuns[name], raw, throughputRuns[NEST])) };
}

function summarizeVariant(name, ours, raw, nest) {
  const rounds = ours.map((o, i) => {
    const r = raw[i];
    const n = nest?.[i];
    const ok = run => run?.complete && run.e2eMsgsPerSec;
    return {
      round: i + 1,
      oursMsgsPerSec: ok(o) ? o.e2eMsgsPerSec : undefined,
      rawMsgsPerSec: ok(r) ? r.e2eMsgsPerSec : undefined,
      nestMsgsPerSec: ok(n) ? n.e2eMsgsPerSec : undefined,
      oursToRaw: ok(o) && ok(r) ? o.e2eMsgsPerSec / r.e2eMsgsPerSec : undefined,
      oursToNest: ok(o) && ok(n) ? o.e2eMsgsPerSec / n.e2eMsgsPerSec : undefined,
      oursConsumerCpuPct: ok(o) ? o.consumerCpuPct : undefined,
      oursConsumerCpuUsPerMsg: ok(o) ? o.consumerCpuUsPerMsg : undefined,
      rawConsumerCpuUsPerMsg: ok(r) ? r.consumerCpuUsPerMsg : undefined,
      nestConsumerCpuUsPerMsg: ok(n) ? n.consumerCpuUsPerMsg : undefined,
      otherLoadPct: median([o, r, n].map(run => run?.otherCpuPctOfMachine)),
    };
  });
  const med = key => median(rounds.map(r => r[key]));
  const summary = {
    name,
    rounds,
    median: Object.fromEntries(Object.keys(rounds[0] ?? {}).filter(k => k !== 'round').map(k => [k, med(k)])),
  };
  const m = summary.median;
  summary.targets = [
    { variant: name, target: `e2e ≥ ${TARGETS.raw} × plain ioredis COUNT 1000 loop (median of rounds)`, value: m.oursToRaw, unit: '×', met: m.oursToRaw >= TARGETS.raw },
    { variant: name, target: `e2e ≥ ${TARGETS.nest} × Nest Transport.REDIS (median of rounds)`, value: m.oursToNest, unit: '×', met: m.oursToNest >= TARGETS.nest },
    { variant: name, target: `consumer CPU ≤ ${TARGETS.cpuUsPerMsg} µs/msg (median of rounds)`, value: m.oursConsumerCpuUsPerMsg, unit: 'µs', met: m.oursConsumerCpuUsPerMsg <= TARGETS.cpuUsPerMsg },
  ].filter(t => t.value !== undefined);
  return summary;
}

/** Every variant's targets. */
export function hotTopicTargets(summary) {
  return summary.variants.filter(v => !v.name.startsWith(BARE)).flatMap(v => v.targets);
}

/** Median share of the machine other processes used during the rounds. */
export function hotTopicOtherLoad(summary) {
  return median(summary.variants.map(v => v.median.otherLoadPct));
}

/** Table rows (per variant: one per round plus the median) for `formatMarkdown`. */
export function hotTopicTableRows(summary) {
  return summary.variants.flatMap(v => variantRows(v, summary.variants.length > 1));
}

function variantRows(summary, named) {
  const int = v => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
  const x = v => (v === undefined ? '—' : `${v.toFixed(2)} ×`);
  const f1 = v => (v === undefined ? '—' : v.toFixed(1));
  const line = (label, r) => [
    label,
    int(r.rawMsgsPerSec),
    int(r.nestMsgsPerSec),
    int(r.oursMsgsPerSec),
    x(r.oursToRaw),
    x(r.oursToNest),
    f1(r.oursConsumerCpuPct),
    `${f1(r.oursConsumerCpuUsPerMsg)} / ${f1(r.rawConsumerCpuUsPerMsg)} / ${f1(r.nestConsumerCpuUsPerMsg)}`,
    int(r.otherLoadPct),
  ];
  const label = text => (named ? `${summary.name} ${text}` : text);
  return [...summary.rounds.map(r => line(label(String(r.round)), r)), line(label('median'), summary.median)];
}

export const HOT_TOPIC_HEAD = [
  'round',
  `${RAW} msg/s`,
  `${NEST} msg/s`,
  `ours msg/s`,
  `ours ÷ ${RAW}`,
  `ours ÷ ${NEST}`,
  'ours consumer CPU %',
  'consumer CPU µs/msg ours / raw / nest',
  'other load %',
];
