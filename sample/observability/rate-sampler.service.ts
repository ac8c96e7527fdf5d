import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { SampleRedis, type StreamCounters } from '../common/redis/sample-redis.service.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config.js';
import { ALL_PLATFORM_TOPICS } from '../platform/platform.topics.js';
import { QueueRuntimeRegistry } from '../runtime/queue-runtime.registry.js';

/** One sample of a topic's Redis 7 counters. */
interface Sample {
  at: number;
  counters: StreamCounters;
}

/** Rates of a topic over the last sampling window, in messages per second. */
export interface TopicRates {
  publishedPerSec: number | null;
  /** Per group: messages delivered per second (first deliveries; retries are not counted). */
  deliveredPerSec: Map<string, number | null>;
  /** Length of the window the rates are measured over (s). */
  windowSeconds: number | null;
}

/**
 * Rates from Redis' own counters (`entries-added` of the stream, `entries-read` of each group),
 * so they are the same whichever replica answers and count every producer and consumer, not
 * only this process. Samples every queue every `RATE_SAMPLE_INTERVAL_MS`; a rate is the change
 * between the latest sample at least a second old and now.
 */
@Injectable()
export class RateSampler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly samples = new Map<string, Sample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: SampleRedis,
    private readonly registry: QueueRuntimeRegistry,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sampleAll(), this.config.rateSampleIntervalMs);
    this.timer.unref();
  }

  /** Stops before the transport and the admin close, so no timer runs against closed connections. */
  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Rates of a topic given its counters now (null until a sample is a second old). */
  ratesOf(topic: string, now: StreamCounters | undefined, at = Date.now()): TopicRates {
    const base = (this.samples.get(topic) ?? []).filter(s => at - s.at >= 1_000).at(-1);
    if (!base || !now) return { publishedPerSec: null, deliveredPerSec: new Map(), windowSeconds: null };
    const seconds = (at - base.at) / 1000;
    const perSec = (delta: number) => Math.max(0, Math.round((delta / seconds) * 100) / 100);
    const delivered = new Map<string, number | null>();
    for (const [group, g] of now.groups) {
      const before = base.counters.groups.get(group)?.entriesRead;
      delivered.set(group, g.entriesRead === null || before === undefined || before === null ? null : perSec(g.entriesRead - before));
    }
    return { publishedPerSec: perSec(now.entriesAdded - base.counters.entriesAdded), deliveredPerSec: delivered, windowSeconds: seconds };
  }

  /** Takes one sample of every queue and platform topic now. Never rejects. */
  async sampleAll(): Promise<void> {
    const topics = [...this.registry.all().map(q => q.topic), ...ALL_PLATFORM_TOPICS];
    const at = Date.now();
    await Promise.all(
      topics.map(async topic => {
        const counters = await this.redis.counters(topic, at).catch(() => undefined);
        if (!counters) return;
        // Keep the newest sample that is at least a second old (the base of the next rates) and everything newer.
        const kept = this.samples.get(topic) ?? [];
        let base = -1;
        kept.forEach((sample, i) => at - sample.at >= 1_000 && (base = i));
        this.samples.set(topic, [...kept.slice(Math.max(0, base)), { at, counters }]);
      }),
    );
    for (const topic of this.samples.keys()) if (!topics.includes(topic)) this.samples.delete(topic);
  }
}
