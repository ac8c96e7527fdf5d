import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { API } from './helpers/api.js';
import { startSampleApp, type SampleHarness } from './helpers/sample-app.js';

type Key = Parameters<SignJWT['sign']>[0];

/** A token of tenant `acme` signed with `key`; `exp` one minute ahead unless the claims say otherwise. */
async function token(key: Key, alg: string, claims: JWTPayload = {}, header: Record<string, string> = {}): Promise<string> {
  const jwt = new SignJWT({ sub: 'alice', tenant_id: 'acme', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 60, ...claims });
  return jwt.setProtectedHeader({ alg, ...header }).sign(key);
}

function listQueues(s: SampleHarness, jwt: string) {
  return request(s.http).get(`${API}/queues`).set('Authorization', `Bearer ${jwt}`);
}

describe('Sample: bearer tokens', () => {
  let s: SampleHarness;

  afterEach(async () => s?.close());

  describe('HS256 with iss and aud configured', () => {
    it('should require exp, and check iss and aud', async () => {
      s = await startSampleApp({ jwt: { issuer: 'https://idp.example.com/', audience: 'mq-service' } });
      const secret = new TextEncoder().encode(s.config.jwt.secret);
      const good = { iss: 'https://idp.example.com/', aud: 'mq-service' };
      expect((await listQueues(s, await token(secret, 'HS256', good))).status).toBe(200);
      const noExp = await token(secret, 'HS256', { ...good, exp: undefined });
      const refused = await listQueues(s, noExp);
      expect([refused.status, refused.body.code]).toEqual([401, 'MQ_UNAUTHORIZED']);
      expect(refused.body.message).toMatch(/exp/);
      expect((await listQueues(s, await token(secret, 'HS256', { ...good, iss: 'https://evil.example.com/' }))).status).toBe(401);
      expect((await listQueues(s, await token(secret, 'HS256', { ...good, aud: 'another-service' }))).status).toBe(401);
      expect((await listQueues(s, await token(secret, 'HS256', { aud: 'mq-service' }))).status).toBe(401);
      expect((await listQueues(s, await token(secret, 'HS256', { ...good, exp: Math.floor(Date.now() / 1000) - 60 }))).status).toBe(401);
    });
  });

  describe('npm run sample:token', () => {
    it('should print a token the service accepts, from a plain script (nothing compiled)', async () => {
      s = await startSampleApp({ jwt: { issuer: 'dev-idp', audience: 'mq' } });
      const script = join(__dirname, '../../sample/scripts/dev-token.mjs');
      const env = { ...process.env, JWT_SECRET: s.config.jwt.secret, JWT_ISSUER: 'dev-idp', JWT_AUDIENCE: 'mq' };
      const { stdout } = await promisify(execFile)(process.execPath, [script, '--tenant', 'acme', '--roles', 'admin'], { env });
      expect((await listQueues(s, stdout.trim())).status).toBe(200);
    });
  });

  describe('RS256 keys from a JWKS URL', () => {
    let jwks: Server;

    afterEach(async () => {
      jwks?.closeAllConnections();
      await new Promise(resolve => jwks?.close(resolve));
    });

    it('should accept tokens of the identity provider and refuse others, HS256 included', async () => {
      const idp = await generateKeyPair('RS256');
      const stranger = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
      jwks = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>(resolve => jwks.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
      s = await startSampleApp({ jwt: { secret: undefined, jwksUrl: url, algorithms: ['RS256', 'ES256'] } });

      expect((await listQueues(s, await token(idp.privateKey, 'RS256', {}, { kid: 'idp-1' }))).status).toBe(200);
      expect((await listQueues(s, await token(stranger.privateKey, 'RS256', {}, { kid: 'idp-1' }))).status).toBe(401);
      // Key confusion: an HMAC token "signed" with the public key is not accepted.
      const pem = new TextEncoder().encode(await exportSPKI(idp.publicKey));
      expect((await listQueues(s, await token(pem, 'HS256', {}, { kid: 'idp-1' }))).status).toBe(401);
    });
  });

  describe('ES256 public key from a PEM', () => {
    it('should verify ES256 tokens with the configured key', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      s = await startSampleApp({ jwt: { secret: undefined, publicKeyPem: await exportSPKI(publicKey), algorithms: ['ES256'] } });
      expect((await listQueues(s, await token(privateKey, 'ES256'))).status).toBe(200);
      expect((await listQueues(s, await token(privateKey, 'ES256', { exp: undefined }))).status).toBe(401);
      const other = await generateKeyPair('ES256');
      expect((await listQueues(s, await token(other.privateKey, 'ES256'))).status).toBe(401);
    });
  });
});
