import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Waiters } from './waiters.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The built server running as its own process, as `npm start` runs it. */
export class ServerProcess {
  readonly output: string[] = [];
  exitCode: number | null = null;
  private exited: Promise<number | null>;
  private readonly waiters = new Waiters();
  /** Resolves once everything the process wrote is in its log file (at once without one). */
  private logWritten: Promise<void> = Promise.resolve();

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
    });
  }

  /**
   * Starts the server and resolves once it listens (it logs its port). With
   * `logFile`, everything it writes (stdout and stderr) also goes to that file,
   * complete once {@link stop} resolved.
   */
  static start(env: Record<string, string> = {}, timeoutMs = 20_000, logFile?: string): Promise<ServerProcess> {
    // a data directory of its own, gone with the process, unless the test keeps one across restarts
    const ownDataDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'pulseboard-data-')) : undefined;
    const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO: '0',
        SELF_METRICS: '0',
        LOG_LEVEL: 'info',
        ...(ownDataDir === undefined ? {} : { DATA_DIR: ownDataDir }),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (ownDataDir !== undefined) child.once('exit', () => rmSync(ownDataDir, { recursive: true, force: true }));
    let logWritten = Promise.resolve();
    if (logFile !== undefined) {
      const log = createWriteStream(logFile);
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      // 'close' comes after both streams ended, so the file then has all of it
      child.once('close', () => log.end());
      logWritten = finished(log);
    }
    const lines: string[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not start in ${timeoutMs} ms:\n${lines.join('\n')}`));
      }, timeoutMs);
      let buffered = '';
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines.push(line);
          const match = /"port":(\d+)/.exec(line);
          if (match !== null && line.includes('listening')) {
            clearTimeout(timer);
            const server = new ServerProcess(child, `http://127.0.0.1:${match[1]}`);
            server.logWritten = logWritten;
            server.output.push(...lines);
            child.stdout?.off('data', onData);
            // whole lines only: a chunk may end in the middle of one
            let rest = buffered;
            child.stdout?.on('data', (c: Buffer) => {
              const lines = (rest + c.toString('utf8')).split('\n');
              rest = lines.pop() ?? '';
              server.output.push(...lines);
              server.waiters.notify();
            });
            resolve(server);
          }
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (c: Buffer) => lines.push(c.toString('utf8')));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${lines.join('\n')}`));
      });
    });
  }

  /** Resident memory of the server process, in bytes. */
  rss(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    if (match === null) throw new Error('no VmRSS');
    return Number(match[1]) * 1024;
  }

  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    this.exitCode = await this.exited;
    await this.logWritten;
    return this.exitCode;
  }

  /** Resolves once the output (stdout lines) satisfies `condition`. */
  untilOutput(condition: (lines: readonly string[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return this.waiters.until(
      () => condition(this.output),
      () => `${what}; output:\n${this.output.join('\n')}`,
      timeoutMs,
    );
  }

  waitForExit(): Promise<number | null> {
    return this.exited;
  }
}
