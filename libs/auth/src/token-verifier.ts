import { ApiError, type Principal } from '@pulseboard/api';
import { createRemoteJWKSet, errors, jwtVerify, type JWTHeaderParameters, type JWTVerifyGetKey } from 'jose';
import { principalFromClaims } from './token-claims.js';

/** Algorithms an identity provider's keys may sign with. */
const JWKS_ALGORITHMS = ['RS256', 'ES256'];
/** Verified tokens remembered (until they expire), so a producer's every request does not pay for a signature check. */
const REMEMBERED_TOKENS = 10_000;

export interface TokenVerifierOptions {
  secret: string | undefined;
  /** The secret before the last rotation: its tokens stay valid until they expire. */
  previousSecret?: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
}

/**
 * Verifies JWTs: HS256 with the shared secret, RS256/ES256 with the keys of
 * a JWKS URL (fetched when a token names a key it has not seen, and cached).
 * A token must carry `sub`, `role` and `exp`; `feeds` and `name` are optional.
 * A token that verified is remembered until it expires: the same string
 * always verifies the same way while the keys do.
 */
export class TokenVerifier {
  private readonly secret: Uint8Array | undefined;
  private readonly previousSecret: Uint8Array | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly algorithms: string[];
  private readonly verified = new Map<string, Principal>();

  constructor(private readonly options: TokenVerifierOptions) {
    this.secret = options.secret === undefined ? undefined : new TextEncoder().encode(options.secret);
    this.previousSecret =
      options.previousSecret === undefined || this.secret === undefined
        ? undefined
        : new TextEncoder().encode(options.previousSecret);
    this.jwks = options.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(options.jwksUrl));
    this.algorithms = [
      ...(this.secret !== undefined ? ['HS256'] : []),
      ...(this.jwks !== undefined ? JWKS_ALGORITHMS : []),
    ];
  }

  /**
   * The principal of a valid token — at once for a token verified before —
   * or a rejection with 401 `invalid_token` / `token_expired`, or 503 when the
   * JWKS cannot be fetched.
   */
  verify(token: string, address: string): Principal | Promise<Principal> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (known.expiresAt !== undefined && known.expiresAt > Date.now()) return { ...known, address };
      this.verified.delete(token);
    }
    return this.check(token, address).then((principal) => {
      this.remember(token, principal);
      return principal;
    });
  }

  private async check(token: string, address: string): Promise<Principal> {
    let payload: unknown;
    try {
      payload = await this.payload(token, this.secret);
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed) || this.previousSecret === undefined) {
        throw this.refusal(error);
      }
      try {
        payload = await this.payload(token, this.previousSecret);
      } catch (previous) {
        throw this.refusal(previous);
      }
    }
    const { principal, problem } = principalFromClaims(payload, address);
    if (principal === undefined)
      throw new ApiError(401, 'invalid_token', `the token's claims are not usable: ${problem}`);
    return principal;
  }

  private remember(token: string, principal: Principal): void {
    if (this.verified.size >= REMEMBERED_TOKENS) {
      // the oldest first: Map iterates in insertion order
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(token, principal);
  }

  private async payload(token: string, secret: Uint8Array | undefined): Promise<unknown> {
    const { payload } = await jwtVerify(token, (header, input) => this.key(header, input, secret), {
      algorithms: this.algorithms,
      issuer: this.options.issuer,
      audience: this.options.audience,
      requiredClaims: ['sub', 'exp'],
    });
    return payload;
  }

  private key(header: JWTHeaderParameters, input: Parameters<JWTVerifyGetKey>[1], secret: Uint8Array | undefined) {
    if (header.alg === 'HS256' && secret !== undefined) return secret;
    if (this.jwks !== undefined) return this.jwks(header, input);
    throw new errors.JOSEAlgNotAllowed(`unexpected algorithm ${String(header.alg)}`);
  }

  private refusal(error: unknown): ApiError {
    if (error instanceof errors.JWTExpired) return new ApiError(401, 'token_expired', 'the token has expired');
    if (error instanceof errors.JWKSTimeout || (error instanceof Error && !(error instanceof errors.JOSEError))) {
      // the identity provider did not answer: the token may be fine, so this is not the client's fault
      return new ApiError(
        503,
        'auth_unavailable',
        'the identity provider’s keys could not be fetched; retry shortly',
        [],
        {
          'Retry-After': '5',
        },
      );
    }
    return new ApiError(401, 'invalid_token', `the token is not valid: ${this.reason(error)}`);
  }

  /** Why a token was refused, in the product's words: jose's messages name its internals. */
  private reason(error: unknown): string {
    if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not match';
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
      return `it must be signed with ${this.algorithms.join(', ')}`;
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      return error.reason === 'missing' ? `it has no ${error.claim} claim` : `its ${error.claim} claim is not accepted`;
    }
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      return 'no single key of the identity provider matches it';
    }
    return 'it is malformed';
  }
}
