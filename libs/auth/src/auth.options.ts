export interface AuthModuleOptions {
  /** HS256 secret; with `jwksUrl` unset too, the server runs in open mode. */
  secret: string | undefined;
  /** The secret before the last rotation, accepted until its tokens expire. */
  previousSecret: string | undefined;
  /** JWKS of an identity provider, for RS256/ES256 tokens. */
  jwksUrl: string | undefined;
  /** Required `iss` claim, when set. */
  issuer: string | undefined;
  /** Required `aud` claim, when set. */
  audience: string | undefined;
  /** Origins (`https://ops.example.com`) allowed besides the server's own. */
  allowedOrigins: readonly string[];
  /** In open mode, host names answered besides loopback ones (`*`: any). */
  allowedHosts: readonly string[];
  /** Which proxies' `X-Forwarded-For`/`X-Forwarded-Proto` are believed (Express `trust proxy` syntax); unset: none. */
  trustProxy: string | undefined;
  /** Open streams, polls and sockets per client address (0: unlimited). */
  maxConnectionsPerIp: number;
  /** Open streams, polls and sockets per token subject (0: unlimited). */
  maxConnectionsPerToken: number;
  /** Request-body bytes held in memory at once, all requests together (0: unlimited). */
  maxInflightBodyBytes: number;
  /** … and by the requests of one client address (0: unlimited). */
  maxInflightBodyBytesPerIp: number;
}

/** The token under which the application provides `AuthModuleOptions`. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
