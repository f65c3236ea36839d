import type { FeedChunks, PointsEvent } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { Feed } from '../retention/feed.js';
import { FeedSlice, Frame } from './frame.js';

const slice = (name: string, t: number[], v: number[]): FeedSlice =>
  new FeedSlice(new Feed(1, name, 100), Float64Array.from(t), Float64Array.from(v));

describe('Frame', () => {
  it('encodes its feeds as the FeedChunks they are, whatever the numbers', () => {
    const frame = new Frame(
      'e1-7',
      7,
      [slice('host1.cpu.user', [1764230400000, 1764230400001], [0.1, -0]), slice('a:b-c_d', [0, 1], [1e21, -5e-324])],
      [],
    );
    const expected: FeedChunks = {
      'host1.cpu.user': { t: [1764230400000, 1764230400001], v: [0.1, 0] },
      'a:b-c_d': { t: [0, 1], v: [1e21, -5e-324] },
    };
    expect(JSON.parse(frame.feedsJson())).toEqual(expected);
    const event: PointsEvent = { feeds: expected };
    expect(JSON.parse(frame.json())).toEqual(event);
  });

  it('encodes a frame without feeds as an empty object', () => {
    const frame = new Frame('e1-8', 8, [], ['gone']);
    expect(JSON.parse(frame.feedsJson())).toEqual({});
    expect(JSON.parse(frame.json())).toEqual({ feeds: {} });
  });

  it('encodes once, however often it is asked', () => {
    const frame = new Frame('e1-9', 9, [slice('a', [1], [2])], []);
    expect(frame.feedsJson()).toBe(frame.feedsJson());
  });
});
