import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildHandle, REPO_ROOT } from '../../test/support/processes';
import {
  isChildMessage,
  type ChildMessage,
  type RpcApi,
  type RpcArgs,
  type RpcResult,
} from './ipc.rpc';

export { REPO_ROOT };
/** No call to a child may take longer (the longest, S6's open loop, takes about two minutes). */
const CALL_TIMEOUT_MS = 5 * 60_000;

/** Every process the bench started, so that any exit path can stop them all. */
const live = new Set<ManagedProcess>();

interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
}

export function liveChildren(): readonly ManagedProcess[] {
  return [...live];
}

/** Last resort on exit: SIGKILL whatever is still running (synchronous, safe in 'exit' handlers). */
export function killAllChildrenNow(): void {
  for (const { child } of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

export function track(name: string, child: ChildProcess): ManagedProcess {
  const managed = { name, child };
  live.add(managed);
  child.once('exit', () => live.delete(managed));
  return managed;
}

/** Resident set size of a process in bytes, from /proc (Linux); null once it has gone. */
export function rssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Where compiled child sources are (see child.build.ts); null = run the .ts files with swc-node. */
let compiledRoot: string | null = null;

export function runChildrenFrom(root: string | null): void {
  compiledRoot = root;
}

export interface ForkOptions {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  readyTimeoutMs?: number;
}

/** A TypeScript child process of the bench that speaks the RPC protocol of ipc.rpc.ts. */
export class BenchChild<A extends RpcApi<A>> {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<string, Array<(payload: unknown) => void>>();
  private readonly handle: ChildHandle;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.handle = new ChildHandle(child, process.env.BENCH_VERBOSE ? name : undefined);
    child.on('message', (message: unknown) => {
      if (isChildMessage(message)) this.dispatch(message);
    });
    child.once('exit', (code, signal) => {
      const error = new Error(
        `${name} exited (${signal ?? code}) with calls pending; its last output:\n${this.lastOutput}`,
      );
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    });
  }

  /**
   * Starts `entry` (a .ts path relative to the repository root; its compiled .js when sources were
   * compiled) and waits for it to be ready.
   */
  static async start<A extends RpcApi<A>>(
    name: string,
    entry: string,
    config: unknown,
    options: ForkOptions = {},
  ): Promise<BenchChild<A>> {
    const nodeFlags = options.nodeFlags ?? [];
    const launch = compiledRoot
      ? {
          modulePath: join(compiledRoot, entry.replace(/\.ts$/, '.js')),
          execArgv: nodeFlags,
          env: { NODE_PATH: join(REPO_ROOT, 'node_modules') },
        }
      : {
          modulePath: join(REPO_ROOT, entry),
          execArgv: [...nodeFlags, '-r', '@swc-node/register'],
          env: {},
        };
    const child = fork(launch.modulePath, [], {
      cwd: REPO_ROOT,
      execArgv: launch.execArgv,
      env: { ...process.env, ...launch.env, BENCH_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    track(name, child);
    const bench = new BenchChild<A>(name, child);
    await bench.handle.untilReady(
      name,
      (ready) => {
        const onMessage = (message: unknown) => {
          if ((message as { kind?: unknown } | null)?.kind === 'ready') ready();
        };
        child.on('message', onMessage);
        return () => child.off('message', onMessage);
      },
      options.readyTimeoutMs ?? 60_000,
    );
    return bench;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get lastOutput(): string {
    return this.handle.output;
  }

  rss(): number | null {
    return rssOf(this.pid);
  }

  call<K extends keyof A & string>(method: K, ...args: RpcArgs<A, K>): Promise<RpcResult<A, K>> {
    if (this.handle.exited || !this.child.connected) {
      return Promise.reject(new Error(`${this.name} is not running:\n${this.lastOutput}`));
    }
    const id = this.nextId++;
    return new Promise<RpcResult<A, K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}.${method} took more than ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as RpcResult<A, K>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ kind: 'call', id, method, params: args[0] });
    });
  }

  /** Fire-and-forget call (no reply awaited), for frequent notifications such as progress. */
  notify<K extends keyof A & string>(method: K, ...args: RpcArgs<A, K>): void {
    this.call(method, ...args).catch(() => undefined);
  }

  on(event: string, listener: (payload: unknown) => void): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return () => {
      const current = this.listeners.get(event) ?? [];
      this.listeners.set(
        event,
        current.filter((one) => one !== listener),
      );
    };
  }

  /**
   * Asks the child to shut down (its `shutdown` method, which exits normally so that profiles are
   * written), then SIGKILLs it if it has not gone within `graceMs`.
   */
  stop(graceMs = 15_000): Promise<void> {
    return this.handle.stop(graceMs, () => {
      if (!this.child.connected) return;
      this.child.send({ kind: 'call', id: this.nextId++, method: 'shutdown', params: undefined });
    });
  }

  private dispatch(message: ChildMessage): void {
    if (message.kind === 'result') {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${this.name}: ${message.error}`));
    } else if (message.kind === 'event') {
      for (const listener of this.listeners.get(message.name) ?? []) listener(message.payload);
    }
  }
}
