import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const OUTPUT_KEPT = 20_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Calls `ready` once the child is ready (e.g. on an output line or an IPC message) and returns what
 * stops watching.
 */
export type ReadinessWatch = (ready: () => void) => () => void;

/** A child process whose last output is kept for failure reports. */
export class ChildHandle {
  output = '';

  /** `echoAs`: also copy the child's output to our stderr, each chunk prefixed with this name. */
  constructor(
    readonly child: ChildProcess,
    echoAs?: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT);
      if (echoAs !== undefined) process.stderr.write(`[${echoAs}] ${chunk.toString()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Spawns `command` and resolves once it prints `marker`. */
  static async start(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    marker: string,
    timeoutMs = 30_000,
  ): Promise<ChildHandle> {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new ChildHandle(child);
    await handle.untilReady(
      `${command} ${args.join(' ')}`,
      (ready) => {
        const check = () => {
          if (handle.output.includes(marker)) ready();
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        return () => {
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
        };
      },
      timeoutMs,
    );
    return handle;
  }

  /** Runs a TypeScript entry point of this repository in a child Node process. */
  static startTs(entry: string, env: NodeJS.ProcessEnv, marker: string): Promise<ChildHandle> {
    return ChildHandle.start(process.execPath, ['-r', '@swc-node/register', entry], env, marker);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /**
   * Resolves once `watch` reports the child ready; rejects if it fails to start or exits first, and
   * kills it if it is not ready within `timeoutMs`.
   */
  async untilReady(what: string, watch: ReadinessWatch, timeoutMs: number): Promise<void> {
    const cleanups: Array<() => void> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          reject(
            new Error(`${what} not ready within ${timeoutMs} ms; its output:\n${this.output}`),
          );
        }, timeoutMs);
        cleanups.push(() => clearTimeout(timer));
        const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
          reject(
            new Error(`${what} exited (${signal ?? code}) before it was ready:\n${this.output}`),
          );
        const onError = (error: Error) => reject(error);
        this.child.once('exit', onExit);
        this.child.once('error', onError);
        cleanups.push(() => {
          this.child.off('exit', onExit);
          this.child.off('error', onError);
        });
        cleanups.push(watch(resolve));
      });
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
  }

  /** Resolves true once the child has exited, false if it is still running after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onExit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        resolve(false);
      }, timeoutMs);
      this.child.once('exit', onExit);
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    await exited;
  }

  /**
   * Asks the child to leave (`askToLeave`, SIGTERM unless told otherwise) and SIGKILLs it if it is
   * still there after `graceMs`.
   */
  async stop(graceMs: number, askToLeave = () => void this.child.kill('SIGTERM')): Promise<void> {
    if (this.exited) return;
    askToLeave();
    if (await this.waitForExit(graceMs)) return;
    this.child.kill('SIGKILL');
    await this.waitForExit(5_000);
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  handle: ChildHandle;
}

/** A Redis server of our own, so that FLUSHALL, a restart or its memory figures touch nobody else. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const handle = await ChildHandle.start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {},
    'Ready to accept connections',
  );
  return { url: `redis://127.0.0.1:${port}`, port, handle };
}
