import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { decodeEnvelope } from '../../../lib/codec/envelope.codec.js';
import { randomPrefix } from '../../helpers/redis.js';
import { PrivateRedis } from '../../helpers/redis-server.js';
import { migratedDatabase, type FreshDatabase } from '../persistence/fresh-database.js';
import { SupervisedProcess } from './supervised-process.js';

/**
 * Exactly-once effects under crashes, with real processes, Redis and PostgreSQL: a producer writes
 * orders and their outbox messages (one transaction in ten rolls back) and is SIGKILLed mid-transaction,
 * right after an XADD the outbox has not marked yet, and at random times; two consumers apply each
 * message through the inbox and are SIGKILLed right after a commit, before the ack; Redis is
 * killed and restarted once. 10,000 messages take about 40 s here; OUTBOX_CRASH_MESSAGES=2000
 * runs a shorter one.
 */
const TOTAL = Number(process.env.OUTBOX_CRASH_MESSAGES ?? 10_000);
const KEYS = 16;
const DEADLINE_MS = 60_000 + TOTAL * 15;
const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

jest.setTimeout(DEADLINE_MS + 60_000);

describe('outbox + inbox under crashes', () => {
  let db: FreshDatabase & { dataSource: DataSource };
  let redis: PrivateRedis;
  let inspector: Redis;
  const processes: SupervisedProcess[] = [];

  beforeAll(async () => {
    db = await migratedDatabase();
    await db.dataSource.query(`CREATE TABLE orders (n int PRIMARY KEY)`);
    // No unique constraint: a second application of an effect would show as a second row.
    await db.dataSource.query(`CREATE TABLE effects (n int NOT NULL, message_id text NOT NULL)`);
    redis = await PrivateRedis.start({ durable: true });
    inspector = new Redis(redis.url, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    await Promise.all(processes.map(p => p.stop()));
    inspector?.disconnect();
    await redis?.destroy();
    await db?.drop();
  });

  async function count(sql: string): Promise<number> {
    const [row] = await db.dataSource.query(sql);
    return Number(row.n);
  }

  it(`should apply each of ${TOTAL} committed messages exactly once, and no rolled-back one`, async () => {
    const prefix = randomPrefix();
    const common = { DATABASE_URL: db.url, REDIS_URL: redis.url, MQ_PREFIX: prefix };
    // Each producer run dies differently: mid-transaction, right after an XADD, killed from outside.
    const producerDeaths = ['mid-transaction', 'after-publish', 'external', 'after-publish'];
    const producer = new SupervisedProcess('test/integration/outbox/fixtures/outbox-producer-process.ts', run => {
      const death = producerDeaths[run - 1];
      return {
        ...common,
        TOTAL: String(TOTAL),
        KEYS: String(KEYS),
        DIE_MID_TRANSACTION: death === 'mid-transaction' ? String(random(20, 80)) : '0',
        DIE_AFTER_PUBLISHES: death === 'after-publish' ? String(random(50, 300)) : '0',
      };
    });
    let consumerDeathsPlanned = 0;
    const consumerEnv = (name: string) => () => ({
      ...common,
      MQ_CONSUMER: name,
      DIE_AFTER_COMMITS: consumerDeathsPlanned++ < 4 ? String(random(100, 300)) : '0',
    });
    const consumers = [
      new SupervisedProcess('test/integration/outbox/fixtures/inbox-consumer-process.ts', consumerEnv('c1')),
      new SupervisedProcess('test/integration/outbox/fixtures/inbox-consumer-process.ts', consumerEnv('c2')),
    ];
    processes.push(producer, ...consumers);
    producer.start();
    consumers.forEach(c => c.start());

    let redisRestarts = 0;
    let externalKills = 0;
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`Timed out: ${await count(`SELECT count(*) AS n FROM effects`)} effects of ${TOTAL}`);
      const effects = await count(`SELECT count(DISTINCT n) AS n FROM effects`);
      if (!redisRestarts && effects >= TOTAL * 0.4) {
        redisRestarts++;
        await redis.stop();
        await new Promise(resolve => setTimeout(resolve, 300));
        await redis.start();
      }
      // The third producer run is killed from outside, once it has started writing.
      if (producer.runs === 3 && !externalKills && producer.events.some(e => e.run === 3 && e.event === 'ready')) {
        await new Promise(resolve => setTimeout(resolve, random(200, 800)));
        externalKills++;
        await producer.kill();
      }
      const written = producer.events.some(e => e.event === 'written');
      if (written && effects >= TOTAL && (await count(`SELECT count(*) AS n FROM message_outbox WHERE sent_at IS NULL`)) === 0) {
        // Every delivery acked: nothing left that could be applied again.
        const [pending] = (await inspector.xpending(`${prefix}:{orders}`, 'effects')) as [number];
        if (Number(pending) === 0) break;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    // The scenario happened as described: every run ended by SIGKILL, none by an error.
    const producerExits = [...producer.exits];
    const consumerExits = consumers.flatMap(c => c.exits);
    await Promise.all(processes.map(p => p.stop()));
    expect(redisRestarts).toBe(1);
    expect(producerExits.length).toBeGreaterThanOrEqual(3);
    expect(consumerExits.length).toBeGreaterThanOrEqual(4);
    expect(new Set([...producerExits, ...consumerExits])).toEqual(new Set(['SIGKILL']));

    // Exactly once: TOTAL effects, one per committed order; no decoy (rolled back) ever applied.
    expect(await count(`SELECT count(*) AS n FROM effects`)).toBe(TOTAL);
    expect(await count(`SELECT count(DISTINCT n) AS n FROM effects`)).toBe(TOTAL);
    expect(await count(`SELECT count(*) AS n FROM effects WHERE n < 1 OR n > ${TOTAL}`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM orders`)).toBe(TOTAL);
    expect(await count(`SELECT count(*) AS n FROM message_inbox`)).toBe(TOTAL);

    // One stream entry per message (no second XADD after a crash), each key's in commit order.
    const entries = await inspector.xrange(`${prefix}:{orders}`, '-', '+');
    expect(entries).toHaveLength(TOTAL);
    const lastOfKey = new Map<string, number>();
    for (const [entryId, fields] of entries) {
      const envelope = decodeEnvelope(fields, entryId);
      if (typeof envelope === 'string') throw new Error(envelope);
      const n = (envelope.data as { n: number }).n;
      expect(n).toBeGreaterThan(lastOfKey.get(envelope.key!) ?? 0);
      lastOfKey.set(envelope.key!, n);
    }
    expect(lastOfKey.size).toBe(KEYS);
  });
});
