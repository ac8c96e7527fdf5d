/** Median of numbers (undefined entries ignored); undefined when none. */
export function median(values) {
  const xs = values.filter(v => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return undefined;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Nearest-rank percentile of an already sorted array. */
export function percentileSorted(sorted, p) {
  if (!sorted.length) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50 / p90 / p99 / max / mean of latencies given in ns, returned in ms. */
export function latencySummary(latenciesNs) {
  const sorted = Float64Array.from(latenciesNs).sort();
  const ms = v => (v === undefined ? undefined : v / 1e6);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    samples: sorted.length,
    p50Ms: ms(percentileSorted(sorted, 50)),
    p90Ms: ms(percentileSorted(sorted, 90)),
    p99Ms: ms(percentileSorted(sorted, 99)),
    maxMs: ms(sorted[sorted.length - 1]),
    meanMs: sorted.length ? sum / sorted.length / 1e6 : undefined,
  };
}
