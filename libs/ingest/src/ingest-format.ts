import { ApiError, requestMediaType } from '@pulseboard/api';

export type IngestFormat = 'json' | 'ndjson' | 'line-protocol';

const FORMATS: Record<string, IngestFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'text/plain': 'line-protocol',
};

/** The body format named by a `Content-Type` header, or a 415. */
export function ingestFormat(contentType: string | undefined): IngestFormat {
  const mediaType = requestMediaType(contentType);
  // own keys only: `constructor` or `__proto__` would otherwise find Object.prototype's members
  const format = Object.hasOwn(FORMATS, mediaType) ? FORMATS[mediaType] : undefined;
  if (format === undefined) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `unsupported content type ${JSON.stringify(mediaType)}: use application/json, application/x-ndjson or text/plain (line protocol)`,
    );
  }
  return format;
}
