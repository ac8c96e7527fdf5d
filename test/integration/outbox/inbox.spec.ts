import type { DataSource } from 'typeorm';
import { RedisStreamsInbox, type InboxMessage } from '../../../lib/persistence/inbox/redis-streams-inbox.js';
import { deferred } from '../../helpers/wait.js';
import { migratedDatabase, type FreshDatabase } from '../persistence/fresh-database.js';

function message(id: string, group = 'billing'): InboxMessage {
  return { getGroup: () => group, getMessageId: () => id, getTopic: () => 'orders' };
}

describe(RedisStreamsInbox.name, () => {
  let db: FreshDatabase & { dataSource: DataSource };
  let inbox: RedisStreamsInbox;

  beforeEach(async () => {
    db = await migratedDatabase();
    await db.dataSource.query(`CREATE TABLE effects (message_id text NOT NULL)`);
    inbox = new RedisStreamsInbox(db.dataSource, { pruneIntervalMs: 0 });
  });

  afterEach(async () => {
    inbox.close();
    await db.drop();
  });

  const effect = (id: string) => (manager: { query: DataSource['query'] }) =>
    manager.query(`INSERT INTO effects (message_id) VALUES ($1)`, [id]).then(() => id);

  async function effects(): Promise<string[]> {
    return (await db.dataSource.query(`SELECT message_id FROM effects ORDER BY 1`)).map((r: { message_id: string }) => r.message_id);
  }

  describe('run', () => {
    it('should run the effect once per group and message id', async () => {
      expect(await inbox.run(message('m1'), effect('m1'))).toEqual({ duplicate: false, result: 'm1' });
      expect(await inbox.run(message('m1'), effect('m1'))).toEqual({ duplicate: true });
      // Another group processes the same message on its own.
      expect(await inbox.run(message('m1', 'audit'), effect('m1'))).toEqual({ duplicate: false, result: 'm1' });
      expect(await effects()).toEqual(['m1', 'm1']);
      expect(await inbox.has('billing', 'm1')).toBe(true);
      expect(await inbox.has('billing', 'm2')).toBe(false);
    });

    it('should roll the inbox row back with a failed effect, so the retry runs it', async () => {
      await expect(
        inbox.run(message('m1'), async manager => {
          await effect('m1')(manager);
          throw new Error('downstream failed');
        }),
      ).rejects.toThrow('downstream failed');
      expect(await effects()).toEqual([]);
      expect(await inbox.has('billing', 'm1')).toBe(false);
      expect(await inbox.run(message('m1'), effect('m1'))).toEqual({ duplicate: false, result: 'm1' });
      expect(await effects()).toEqual(['m1']);
    });

    it('should apply one effect when two deliveries of a message run at the same time', async () => {
      const firstInside = deferred();
      const release = deferred();
      const first = inbox.run(message('m1'), async manager => {
        firstInside.resolve();
        await release.promise;
        return effect('m1')(manager);
      });
      await firstInside.promise;
      // The second waits on the first's uncommitted row, then sees it.
      const second = inbox.run(message('m1'), effect('m1'));
      release.resolve();
      const outcomes = await Promise.all([first, second]);
      expect(outcomes).toEqual([{ duplicate: false, result: 'm1' }, { duplicate: true }]);
      expect(await effects()).toEqual(['m1']);
    });
  });

  describe('prune', () => {
    it('should delete rows past their retention only', async () => {
      const pruning = new RedisStreamsInbox(db.dataSource, { retentionMs: 60_000, pruneIntervalMs: 0 });
      await pruning.run(message('old'), () => undefined);
      await pruning.run(message('new'), () => undefined);
      await db.dataSource.query(`UPDATE message_inbox SET processed_at = now() - interval '2 minutes' WHERE message_id = 'old'`);
      expect(await pruning.prune()).toBe(1);
      expect(await pruning.has('billing', 'old')).toBe(false);
      expect(await pruning.has('billing', 'new')).toBe(true);
    });
  });
});
