import request from 'supertest';
import type { SampleHarness } from './sample-app.js';

/** Base path of the admin API. */
export const API = '/api/v1/mq';

/** Small wrappers over supertest for the calls most tests make, as the default admin token. */
export function api(s: SampleHarness, token = s.token()) {
  const auth = `Bearer ${token}`;
  return {
    auth,
    get: (path: string) => request(s.http).get(`${API}${path}`).set('Authorization', auth),
    post: (path: string, body?: object) => request(s.http).post(`${API}${path}`).set('Authorization', auth).send(body),
    put: (path: string, body?: object) => request(s.http).put(`${API}${path}`).set('Authorization', auth).send(body),
    delete: (path: string) => request(s.http).delete(`${API}${path}`).set('Authorization', auth),
    /** The detailed health (every read loop), with the app's metrics token. */
    healthDetails: () => request(s.http).get(`${API}/health/details`).set('Authorization', `Bearer ${s.config.metricsToken}`),
    /** Creates a queue (201 expected) and returns its view. */
    async queue(name: string, settings: Record<string, unknown> = {}): Promise<any> {
      const res = await request(s.http).post(`${API}/queues`).set('Authorization', auth).send({ name, ...settings });
      if (res.status !== 201) throw new Error(`queue ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** Subscribes a webhook (201 expected) and returns the creation answer (with its secret). */
    async webhook(queue: string, url: string, extra: Record<string, unknown> = {}): Promise<any> {
      const { handlerConfig, ...rest } = extra as { handlerConfig?: Record<string, unknown> };
      const res = await request(s.http)
        .post(`${API}/subscriptions`)
        .set('Authorization', auth)
        .send({ topic: queue, type: 'webhook', handlerConfig: { url, ...handlerConfig }, ...rest });
      if (res.status !== 201) throw new Error(`webhook on ${queue}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** Publishes one message (202 expected) and returns its id. */
    async publish(queue: string, payload: unknown, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await request(s.http).post(`${API}/publish`).set('Authorization', auth).send({ topic: queue, payload, ...extra });
      if (res.status !== 202) throw new Error(`publish to ${queue}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.messageId;
    },
  };
}
