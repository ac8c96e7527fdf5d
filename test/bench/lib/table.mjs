/** Plain-text (also Markdown) table of the rows, targets and backlog. */
const fmtInt = v => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
const fmt = (v, d = 2) => (v === undefined ? '—' : v.toFixed(d));

export function formatTable(rows) {
  const head = ['scenario', 'producer msg/s', 'e2e msg/s', '× best ioredis', 'p50 ms', 'p99 ms', 'CPU µs/msg prod/cons/redis', 'peak RSS MB', 'other load %'];
  const body = rows.map(r => [
    r.scenario + (r.incomplete ? ' (!)' : ''),
    fmtInt(r.producerMsgsPerSec),
    fmtInt(r.e2eMsgsPerSec),
    fmt(r.ratioToBestIoredis),
    fmt(r.p50Ms),
    fmt(r.p99Ms),
    `${fmt(r.producerCpuUsPerMsg, 1)} / ${fmt(r.consumerCpuUsPerMsg, 1)} / ${fmt(r.redisCpuUsPerMsg, 1)}`,
    fmtInt(r.peakRssMb),
    fmtInt(r.otherCpuPctOfMachine),
  ]);
  return markdown(head, body);
}

export function formatTargets(targets) {
  const body = targets.map(t => [t.variant, t.target, `${fmt(t.value)} ${t.unit}`, t.met ? 'met' : 'NOT met']);
  return markdown(['variant', 'target', 'measured', ''], body);
}

export function formatBacklog(backlog) {
  const body = backlog.variants.map(v => [
    v.scenario,
    fmtInt(backlog.messages),
    fmt(v.drainSeconds, 1),
    fmtInt(v.drainMsgsPerSec),
    fmtInt(v.peakRssMb),
    v.complete ? 'yes' : `no (${fmtInt(v.delivered)} handled)`,
  ]);
  return markdown(['scenario', 'backlog', 'drain s', 'drain msg/s', 'peak RSS MB', 'complete'], body);
}

export function formatRecording(r) {
  const body = [
    ['off (metrics + persistence off)', fmtInt(r.offMsgsPerSec), fmt(r.consumerCpuUsPerMsg?.off, 1), fmt(r.postgresCpuUsPerMsg?.off, 1)],
    ['on (metrics + consumption records)', fmtInt(r.onMsgsPerSec), fmt(r.consumerCpuUsPerMsg?.on, 1), fmt(r.postgresCpuUsPerMsg?.on, 1)],
    ['on / off', `${fmt(r.ratio)} ×`, '', ''],
    ...(r.recorderOnly
      ? [
          ['recorder alone, off (no observer)', fmtInt(r.recorderOnly.offMsgsPerSec), fmt(r.recorderOnly.consumerCpuUsPerMsg?.off, 1), fmt(r.recorderOnly.postgresCpuUsPerMsg?.off, 1)],
          ['recorder alone, on', fmtInt(r.recorderOnly.onMsgsPerSec), fmt(r.recorderOnly.consumerCpuUsPerMsg?.on, 1), fmt(r.recorderOnly.postgresCpuUsPerMsg?.on, 1)],
          ['recorder alone, on / off', `${fmt(r.recorderOnly.ratio)} ×`, '', ''],
        ]
      : []),
    ['records dropped (all runs)', fmtInt(r.droppedRecords), '', ''],
  ];
  return markdown(['recording, via RedisStreamsModule', 'e2e msg/s', 'consumer CPU µs/msg', 'PostgreSQL CPU µs/msg'], body);
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function formatMarkdown(head, body) {
  return markdown(head, body);
}

function markdown(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map(row => String(row[i]).length)));
  const line = cells => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}
