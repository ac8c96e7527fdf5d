import request from 'supertest';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';
import { waitFor } from '../helpers/wait.js';

describe('Sample: user events through the outbox, platform effects through the inbox', () => {
  let s: SampleHarness;

  beforeEach(async () => {
    s = await startSampleApp();
  });

  afterEach(async () => {
    await s.close();
  });

  const userRegistered = { type: 'user.registered', tenantId: 'acme', userId: 'u-1', email: 'ada@example.com', name: 'Ada' };

  function postUserEvent(body: object) {
    return request(s.http).post('/internal/mq/user-events').set('X-Service-Token', s.config.internalServiceToken).send(body);
  }

  it('should store the user event with its outbox message, publish it, and apply the effect once through the inbox', async () => {
    const res = await postUserEvent(userRegistered).expect(202);
    const messageId = res.body.messageId as string;
    expect(await s.sql(`SELECT message_id, tenant_id, type, user_id FROM platform_user_events`)).toEqual([
      { message_id: messageId, tenant_id: 'acme', type: 'user.registered', user_id: 'u-1' },
    ]);
    await waitFor(async () => (await s.sql(`SELECT 1 FROM platform_notifications WHERE message_id = $1`, [messageId])).length === 1, 'the notification');
    const [outbox] = await s.sql<{ message_id: string; topic: string; sent: boolean }>(
      `SELECT message_id, topic, sent_at IS NOT NULL AS sent FROM message_outbox`,
    );
    expect(outbox).toEqual({ message_id: messageId, topic: 'platform.user.registered', sent: true });
    expect(await s.sql(`SELECT consumer_group, message_id, topic FROM message_inbox`)).toEqual([
      { consumer_group: s.config.group, message_id: messageId, topic: 'platform.user.registered' },
    ]);
  });

  it('should not apply a redelivered message twice (the inbox replaces the unique message id columns)', async () => {
    const res = await postUserEvent(userRegistered).expect(202);
    const messageId = res.body.messageId as string;
    const stream = `${s.config.prefix}:{platform.user.registered}`;
    const [, fields] = await waitFor(async () => (await s.redis.xrange(stream, '-', '+'))[0], 'the published entry');
    await waitFor(async () => (await s.sql(`SELECT 1 FROM platform_notifications`)).length === 1, 'the first effect');
    // The same message (same id) once more, as a redelivery after a crash between commit and ack would bring it.
    await s.redis.xadd(stream, '*', ...fields);
    await waitFor(async () => {
      const [{ n }] = await s.sql<{ n: number }>(`SELECT count(*)::int AS n FROM consumption_records WHERE status = 'success' AND message_id = $1`, [messageId]);
      return n === 2;
    }, 'the copy handled (and acked)');
    expect(await s.sql(`SELECT message_id FROM platform_notifications`)).toEqual([{ message_id: messageId }]);
  });

  it('should store nothing and publish nothing for an invalid event', async () => {
    await postUserEvent({ type: 'user.registered', tenantId: 'acme', userId: 'u-1' }).expect(400);
    expect(await s.sql(`SELECT 1 FROM platform_user_events`)).toEqual([]);
    expect(await s.sql(`SELECT 1 FROM message_outbox`)).toEqual([]);
  });
});
