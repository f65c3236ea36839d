import { describe, expect, it } from 'vitest';
import { jsonObject, jsonText, trustedJson, type JsonText } from './json-text.js';
import type { SocketPointsEvent } from './control.js';
import type { FeedChunks, GapEvent } from './messages.js';

describe('jsonObject', () => {
  it('joins the fields’ JSON into the object they stand for', () => {
    const feeds = trustedJson<FeedChunks>('{"a.b":{"t":[1,2],"v":[0.5,-1e21]}}');
    const text = jsonObject<SocketPointsEvent>({ cursor: jsonText('x1-2'), feeds });
    expect(JSON.parse(text)).toEqual({ cursor: 'x1-2', feeds: { 'a.b': { t: [1, 2], v: [0.5, -1e21] } } });
  });

  it('escapes what needs escaping in keys and string fields', () => {
    const text = jsonObject<{ 'a"b': string }>({ 'a"b': jsonText('line\nbreak "quoted"') });
    expect(JSON.parse(text)).toEqual({ 'a"b': 'line\nbreak "quoted"' });
  });

  it('makes an empty object of no fields', () => {
    expect(jsonObject<Record<never, never>>({})).toBe('{}');
  });

  it('lets the type system check the shape (see the @ts-expect-error lines, checked by tsc)', () => {
    const feeds = trustedJson<FeedChunks>('{}');
    // @ts-expect-error a field of SocketPointsEvent is missing
    const missing: JsonText<SocketPointsEvent> = jsonObject<SocketPointsEvent>({ cursor: jsonText('c') });
    // @ts-expect-error a field SocketPointsEvent does not have
    jsonObject<SocketPointsEvent>({ cursor: jsonText('c'), feeds, extra: jsonText(1) });
    // @ts-expect-error a field of another type (the cursor is a string)
    jsonObject<SocketPointsEvent>({ cursor: jsonText(1), feeds });
    const gap: JsonText<GapEvent> = jsonText<GapEvent>({ feeds: ['a'], reason: 'slow' });
    // @ts-expect-error JSON of one message is not JSON of another
    const wrong: JsonText<SocketPointsEvent> = gap;
    expect([missing, wrong].every((text) => typeof text === 'string')).toBe(true);
  });
});
