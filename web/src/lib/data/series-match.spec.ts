import { seriesKey, type Labels } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { keyMatches, selectorMatcher, seriesOf, wholeValueRegex } from './series-match';

const matches = (selector: string, name: string, labels: Labels = {}) => keyMatches(selector, seriesKey(name, labels));

describe('client-side selector matching', () => {
  it('matches the name against the pattern, whatever the labels, when there are no matchers', () => {
    expect(matches('cpu.usage', 'cpu.usage')).toBe(true);
    expect(matches('cpu.usage', 'cpu.usage', { host: 'a' })).toBe(true);
    expect(matches('cpu.*', 'cpu.idle', { host: 'a', dc: 'eu' })).toBe(true);
    expect(matches('cpu.>', 'cpu.a.b', { host: 'a' })).toBe(true);
    expect(matches('>', 'anything.at.all', { host: 'a' })).toBe(true);
    expect(matches('cpu.usage', 'cpu.idle', { host: 'a' })).toBe(false);
    expect(matches('cpu.*', 'cpu.a.b')).toBe(false);
  });

  it('reads a missing label as ""', () => {
    expect(matches('cpu{host=""}', 'cpu')).toBe(true);
    expect(matches('cpu{host=""}', 'cpu', { host: 'a' })).toBe(false);
    expect(matches('cpu{host!=""}', 'cpu')).toBe(false);
    expect(matches('cpu{host!="a"}', 'cpu')).toBe(true);
    expect(matches('cpu{host=~".*"}', 'cpu')).toBe(true);
    expect(matches('cpu{host=~".+"}', 'cpu')).toBe(false);
    expect(matches('cpu{host!~".+"}', 'cpu')).toBe(true);
    expect(matches('cpu{host="a"}', 'cpu')).toBe(false);
  });

  it('matches a regex against the whole value, dot included newlines', () => {
    expect(matches('cpu{host=~"a|b"}', 'cpu', { host: 'a' })).toBe(true);
    expect(matches('cpu{host=~"a|b"}', 'cpu', { host: 'b' })).toBe(true);
    expect(matches('cpu{host=~"a|b"}', 'cpu', { host: 'ab' })).toBe(false);
    expect(matches('cpu{host=~"web"}', 'cpu', { host: 'web1' })).toBe(false);
    expect(matches('cpu{host=~"web.*"}', 'cpu', { host: 'web1' })).toBe(true);
    expect(matches('cpu{host!~"web.*"}', 'cpu', { host: 'db1' })).toBe(true);
    expect(matches('cpu{host!~"web.*"}', 'cpu', { host: 'web1' })).toBe(false);
    expect(matches('cpu{note=~"a.b"}', 'cpu', { note: 'a\nb' })).toBe(true);
    expect(matches('cpu{region=~"(?i)EU-.*"}', 'cpu', { region: 'eu-west' })).toBe(true);
  });

  it('needs every matcher to hold, and compares values exactly (escapes included)', () => {
    const labels = { host: 'a', dc: 'eu "1"' };
    expect(matches('cpu{host="a",dc="eu \\"1\\""}', 'cpu', labels)).toBe(true);
    expect(matches('cpu{host="a",dc="eu"}', 'cpu', labels)).toBe(false);
    expect(matches('cpu{host="a",host!="a"}', 'cpu', labels)).toBe(false);
    expect(matches('cpu{host="A"}', 'cpu', labels)).toBe(false);
  });

  it('leaves a regex the browser cannot read to the server, which only sends what it matched', () => {
    expect(wholeValueRegex('(')).toBeUndefined();
    expect(matches('cpu{host=~"("}', 'cpu', { host: 'x' })).toBe(true);
    expect(matches('mem{host=~"("}', 'cpu', { host: 'x' })).toBe(false);
  });

  it('answers nothing for what is not a selector or a series key', () => {
    expect(selectorMatcher('a..b')).toBeUndefined();
    expect(keyMatches('a..b', 'a.b')).toBe(false);
    expect(seriesOf('cpu{host=a}')).toBeUndefined();
    // a key that does not parse is only the selector with its very text
    expect(keyMatches('cpu{host=a}', 'cpu{host=a}')).toBe(true);
    expect(seriesOf('cpu{host="a"}')).toEqual({ name: 'cpu', labels: { host: 'a' } });
  });
});
