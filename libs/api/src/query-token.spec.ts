import { describe, expect, it } from 'vitest';
import { redactUrl, splitQueryToken } from './query-token.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

describe('splitQueryToken', () => {
  it('takes the token parameter out, however its name is percent-encoded, keeping the rest as sent', () => {
    expect(splitQueryToken(`/s?access_token=${JWT}&feeds=a.%3E`)).toEqual({ token: JWT, url: '/s?feeds=a.%3E' });
    expect(splitQueryToken(`/s?feeds=a+b&access%5Ftoken=${JWT}`)).toEqual({ token: JWT, url: '/s?feeds=a+b' });
    expect(splitQueryToken(`/s?%61%63cess_token=${JWT}`)).toEqual({ token: JWT, url: '/s' });
    expect(splitQueryToken(`/s??access_token=${JWT}`)).toEqual({ token: JWT, url: '/s' });
  });

  it('takes every repetition out and reads the first', () => {
    expect(splitQueryToken('/s?access_token=one&x=1&access_token=two')).toEqual({ token: 'one', url: '/s?x=1' });
  });

  it('decodes the value as URLSearchParams does', () => {
    expect(splitQueryToken('/s?access_token=a%2Eb+c')?.token).toBe('a.b c');
  });

  it('leaves URLs without the parameter alone, and names no other parser reads as it', () => {
    for (const url of [
      '/s',
      '/s?feeds=a',
      '/s?ACCESS_TOKEN=x',
      '/s?access_token[]=x',
      '/s;access_token=x',
      '/s?a=access_token',
    ]) {
      expect(splitQueryToken(url), url).toBeUndefined();
    }
  });
});

describe('redactUrl', () => {
  it('redacts everything the server reads as the token', () => {
    for (const url of [
      `/s?access_token=${JWT}`,
      `/s?access%5Ftoken=${JWT}`,
      `/s?%61ccess_token=${JWT}`,
      `/s?x=1&access_token=${JWT}&access_token=${JWT}`,
      `/s??access_token=${JWT}`,
    ]) {
      expect(splitQueryToken(url)?.token, url).toBe(JWT);
      expect(redactUrl(url), url).not.toContain(JWT.split('.')[2]);
    }
  });

  it('redacts other spellings of the name, path parameters, and any JWT', () => {
    expect(redactUrl('/s?feeds=a&ACCESS%5FTOKEN=secret&x=1')).toBe('/s?feeds=a&ACCESS%5FTOKEN=[redacted]&x=1');
    expect(redactUrl('/s?Access_Token=secret')).toBe('/s?Access_Token=[redacted]');
    expect(redactUrl('/s?access_token[]=secret')).toBe('/s?access_token[]=[redacted]');
    expect(redactUrl('/s;access_token=secret/x;a=1;ACCESS%5Ftoken=secret?q=1')).toBe(
      '/s;access_token=[redacted]/x;a=1;ACCESS%5Ftoken=[redacted]?q=1',
    );
    expect(redactUrl(`/s/${JWT}/points?note=${JWT}`)).toBe('/s/[redacted]/points?note=[redacted]');
  });

  it('keeps what carries no token, the name inside another value included', () => {
    for (const url of ['/api/v1/feeds?match=a.%3E', '/s?note=access_token%3Dx', '/s?access_token', '/s;v=1']) {
      expect(redactUrl(url), url).toBe(url);
    }
  });
});
