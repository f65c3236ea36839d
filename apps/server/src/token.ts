import { parseArgs } from 'node:util';
import { ROLES, type Role } from '@pulseboard/api';
import { mintToken, parseTtl } from '@pulseboard/auth';
import { compiledSelectorProblem } from '@pulseboard/core';
import { splitSelectorList } from '@pulseboard/protocol';

const USAGE = `usage: npm run token -- --role viewer|producer|admin [--feeds 'host1.>,>{tenant="acme"}'] [--ttl 1h] [--sub id] [--name "Display name"]

Prints a token signed with AUTH_SECRET (the server's secret, from the environment).
  --role   what the token may do (default viewer)
  --feeds  comma-separated selectors of the series it may read or write (default: every series);
           commas inside braces belong to the selector
  --ttl    lifetime: 90s, 15m, 1h, 7d (default 1h)
  --sub    subject: who the token is for (default <role>-cli)
  --name   name shown in presence lists (default: the subject)`;

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        role: { type: 'string', default: 'viewer' },
        feeds: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        sub: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (values.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const secret = process.env.AUTH_SECRET;
if (secret === undefined || secret === '') fail('AUTH_SECRET is not set: export the secret the server runs with');
if (!(ROLES as readonly string[]).includes(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
const role = values.role as Role;
const ttl = parseTtl(values.ttl);
if (ttl === undefined) fail(`--ttl ${JSON.stringify(values.ttl)} is not a duration like 90s, 15m, 1h or 7d`);
const feeds =
  values.feeds === undefined
    ? undefined
    : splitSelectorList(values.feeds)
        .map((feed) => feed.trim())
        .filter((feed) => feed !== '');
for (const feed of feeds ?? []) {
  const problem = compiledSelectorProblem(feed);
  if (problem !== undefined) fail(`--feeds ${JSON.stringify(feed)}: ${problem}`);
}

const token = await mintToken(
  secret,
  { sub: values.sub ?? `${role}-cli`, role, feeds: feeds?.length === 0 ? undefined : feeds, name: values.name },
  ttl,
);
process.stdout.write(`${token}\n`);
