import { cpuSecondsSince, nowNs } from './clock.mjs';

/**
 * Consumer-side bookkeeping of the many-topics scenario. Two kinds of messages:
 * - probes (`{ probe: id, failOnce? }`): each handling is reported at once through `emit` with its
 *   time (`nowNs()`); a `failOnce` probe throws on its first handling (reported as `failed`), so
 *   the transport retries it;
 * - traffic (`{ seq }`, see payload.mjs) after `expect()`: counted per (group, seq) — every group
 *   must handle every message exactly once — and `emit`s `done` when all arrived.
 */
export class SpreadTracker {
  constructor(emit) {
    this.emit = emit;
    this.failed = new Set();
    this.handle = this.handle.bind(this);
    this.expect({ messages: 0, groups: 1 });
  }

  /** Starts counting a traffic run: `messages` sequence numbers, each to be handled by `groups` groups. */
  expect({ messages, groups }) {
    this.messages = messages;
    this.total = messages * groups;
    this.seen = new Uint8Array(this.total);
    this.distinct = 0;
    this.duplicates = 0;
    this.stray = 0;
    this.firstNs = 0;
    this.lastNs = 0;
    this.cpu0 = process.cpuUsage();
  }

  /** The handler every subscription calls; `where` = `{ topic, group }` indexes of the subscription. */
  handle(data, where) {
    if (data.probe !== undefined) return this.handleProbe(data, where);
    const i = where.group * this.messages + data.seq;
    if (!(i >= 0 && i < this.total) || data.seq >= this.messages) {
      this.stray++;
      return;
    }
    if (this.seen[i]) {
      this.duplicates++;
      return;
    }
    this.seen[i] = 1;
    const count = ++this.distinct;
    if (count === 1) this.firstNs = nowNs();
    if (count === this.total) {
      this.lastNs = nowNs();
      this.emit({ type: 'done', report: this.report() });
    }
  }

  handleProbe(data, where) {
    const ns = nowNs();
    const key = `${data.probe}/${where.group}`;
    if (data.failOnce && !this.failed.has(key)) {
      this.failed.add(key);
      this.emit({ type: 'probe', id: data.probe, event: 'failed', ns, where });
      throw new Error(`bench: planned failure of probe ${data.probe}`);
    }
    this.emit({ type: 'probe', id: data.probe, event: 'handled', ns, where });
  }

  /** What the current traffic run counted so far. */
  report() {
    return {
      distinct: this.distinct,
      expected: this.total,
      duplicates: this.duplicates,
      stray: this.stray,
      firstNs: this.firstNs,
      lastNs: this.lastNs,
      cpuSeconds: cpuSecondsSince(this.cpu0),
    };
  }
}
