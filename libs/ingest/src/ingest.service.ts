import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, RateLimiter, type Principal } from '@pulseboard/api';
import { LogUnavailableError, type PointBatch } from '@pulseboard/core';
import type { IngestResponse } from '@pulseboard/protocol';
import { NotAcceptingError, PointWriter } from '@pulseboard/streaming';
import type { IngestFormat } from './ingest-format.js';
import { INGEST_OPTIONS, type IngestModuleOptions } from './ingest.options.js';
import { parseJsonPoints } from './parsers/json-points.parser.js';
import { lineProtocolText, parseLineProtocolInTurns, type Precision } from './parsers/line-protocol.parser.js';
import { parseNdjsonPoints } from './parsers/ndjson-points.parser.js';
import type { ParseOptions, ParseResult } from './parsers/parse-result.js';

/** At most this many bad points or lines are listed in a 400. */
const MAX_DETAILS = 1000;
/** Distinct series checked against a token's selectors in one turn of the event loop. */
const SERIES_PER_TURN = 5000;

export interface IngestRequest {
  format: IngestFormat;
  body: Buffer;
  precision: Precision;
  /** Who sends: what they may write, and the rate limit's key (token subject, or address in open mode). */
  producer: Principal;
}

/**
 * Parses a body whole and appends it as one batch: either every point is
 * stored (202) or none is and the producer is told why.
 */
@Injectable()
export class IngestService {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(INGEST_OPTIONS) private readonly options: IngestModuleOptions,
    private readonly writer: PointWriter,
  ) {
    this.limiter = new RateLimiter(options.rateLimit, options.rateBurst);
  }

  async ingest(request: IngestRequest): Promise<IngestResponse> {
    if (!this.writer.isAccepting) throw this.unavailable();
    const result = await this.parse(request);
    if (!result.ok) {
      const status = result.code === 'too_many_points' ? 413 : 400;
      throw new ApiError(status, result.code, result.message, result.details);
    }
    await checkWritable(result.batch, request.producer);
    const accepted = result.batch.feeds.length;
    const wait = this.limiter.take(request.producer.id, accepted, Date.now());
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', `ingest rate limit exceeded; retry in ${wait} s`, [], {
        'Retry-After': String(wait),
      });
    }
    if (accepted > 0) {
      try {
        await this.writer.write(result.batch);
      } catch (error) {
        if (error instanceof LogUnavailableError || error instanceof NotAcceptingError) throw this.unavailable();
        throw error;
      }
    }
    return result.ignored.length > 0 ? { accepted, ignored: result.ignored } : { accepted };
  }

  /** Line protocol, the format of big batches from agents, is parsed a slice at a time. */
  private parse(request: IngestRequest): ParseResult | Promise<ParseResult> {
    const options: ParseOptions = {
      now: Date.now(),
      maxPoints: this.options.maxBatchPoints,
      maxDetails: MAX_DETAILS,
      maxDepth: this.options.maxJsonDepth,
    };
    switch (request.format) {
      case 'json':
        return parseJsonPoints(request.body.toString('utf8'), options);
      case 'ndjson':
        return parseNdjsonPoints(request.body.toString('utf8'), options);
      case 'line-protocol':
        return parseLineProtocolInTurns(lineProtocolText(request.body), { ...options, precision: request.precision });
    }
  }

  private unavailable(): ApiError {
    return !this.writer.isShuttingDown
      ? new ApiError(503, 'log_unavailable', 'the log is unavailable; nothing was stored', [], { 'Retry-After': '1' })
      : new ApiError(503, 'shutting_down', 'the server is shutting down; nothing was stored', [], {
          'Retry-After': '1',
        });
  }
}

/**
 * 403 `forbidden` unless every point's series is one `producer` may write; the
 * details name the points (0-based) that are not, and their series keys, as a
 * 400 names bad ones. Each distinct series is checked once, a slice per turn.
 */
async function checkWritable(batch: PointBatch, producer: Principal): Promise<void> {
  const access = producer.feeds;
  if (access.all) return;
  const verdicts = new Map<string, boolean>();
  const details: { index: number; reason: string }[] = [];
  let refused = 0;
  for (let i = 0; i < batch.feeds.length; i++) {
    const series = batch.feeds[i];
    let allowed = verdicts.get(series);
    if (allowed === undefined) {
      allowed = access.allowsSeries(series);
      verdicts.set(series, allowed);
      if (verdicts.size % SERIES_PER_TURN === 0) await nextTurn();
    }
    if (allowed) continue;
    refused++;
    if (details.length < MAX_DETAILS) details.push({ index: i, reason: `this token may not write ${series}` });
  }
  if (refused > 0) {
    throw new ApiError(
      403,
      'forbidden',
      `${refused} point${refused === 1 ? '' : 's'} outside the feeds this token may write (${access.patterns.join(', ')}); nothing was stored`,
      details,
    );
  }
}
