import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { selectorListParam, selectorParam, selectorValue } from './query-schemas.js';
import { parseWithSchema } from './schema-validation.pipe.js';

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('selectorListParam', () => {
  const feeds = selectorListParam(3);
  const parse = (value: string | string[]) => parseWithSchema(feeds, value, 'invalid_query');

  it('splits at commas outside braces, keeping commas inside a selector', () => {
    expect(parse('a.b, cpu{host=~"a,b",dc="x"} ,,c.*')).toEqual(['a.b', 'cpu{dc="x",host=~"a,b"}', 'c.*']);
    expect(parse(['a.b', 'cpu{host="h1"}'])).toEqual(['a.b', 'cpu{host="h1"}']);
  });

  it('gives each selector in canonical form, so that matcher order makes one subscription', () => {
    expect(parse('cpu{b="1",a="2"},cpu{a="2",b="1"},cpu{a="2",a="2",b="1"}')).toEqual(['cpu{a="2",b="1"}']);
  });

  it('counts each selector as one entry', () => {
    expect(parse('a{x="1",y="2"},b{x="1",y="2"},c{x="1",y="2"}')).toHaveLength(3);
    expect(refusal(() => parse('a,b,c,d')).code).toBe('too_many_subscriptions');
  });

  it('refuses a bad selector or a regex that does not compile with invalid_pattern naming it', () => {
    for (const bad of ['a.>.b', 'cpu{host="h1"', 'cpu{host=~"("}', 'cpu{__name__="x"}', 'cpu{host="a"}x']) {
      const { code, message } = refusal(() => parse(`ok.feed,${bad}`));
      expect(code, bad).toBe('invalid_pattern');
      expect(message, bad).toContain(JSON.stringify(bad));
    }
  });

  it('does not trim a line break into a valid selector', () => {
    expect(refusal(() => parse('cpu\n')).code).toBe('invalid_pattern');
  });
});

describe('selectorParam and selectorValue', () => {
  it('answer the canonical selector', () => {
    expect(parseWithSchema(selectorParam, '>{tenant="acme",host!="h"}', 'invalid_query')).toBe(
      '>{host!="h",tenant="acme"}',
    );
    expect(parseWithSchema(selectorValue, 'cpu.*', 'invalid_body')).toBe('cpu.*');
  });

  it('refuse a regex that does not compile with invalid_pattern', () => {
    expect(refusal(() => parseWithSchema(selectorParam, '{host=~"("}', 'invalid_query')).code).toBe('invalid_pattern');
    expect(refusal(() => parseWithSchema(selectorValue, 'a{host=~"[z-a]"}', 'invalid_body')).code).toBe(
      'invalid_pattern',
    );
  });
});
