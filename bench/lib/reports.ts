import type { LatencySummary } from './histogram.js';
import { isRecord, num, rec, type Message } from './ipc.js';

/** Narrowing of what the bench children answer. */

function record(data: unknown, what: string): Message {
  if (!isRecord(data)) throw new TypeError(`${what}: expected an object`);
  return data;
}

function nullableNum(message: Message, key: string): number | null {
  return message[key] === null ? null : num(message, key);
}

function counts(message: Message, key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec(message, key))) if (typeof v === 'number') out[k] = v;
  return out;
}

function optionalText(message: Message, key: string): string | undefined {
  const value = message[key];
  return typeof value === 'string' ? value : undefined;
}

export interface ConnectReport {
  requested: number;
  helloed: number;
  failed: number;
  sampled: number;
  open: number;
  ms: number;
  firstError: string | undefined;
}

export function connectReport(data: unknown): ConnectReport {
  const m = record(data, 'connect');
  return {
    requested: num(m, 'requested'),
    helloed: num(m, 'helloed'),
    failed: num(m, 'failed'),
    sampled: num(m, 'sampled'),
    open: num(m, 'open'),
    ms: num(m, 'ms'),
    firstError: optionalText(m, 'firstError'),
  };
}

export interface SocketConnectReport extends ConnectReport {
  /** Open sockets that negotiated permessage-deflate. */
  deflate: number;
}

export function socketConnectReport(data: unknown): SocketConnectReport {
  return { ...connectReport(data), deflate: num(record(data, 'connect'), 'deflate') };
}

export interface LoadReport {
  windowMs: number;
  open: number;
  sampledOpen: number;
  bytes: number;
  sampledBytes: number;
  sampledPoints: number;
  sampledEvents: number;
  disconnects: number;
  malformed: number;
  latency: LatencySummary;
  cpuPct: number;
  elu: number;
  loopDelayP99Ms: number;
}

function latency(m: Message): LatencySummary {
  return {
    count: num(m, 'count'),
    p50: nullableNum(m, 'p50'),
    p90: nullableNum(m, 'p90'),
    p99: nullableNum(m, 'p99'),
    max: nullableNum(m, 'max'),
    overflow: num(m, 'overflow'),
    negative: num(m, 'negative'),
  };
}

export function loadReport(data: unknown): LoadReport {
  const m = record(data, 'subscribers report');
  return {
    windowMs: num(m, 'windowMs'),
    open: num(m, 'open'),
    sampledOpen: num(m, 'sampledOpen'),
    bytes: num(m, 'bytes'),
    sampledBytes: num(m, 'sampledBytes'),
    sampledPoints: num(m, 'sampledPoints'),
    sampledEvents: num(m, 'sampledEvents'),
    disconnects: num(m, 'disconnects'),
    malformed: num(m, 'malformed'),
    latency: latency(rec(m, 'latency')),
    cpuPct: num(m, 'cpuPct'),
    elu: num(m, 'elu'),
    loopDelayP99Ms: num(m, 'loopDelayP99Ms'),
  };
}

/** The Socket.IO worker's report: `bytes` and `sampledBytes` are payload, `wireBytes` what crossed TCP. */
export interface SocketLoadReport extends LoadReport {
  wireBytes: number;
  messages: number;
}

export function socketLoadReport(data: unknown): SocketLoadReport {
  const m = record(data, 'sockets report');
  return { ...loadReport(m), wireBytes: num(m, 'wireBytes'), messages: num(m, 'messages') };
}

export interface ProducerReport {
  windowMs: number;
  sent: number;
  accepted: number;
  skipped: number;
  requests: number;
  errors: number;
  non202: Record<string, number>;
  inFlight: number;
  postP50Ms: number | null;
  postP99Ms: number | null;
  lastError: string | undefined;
}

export function producerReport(data: unknown): ProducerReport {
  const m = record(data, 'producer report');
  return {
    windowMs: num(m, 'windowMs'),
    sent: num(m, 'sent'),
    accepted: num(m, 'accepted'),
    skipped: num(m, 'skipped'),
    requests: num(m, 'requests'),
    errors: num(m, 'errors'),
    non202: counts(m, 'non202'),
    inFlight: num(m, 'inFlight'),
    postP50Ms: nullableNum(m, 'postP50Ms'),
    postP99Ms: nullableNum(m, 'postP99Ms'),
    lastError: optionalText(m, 'lastError'),
  };
}

export interface IngestClientReport {
  windowMs: number;
  accepted: number;
  requests: number;
  errors: number;
  rejected: number;
  postP50Ms: number | null;
  postP99Ms: number | null;
  lastError: string | undefined;
}

export function ingestClientReport(data: unknown): IngestClientReport {
  const m = record(data, 'ingest client report');
  return {
    windowMs: num(m, 'windowMs'),
    accepted: num(m, 'accepted'),
    requests: num(m, 'requests'),
    errors: num(m, 'errors'),
    rejected: num(m, 'rejected'),
    postP50Ms: nullableNum(m, 'postP50Ms'),
    postP99Ms: nullableNum(m, 'postP99Ms'),
    lastError: optionalText(m, 'lastError'),
  };
}

export interface EngineReport {
  jsonPointsPerSec: number;
  parsePointsPerSec: number;
  pipelinePointsPerSec: number;
  labelledPointsPerSec: number;
  linePointsPerSec: number;
  lineLabelledPointsPerSec: number;
  bodyBytes: number;
}

export function engineReport(data: unknown): EngineReport {
  const m = record(data, 'engine report');
  return {
    jsonPointsPerSec: num(m, 'jsonPointsPerSec'),
    parsePointsPerSec: num(m, 'parsePointsPerSec'),
    pipelinePointsPerSec: num(m, 'pipelinePointsPerSec'),
    labelledPointsPerSec: num(m, 'labelledPointsPerSec'),
    linePointsPerSec: num(m, 'linePointsPerSec'),
    lineLabelledPointsPerSec: num(m, 'lineLabelledPointsPerSec'),
    bodyBytes: num(m, 'bodyBytes'),
  };
}

export function bodyBytesOf(data: unknown): number {
  return num(record(data, 'start'), 'bodyBytes');
}
