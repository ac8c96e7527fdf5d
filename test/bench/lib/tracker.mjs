import { readFileSync } from 'node:fs';
import { cpuSecondsSince, nowNs } from './clock.mjs';
import { latencySummary } from './stats.mjs';

/**
 * Consumer-side bookkeeping shared by every scenario: counts distinct messages by `seq`
 * (duplicates counted apart), notes when the first and the N-th distinct one were handled,
 * records per-message latency (latency mode only, warm-up messages excluded) and peak RSS.
 * `warmupRun` messages (throughput mode) are handled before the measured run: `onWarm` is called
 * once they all arrived, and they count in no figure of the report.
 */
export class Tracker {
  constructor({ messages, warmup = 0, warmupRun = 0, latency = false }, onDone, onWarm) {
    this.warmupRun = warmupRun;
    this.total = messages + warmup + warmupRun;
    this.warmup = warmup + warmupRun;
    this.onWarm = onWarm;
    this.seen = new Uint8Array(this.total);
    this.latencies = latency ? new Float64Array(messages) : undefined;
    this.distinct = 0;
    this.duplicates = 0;
    this.firstNs = 0;
    this.lastNs = 0;
    this.onDone = onDone;
    this.cpu0 = process.cpuUsage();
    this.rssSampled = 0;
    this.sampler = setInterval(() => this.sampleRss(), 100);
    this.sampler.unref();
    this.handle = this.handle.bind(this);
  }

  /** Resets the CPU baseline: the producer starts now. */
  start() {
    this.cpu0 = process.cpuUsage();
  }

  /** Called by the scenario's handler with the decoded payload. */
  handle(data) {
    const seq = data.seq;
    if (this.seen[seq]) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    const count = ++this.distinct;
    if (count === this.warmupRun) this.onWarm?.();
    if (this.latencies) {
      const now = nowNs();
      if (seq >= this.warmup) this.latencies[seq - this.warmup] = now - data.t;
      if (count === this.warmupRun + 1) this.firstNs = now;
      if (count === this.total) this.finish(now);
    } else if (count === this.warmupRun + 1) {
      this.firstNs = nowNs();
    } else if (count === this.total) {
      this.finish(nowNs());
    }
  }

  /** What was measured so far (also used for a timed-out run). */
  report() {
    const cpuSeconds = cpuSecondsSince(this.cpu0);
    this.sampleRss();
    return {
      distinct: this.distinct - this.warmupRun,
      expected: this.total - this.warmupRun,
      duplicates: this.duplicates,
      firstNs: this.firstNs,
      lastNs: this.lastNs,
      cpuSeconds,
      peakRssBytes: Math.max(this.rssSampled, vmHwmBytes() ?? 0),
      latency: this.latencies && this.distinct === this.total ? latencySummary(this.latencies) : undefined,
    };
  }

  finish(now) {
    this.lastNs = now;
    clearInterval(this.sampler);
    this.onDone(this.report());
  }

  sampleRss() {
    const rss = process.memoryUsage.rss();
    if (rss > this.rssSampled) this.rssSampled = rss;
  }
}

/** Peak resident set size of this process (Linux VmHWM), in bytes. */
function vmHwmBytes() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
