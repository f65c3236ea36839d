import {
  Catch,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@pulseboard/protocol';
import type { Request, Response } from 'express';
import { ApiError, errorBody } from './api-error.js';
import { closeAfterAnswer } from './early-answers.js';
import { Refusals } from './refusals.js';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'not_ready',
};

/**
 * The one place errors become responses. Every JSON error, 404 included, has
 * the contract's shape; unexpected errors are logged and answered with a
 * generic 500 so that no stack trace or path ever reaches a client. An error
 * answered before the request's body has all arrived (401, 413, 415, 429 …)
 * reaches a client that is still sending it (`closeAfterAnswer`).
 */
@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  constructor(private readonly refusals: Refusals) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const { status, body, headers } = this.toResponse(exception);
    this.refusals.count(body.error.code);
    if (response.headersSent) {
      // a stream that already started cannot carry a JSON error: end it
      response.end();
      return;
    }
    closeAfterAnswer(http.getRequest<Request>(), response);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof ApiError) {
      return { status: exception.getStatus(), body: exception.toBody(), headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        const code = CODE_BY_STATUS[status] ?? 'bad_request';
        const message = status === 404 ? 'no such route' : exception.message;
        return { status, body: errorBody(code, message), headers: {} };
      }
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: errorBody('internal_error', 'internal server error'),
      headers: {},
    };
  }
}
