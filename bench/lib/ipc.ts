import type { ChildProcess } from 'node:child_process';

/** A message crossing the IPC channel, before it is narrowed. */
export type Message = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function num(message: Message, key: string): number {
  const value = message[key];
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${key} must be a number`);
  return value;
}

export function str(message: Message, key: string): string {
  const value = message[key];
  if (typeof value !== 'string') throw new TypeError(`${key} must be a string`);
  return value;
}

export function rec(message: Message, key: string): Message {
  const value = message[key];
  if (!isRecord(value)) throw new TypeError(`${key} must be an object`);
  return value;
}

type Handler = (message: Message) => unknown;

/**
 * Child side of the request/reply protocol. A child whose parent is gone
 * exits, so that a crashed runner never leaves load generators behind.
 */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (raw: unknown) => {
    if (!isRecord(raw) || typeof raw.type !== 'string' || typeof raw.id !== 'number') return;
    const { id, type } = raw;
    const handler = handlers[type];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown command ${type}`);
        return handler(raw);
      })
      .then(
        (data: unknown) => reply({ type: 'reply', id, ok: true, data }),
        (error: unknown) => reply({ type: 'reply', id, ok: false, error: errorText(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

function reply(message: Message): void {
  process.send?.(message);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Parent side: numbered requests with a deadline each, failed at once if the child exits. */
export class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw: unknown) => {
      if (!isRecord(raw) || raw.type !== 'reply' || typeof raw.id !== 'number') return;
      const waiting = this.pending.get(raw.id);
      if (waiting === undefined) return;
      this.pending.delete(raw.id);
      clearTimeout(waiting.timer);
      if (raw.ok === true) waiting.resolve(raw.data);
      else waiting.reject(new Error(`${this.name}: ${String(raw.error)}`));
    });
    child.on('exit', (code, signal) => this.failAll(new Error(`${this.name} exited (${signal ?? code})`)));
  }

  request(message: Message, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${String(message.type)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      if (!this.child.connected) {
        this.failAll(new Error(`${this.name} is not running`));
        return;
      }
      this.child.send({ ...message, id });
    });
  }

  private failAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
