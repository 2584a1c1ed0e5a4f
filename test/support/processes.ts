import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A child process that is ready once it prints `marker`; its output is kept for failure reports. */
export class ChildHandle {
  output = '';
  private constructor(readonly child: ChildProcess) {}

  static async start(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    marker: string,
    timeoutMs = 30_000,
  ) {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new ChildHandle(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${args.join(' ')} not ready: ${handle.output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        handle.output = (handle.output + chunk.toString()).slice(-20_000);
        if (handle.output.includes(marker)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(' ')} exited with ${code}: ${handle.output}`));
      });
    }).finally(() => child.removeAllListeners('exit'));
    return handle;
  }

  /** Runs a TypeScript entry point of this repository in a child Node process. */
  static startTs(entry: string, env: NodeJS.ProcessEnv, marker: string): Promise<ChildHandle> {
    return ChildHandle.start(process.execPath, ['-r', '@swc-node/register', entry], env, marker);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    await exited;
  }
}

/** A Redis server of the test's own, so that FLUSHALL or a restart touches nobody else. */
export async function startPrivateRedis(): Promise<{
  url: string;
  port: number;
  handle: ChildHandle;
}> {
  const port = await freePort();
  const handle = await ChildHandle.start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {},
    'Ready to accept connections',
  );
  return { url: `redis://127.0.0.1:${port}`, port, handle };
}
