import { MAX_TOKEN_FEEDS, productIssueMessage, ROLES, tokenPrincipal, type Principal } from '@pulseboard/api';
import { compiledSelectorProblem } from '@pulseboard/core';
import { z } from 'zod';

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/**
 * The latest `exp` a token may carry: the last second a JavaScript `Date` can
 * hold (year 275760). Past it the expiry in milliseconds is no number a
 * timer, a cookie or a comparison can use (1e308 s is Infinity ms).
 */
const MAX_EXP_SECONDS = 8.64e12;

/** The claims Pulseboard reads from a verified token; anything else in it is ignored. */
const claimsSchema = z.object({
  sub: z
    .string()
    .min(1, 'sub must not be empty')
    .max(256, 'sub must be at most 256 characters')
    .refine((sub) => !CONTROL_CHARACTERS.test(sub), 'sub must not contain control characters'),
  role: z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }),
  feeds: z
    .array(z.string())
    .min(1, 'feeds must list at least one pattern')
    .max(MAX_TOKEN_FEEDS, `feeds may list at most ${MAX_TOKEN_FEEDS} patterns`)
    .superRefine((feeds, ctx) => {
      for (const feed of feeds) {
        const problem = compiledSelectorProblem(feed);
        if (problem !== undefined)
          ctx.addIssue({ code: 'custom', message: `feeds: ${JSON.stringify(feed)}: ${problem}` });
      }
    })
    .optional(),
  name: z.string().max(128, 'name must be at most 128 characters').optional(),
  exp: z
    .number({ error: 'exp must be a number of seconds since the epoch' })
    .max(MAX_EXP_SECONDS, 'exp must be a date before the year 275760'),
});

/** Why a verified token's claims cannot be used, or the principal they describe. */
export function principalFromClaims(
  payload: unknown,
  address: string,
): { principal: Principal; problem?: undefined } | { principal?: undefined; problem: string } {
  const result = claimsSchema.safeParse(payload, { error: claimMessage });
  if (!result.success) return { problem: result.error.issues.map((issue) => issue.message).join('; ') };
  const claims = result.data;
  return {
    principal: tokenPrincipal({
      sub: claims.sub,
      name: claims.name,
      role: claims.role,
      feeds: claims.feeds,
      expiresAt: claims.exp * 1000,
      address,
    }),
  };
}

/** What is wrong with a claim, named by the claim (the schema's own messages name it already). */
function claimMessage(issue: z.core.$ZodRawIssue): string {
  const path = (issue.path ?? []).join('.');
  const message = productIssueMessage(issue);
  return path === '' ? `the claims ${message}` : `${path} ${message}`;
}
