import type { Delivery } from './delivery.js';

/**
 * The deliveries one consumer owns (running, or read ahead), in an array: adding and removing one
 * allocates nothing and moves one element, where a Map keyed by entry id rehashes each time a
 * read-ahead fills and drains it. Order is not kept (nothing needs it).
 */
export class OwnedDeliveries {
  private readonly items: Delivery[] = [];
  /** Resolves `whenEmpty()`: set only while the consumer stops. */
  private emptied: (() => void) | undefined;

  get size(): number {
    return this.items.length;
  }

  add(delivery: Delivery): void {
    delivery.slot = this.items.length;
    this.items.push(delivery);
  }

  remove(delivery: Delivery): void {
    const slot = delivery.slot ?? -1;
    if (slot < 0 || this.items[slot] !== delivery) return;
    const last = this.items.pop()!;
    if (last !== delivery) {
      this.items[slot] = last;
      last.slot = slot;
    }
    delivery.slot = -1;
    if (this.emptied && this.items.length === 0) this.emptied();
  }

  /** Resolves once the last owned delivery is removed (at once when none is owned). */
  whenEmpty(): Promise<void> {
    if (!this.items.length) return Promise.resolve();
    return new Promise(resolve => (this.emptied = resolve));
  }

  /** The entry ids owned now (built on demand: only claims need to look one up). */
  entryIds(): Set<string> {
    return new Set(this.items.map(delivery => delivery.entryId));
  }

  /** Ids of owned entries whose lease was last renewed at or before `since`; marks them renewed at `now`. */
  takeLeasesToExtend(since: number, now: number): string[] {
    const ids: string[] = [];
    for (const delivery of this.items) {
      if (delivery.leasedAt <= since) {
        delivery.leasedAt = now;
        ids.push(delivery.entryId);
      }
    }
    return ids;
  }
}
