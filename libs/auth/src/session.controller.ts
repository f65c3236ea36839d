import type { IncomingMessage } from 'node:http';
import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { Access, Caller, InflightBodies, parseWithSchema, Public, readJsonBody, type Principal } from '@pulseboard/api';
import type { SessionInfo } from '@pulseboard/protocol';
import { serialize } from 'cookie';
import type { Response } from 'express';
import { z } from 'zod';
import { Authenticator, TOKEN_COOKIE } from './authenticator.service.js';

const signIn = z.strictObject({ token: z.string().min(1).max(8192) });
/**
 * Longest cookie lifetime sent: browsers keep a cookie at most 400 days
 * whatever it asks for (RFC 6265bis §5.6.2), and the dashboard signs in
 * again when it is gone.
 */
const MAX_COOKIE_AGE_S = 400 * 24 * 3600;

/**
 * `/api/v1/session`: who the caller is, and the browser sign-in. Posting a
 * token sets it as an HttpOnly, SameSite=Strict cookie (Secure over TLS), so
 * the dashboard's stream and control socket carry it without the page ever
 * holding it.
 */
@Controller('api/v1/session')
export class SessionController {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly bodies: InflightBodies,
  ) {}

  @Get()
  @Access('viewer', 'producer', 'admin')
  current(@Caller() principal: Principal): SessionInfo {
    return this.info(principal);
  }

  @Post()
  @HttpCode(200)
  @Public()
  async signIn(@Req() req: IncomingMessage, @Res({ passthrough: true }) res: Response): Promise<SessionInfo> {
    const allowance = this.bodies.open(this.authenticator.address(req), res);
    const { token } = parseWithSchema(signIn, await readJsonBody(req, 16 * 1024, { allowance }), 'invalid_body');
    const principal = await this.authenticator.verify(token, req);
    if (this.authenticator.enabled && principal.expiresAt !== undefined) {
      const maxAge = Math.min(MAX_COOKIE_AGE_S, Math.max(0, Math.floor((principal.expiresAt - Date.now()) / 1000)));
      res.setHeader('Set-Cookie', this.cookie(req, token, maxAge));
    }
    return this.info(principal);
  }

  @Delete()
  @HttpCode(204)
  @Public()
  signOut(@Req() req: IncomingMessage, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', this.cookie(req, '', 0));
  }

  private cookie(req: IncomingMessage, value: string, maxAge: number): string {
    return serialize(TOKEN_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.authenticator.secure(req),
      path: '/',
      maxAge,
    });
  }

  private info(principal: Principal): SessionInfo {
    return {
      auth: this.authenticator.enabled,
      sub: principal.anonymous ? 'anonymous' : principal.id,
      name: principal.name,
      role: principal.role,
      feeds: [...principal.feeds.patterns],
      expiresAt: principal.expiresAt ?? null,
    };
  }
}
