import { batchOf, LogUnavailableError } from '@pulseboard/core';
import { RedisStreamLog } from '@pulseboard/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { pollUntil } from './support/polling.js';
import { LogTail } from './support/log-tail.js';

const point = (v: number) => batchOf([{ feed: 'redis.v', t: 1000 + v, v }]);

describe.runIf(redisServerAvailable())('the log as a Redis stream', () => {
  let redis: RedisServer;
  let key = '';
  let keys = 0;
  const logs: RedisStreamLog[] = [];

  const open = async (retentionMs = 60_000): Promise<RedisStreamLog> => {
    const log = await RedisStreamLog.open({ url: redis.url, key, retentionMs, blockMs: 200 });
    logs.push(log);
    return log;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  beforeEach(() => {
    key = `test:log:${++keys}`;
  });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  it('gives every instance the same batches, positions, arrival times and epoch, in append order', async () => {
    const a = await open();
    const b = await open();
    const [tailA, tailB] = [new LogTail(a), new LogTail(b)];
    await Promise.all([a.warmUp(), b.warmUp()]);
    expect(b.epoch).toBe(a.epoch);

    const positions: number[] = [];
    for (let v = 0; v < 50; v++) positions.push(await (v % 2 === 0 ? a : b).append(point(v)));
    await Promise.all([tailA.until(50), tailB.until(50)]);

    expect(tailA.values()).toEqual(Array.from({ length: 50 }, (_, v) => v));
    expect(tailB.batches.map((batch) => batch.position)).toEqual(positions);
    expect(tailA.batches.map((batch) => [batch.position, batch.arrivedAt])).toEqual(
      tailB.batches.map((batch) => [batch.position, batch.arrivedAt]),
    );
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(50);
    expect(tailB.batches[0]).toMatchObject({ feeds: ['redis.v'], t: new Float64Array([1000]) });
  });

  it('hands a new instance the retention window before anything new', async () => {
    const writer = await open();
    await writer.warmUp();
    for (let v = 0; v < 5; v++) await writer.append(point(v));

    const late = await open();
    const tail = new LogTail(late);
    await late.warmUp();
    expect(tail.values()).toEqual([0, 1, 2, 3, 4]);
    await writer.append(point(5));
    await tail.until(6);
    expect(tail.values()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('trims what left the retention window, and does not read it back', async () => {
    const log = await open(300);
    await log.warmUp();
    for (let v = 0; v < 250; v++) await log.append(point(v));
    const filled = Date.now();
    const client = new Redis(redis.url);
    try {
      expect(await client.xlen(key)).toBe(250);
      // the window is 300 ms: once it has passed, the next append trims the stream's full nodes
      await pollUntil(() => Date.now() > filled + 400, 'the retention window to pass');
      await log.append(point(250));
      expect(await client.xlen(key)).toBeLessThan(100);
    } finally {
      client.disconnect();
    }
    const late = await open(300);
    const tail = new LogTail(late);
    await late.warmUp();
    expect(tail.values()).toEqual([250]);
  });

  it('refuses appends while Redis is away, and tails on from the last entry once it is back', async () => {
    const a = await open();
    const b = await open();
    const tail = new LogTail(b);
    await Promise.all([a.warmUp(), b.warmUp()]);
    await a.append(point(1));
    await tail.until(1);

    await redis.stop();
    await pollUntil(() => !a.isAvailable(), 'the log to notice Redis is away');
    await expect(a.append(point(2))).rejects.toBeInstanceOf(LogUnavailableError);

    await redis.restart();
    await pollUntil(() => a.isAvailable(), 'the log to reach Redis again');
    await a.append(point(3));
    await tail.until(2, 20_000);
    expect(tail.values()).toEqual([1, 3]);
  });

  it('gives a Redis that lost its data the running instances’ epoch back', async () => {
    const running = await open();
    await running.warmUp();
    await running.append(point(1));

    await redis.restartEmpty();
    await pollUntil(() => running.isAvailable(), 'the log to reach the emptied Redis');
    await running.append(point(2));
    const started = await open();
    expect(started.epoch).toBe(running.epoch);
  });
});
