/**
 * What the recording scenarios' consumers report about their `ConsumptionRecorder`: `warmed()`
 * resolves once the warm-up run's records are written (so their writing stays out of the measured
 * window), `report()` with the recorder's counters once every record of the run is (each waits up to 30 s).
 */
export function recorderReports(recorder, cfg) {
  const warmupRun = cfg.warmupRun ?? 0;
  const all = cfg.messages + (cfg.warmup ?? 0) + warmupRun;
  return {
    warmed: async () => {
      if (recorder) await waitForRecords(recorder, warmupRun);
    },
    async report() {
      if (!recorder) return undefined;
      const started = Date.now();
      await waitForRecords(recorder, all);
      return { recorder: recorder.getStats(), recordsWrittenAfterMs: Date.now() - started };
    },
  };
}

async function waitForRecords(recorder, count) {
  const deadline = Date.now() + 30_000;
  const settled = s => s.buffered === 0 && s.written.consumption + s.dropped.consumption >= count;
  while (!settled(recorder.getStats()) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
}
