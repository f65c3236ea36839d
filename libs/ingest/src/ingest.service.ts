import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@pulseboard/api';
import { LogUnavailableError } from '@pulseboard/core';
import type { IngestResponse } from '@pulseboard/protocol';
import { NotAcceptingError, PointWriter } from '@pulseboard/streaming';
import type { IngestFormat } from './ingest-format.js';
import { IngestRateLimiter } from './ingest-rate-limiter.js';
import { INGEST_OPTIONS, type IngestModuleOptions } from './ingest.module-definition.js';
import { parseJsonPoints } from './parsers/json-points.parser.js';
import { parseLineProtocol, type Precision } from './parsers/line-protocol.parser.js';
import { parseNdjsonPoints } from './parsers/ndjson-points.parser.js';
import type { ParseOptions, ParseResult } from './parsers/parse-result.js';

/** At most this many bad points or lines are listed in a 400. */
const MAX_DETAILS = 1000;

export interface IngestRequest {
  format: IngestFormat;
  body: Buffer;
  precision: Precision;
  /** Who sends: the rate limit's key. */
  client: string;
}

/**
 * Parses a body whole and appends it as one batch: either every point is
 * stored (202) or none is and the producer is told why.
 */
@Injectable()
export class IngestService {
  private readonly limiter: IngestRateLimiter;

  constructor(
    @Inject(INGEST_OPTIONS) private readonly options: IngestModuleOptions,
    private readonly writer: PointWriter,
  ) {
    this.limiter = new IngestRateLimiter(options.rateLimit, options.rateBurst);
  }

  async ingest(request: IngestRequest): Promise<IngestResponse> {
    if (!this.writer.isAccepting) throw this.unavailable();
    const result = this.parse(request);
    if (!result.ok) {
      const status = result.code === 'too_many_points' ? 413 : 400;
      throw new ApiError(status, result.code, result.message, result.details);
    }
    const accepted = result.batch.feeds.length;
    const wait = this.limiter.take(request.client, accepted, Date.now());
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

  private parse(request: IngestRequest): ParseResult {
    const options: ParseOptions = {
      now: Date.now(),
      maxPoints: this.options.maxBatchPoints,
      maxDetails: MAX_DETAILS,
    };
    const text = request.body.toString('utf8');
    switch (request.format) {
      case 'json':
        return parseJsonPoints(text, options);
      case 'ndjson':
        return parseNdjsonPoints(text, options);
      case 'line-protocol':
        return parseLineProtocol(text, { ...options, precision: request.precision });
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
