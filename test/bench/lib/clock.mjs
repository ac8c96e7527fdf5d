/**
 * One clock for every bench process. `process.hrtime` reads CLOCK_MONOTONIC on Linux, which is
 * system-wide: a timestamp taken in the producer can be subtracted from one taken in the consumer
 * (checked: a child's reading always falls between its parent's readings before and after).
 */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** CPU seconds (user + system) used by this process since `since` (a `process.cpuUsage()`). */
export function cpuSecondsSince(since) {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}
