/**
 * HS256 JSON Web Tokens with node:crypto, as LiveKit, Daily and Twilio mint them: the
 * webhook `Authorization` header and the participants' own tokens of LiveKit, Daily's
 * meeting tokens and Twilio's access tokens are all HMAC-SHA256 JWTs (docs/server.md
 * says why this is not the providers' SDKs). Verification is synchronous, so a webhook
 * is checked and applied in one turn of the event loop.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claims this package reads; anything else in a token is kept as it came. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/** Why a token was refused; the message never contains the token or the secret. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/** What `verifyHs256` checks besides the signature. */
export interface VerifyOptions {
  /** The `iss` the token must carry (LiveKit: the API key; Twilio: the API key SID). */
  issuer?: string;
  /** Seconds of clock skew allowed for `exp` and `nbf`; LiveKit's own verifier allows 10. */
  clockTolerance?: number;
  /** A token without `exp` is refused, as livekit-server-sdk 2.19 refuses it (livekit/protocol 1706). */
  requireExp?: boolean;
  /** The time to check against, in ms; default `Date.now()`. */
  now?: number;
}

const HEADER_HS256 = base64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError(`the token's ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError(`the token's ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Signs `claims` with HS256 (the server's own calls to LiveKit's API carry such a token). */
export function signHs256(claims: JwtClaims, secret: string, header?: Record<string, unknown>): string {
  const head = header ? base64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...header }))) : HEADER_HS256;
  const body = base64url(Buffer.from(JSON.stringify(claims)));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * Checks an HS256 JWT against `secret` and returns its claims. Refuses (with a
 * `TokenError`) another algorithm (`none` above all), a bad signature, a wrong issuer,
 * an expired or not-yet-valid token.
 */
export function verifyHs256(token: string, secret: string | Buffer, options: VerifyOptions = {}): JwtClaims {
  if (typeof token !== 'string') throw new TokenError('no token');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new TokenError('the token is not a JWT (three base64url parts)');
  }
  const [head, body, signature] = parts as [string, string, string];
  const header = decodeJson(head, 'header');
  if (header.alg !== 'HS256') throw new TokenError(`the token's algorithm must be HS256; got ${String(header.alg)}`);
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new TokenError('the token signature does not match');
  }
  const claims = decodeJson(body, 'claims') as JwtClaims;
  const now = (options.now ?? Date.now()) / 1000;
  const tolerance = options.clockTolerance ?? 10;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now - tolerance >= claims.exp)) {
    throw new TokenError('the token has expired');
  }
  if (claims.exp === undefined && options.requireExp) throw new TokenError('the token has no exp claim');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + tolerance < claims.nbf)) {
    throw new TokenError('the token is not valid yet');
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer) {
    throw new TokenError('the token was issued for another key');
  }
  return claims;
}
