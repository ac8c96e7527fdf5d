import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { SAMPLE_CONFIG, type JwtConfig, type SampleConfig } from '../config/sample-config.js';

/**
 * Verifies bearer tokens with `jose`: the signature (HS256 secret, RS256 / ES256 public key from a
 * PEM, or the keys of a JWKS URL, fetched and cached), `exp` (required), `nbf`, and `iss` / `aud`
 * when configured. Only the configured algorithms are accepted, which rules out `none` and
 * HMAC-with-a-public-key confusion.
 */
@Injectable()
export class JwtVerifier {
  private readonly config: JwtConfig;
  private readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    this.config = config.jwt;
    this.key = keyOf(config.jwt);
  }

  /** The token's claims; rejects with a message fit for a 401 answer. */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.key as Uint8Array, {
      algorithms: this.config.algorithms,
      requiredClaims: ['exp'],
      clockTolerance: this.config.clockToleranceSeconds,
      ...(this.config.issuer !== undefined && { issuer: this.config.issuer }),
      ...(this.config.audience !== undefined && { audience: this.config.audience }),
    });
    return payload;
  }
}

function keyOf(config: JwtConfig): Uint8Array | KeyObject | JWTVerifyGetKey {
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  if (config.publicKeyPem) return createPublicKey(config.publicKeyPem);
  if (config.secret) return new TextEncoder().encode(config.secret);
  throw new Error('No JWT key configured: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL');
}
