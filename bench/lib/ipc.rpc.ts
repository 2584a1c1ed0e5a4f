/**
 * A small typed request/response protocol over Node's IPC channel between the bench (parent) and
 * its child processes. A child describes what it offers as an API type (methods taking at most one
 * JSON-serialisable argument), serves it with `serveRpc`, and may push named events to the parent.
 */

/** Every method of a child API takes zero or one argument and may return a promise. */
export type RpcApi<A> = { [K in keyof A]: (params: never) => unknown };

export type RpcArgs<A extends RpcApi<A>, K extends keyof A> = Parameters<A[K]>;
export type RpcResult<A extends RpcApi<A>, K extends keyof A> = Awaited<ReturnType<A[K]>>;

export interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  params: unknown;
}

export type ResultMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string };

export interface EventMessage {
  kind: 'event';
  name: string;
  payload: unknown;
}

export interface ReadyMessage {
  kind: 'ready';
}

export type ChildMessage = ResultMessage | EventMessage | ReadyMessage;

function isCallMessage(message: unknown): message is CallMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { kind?: unknown }).kind === 'call' &&
    typeof (message as { method?: unknown }).method === 'string'
  );
}

export function isChildMessage(message: unknown): message is ChildMessage {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return kind === 'result' || kind === 'event' || kind === 'ready';
}

function send(message: ChildMessage): void {
  if (process.send && process.connected) process.send(message);
}

/**
 * Child side: answers the parent's calls with `handlers`. The child leaves when the parent goes
 * away (its IPC channel closes), and ignores Ctrl-C: the parent stops every child itself.
 */
export function serveRpc<A extends RpcApi<A>>(handlers: A): void {
  if (!process.send) throw new Error('this module runs as a child process of bench/run.ts');
  process.on('message', (message: unknown) => {
    if (!isCallMessage(message)) return;
    const handler = handlers[message.method as keyof A] as unknown as
      ((params: unknown) => unknown) | undefined;
    if (typeof handler !== 'function') {
      send({ kind: 'result', id: message.id, ok: false, error: `no method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler.call(handlers, message.params))
      .then(
        (value) => send({ kind: 'result', id: message.id, ok: true, value }),
        (error: unknown) =>
          send({
            kind: 'result',
            id: message.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
}

export function signalReady(): void {
  send({ kind: 'ready' });
}

export function emitToParent(name: string, payload: unknown): void {
  send({ kind: 'event', name, payload });
}

/** Reads the JSON configuration the parent put in the child's environment. */
export function childConfig<T>(): T {
  const raw = process.env.BENCH_CHILD_CONFIG;
  if (!raw) throw new Error('BENCH_CHILD_CONFIG is missing: start this file through bench/run.ts');
  return JSON.parse(raw) as T;
}

/** Exits once the reply to the current call has been flushed. */
export function exitSoon(code = 0): void {
  setTimeout(() => process.exit(code), 50);
}
