import type {
  ConsumerStartedEvent,
  MessagePublishedEvent,
  MessageSettledEvent,
  RedisStreamsObserver,
} from '../observer/redis-streams-observer.interface.js';

type Method = keyof RedisStreamsObserver;

/**
 * Fans every event out to several observers (metrics and recording). One failing observer
 * never stops the others, and nothing is thrown back into the transport.
 */
export class CompositeRedisStreamsObserver implements RedisStreamsObserver {
  // Bound once, so the hot path only loops over the observers that implement each method.
  private readonly started: ((e: ConsumerStartedEvent) => void)[];
  private readonly settled: ((e: MessageSettledEvent) => void)[];
  private readonly published: ((e: MessagePublishedEvent) => void)[];

  constructor(readonly observers: readonly RedisStreamsObserver[]) {
    this.started = bind(observers, 'onConsumerStarted');
    this.settled = bind(observers, 'onMessageSettled');
    this.published = bind(observers, 'onMessagePublished');
  }

  onConsumerStarted(event: ConsumerStartedEvent): void {
    for (const fn of this.started) call(fn, event);
  }

  onMessageSettled(event: MessageSettledEvent): void {
    for (const fn of this.settled) call(fn, event);
  }

  onMessagePublished(event: MessagePublishedEvent): void {
    for (const fn of this.published) call(fn, event);
  }
}

/**
 * The observer to hand to the transport: `undefined` for none, the observer itself for one,
 * a `CompositeRedisStreamsObserver` for several.
 */
export function composeObservers(
  ...observers: (RedisStreamsObserver | null | undefined)[]
): RedisStreamsObserver | undefined {
  const present = observers.filter((o): o is RedisStreamsObserver => !!o);
  if (present.length <= 1) return present[0];
  return new CompositeRedisStreamsObserver(present);
}

function bind<M extends Method>(observers: readonly RedisStreamsObserver[], method: M) {
  return observers
    .filter(o => typeof o[method] === 'function')
    .map(o => (o[method] as (event: unknown) => void).bind(o));
}

function call<E>(fn: (event: E) => void, event: E): void {
  try {
    fn(event);
  } catch {
    // An observer must not break message processing.
  }
}
