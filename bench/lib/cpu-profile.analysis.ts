import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that the summary reads. */
interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionSelfTime {
  functionName: string;
  /** Script, shortened to the package (or repository path) it belongs to. */
  location: string;
  selfMs: number;
  pct: number;
}

export interface CategorySelfTime {
  category: string;
  selfMs: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Samples spent idle (waiting on I/O): the rest is CPU. */
  idlePct: number;
  top: FunctionSelfTime[];
  categories: CategorySelfTime[];
  /** Socket-write system calls by the library that issued them (nearest package frame up the stack). */
  socketWritesBy: CategorySelfTime[];
}

const PACKAGE_CATEGORIES: Array<[RegExp, string]> = [
  [
    /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-[a-z]+)\//,
    'PostgreSQL driver (pg)',
  ],
  [/node_modules\/typeorm\//, 'TypeORM'],
  [/node_modules\/bull\//, 'Bull'],
  [
    /node_modules\/(ioredis|redis-parser|redis-errors|standard-as-callback|cluster-key-slot|denque)\//,
    'ioredis',
  ],
  [/node_modules\/undici\//, 'undici (HTTP client)'],
  [/node_modules\/@nestjs\//, 'Nest'],
  [/node_modules\/uuid\//, 'uuid'],
  [/node_modules\/(reflect-metadata|rxjs)\//, 'Nest'],
  [/node_modules\/(@swc-node|@swc|pirates)\//, 'swc-node (TS compile at start)'],
  [/\/libs\/webhooks\/src\/signing\//, 'webhooks library: signing'],
  [/\/libs\/webhooks\/src\//, 'webhooks library: other'],
  [/\/bench\//, 'bench harness'],
  [/node:internal\/crypto|node:crypto/, 'Node crypto (HMAC, random)'],
  [
    /node:internal\/(streams|net|stream_base|http|dns|tls)|node:(net|stream|http|dns)/,
    'Node net/streams',
  ],
  [
    /node:internal\/(timers|async_hooks|process\/task_queues)|node:timers/,
    'Node timers/microtasks',
  ],
];

const SPECIAL = new Map<string, string>([
  ['(idle)', '(idle: waiting on I/O)'],
  ['(program)', '(program: V8/native, unattributed)'],
  ['(garbage collector)', '(garbage collector)'],
]);

const SOCKET_WRITES = 'socket writes (native syscalls)';
const WRITERS = new Set([
  'PostgreSQL driver (pg)',
  'ioredis',
  'Bull',
  'undici (HTTP client)',
  'bench harness',
  'webhooks library: other',
]);

/** Native functions (no script) whose self time is a system call or start-up work. */
const NATIVE_CATEGORIES = new Map<string, string>([
  ['writev', SOCKET_WRITES],
  ['writeBuffer', SOCKET_WRITES],
  ['writeUtf8String', SOCKET_WRITES],
  ['writeLatin1String', SOCKET_WRITES],
  ['writeAsciiString', SOCKET_WRITES],
  ['runMicrotasks', 'Node timers/microtasks'],
  ['readFileUtf8', 'module loading (start-up)'],
  ['internalModuleStat', 'module loading (start-up)'],
  ['compileFunction', 'module loading (start-up)'],
]);

function categorize(frame: CpuProfileNode['callFrame']): string {
  const special = SPECIAL.get(frame.functionName);
  if (special && !frame.url) return special;
  const native = NATIVE_CATEGORIES.get(frame.functionName);
  if (native && !frame.url) return native;
  if (frame.url === 'node:internal/modules/cjs/loader') return 'module loading (start-up)';
  for (const [pattern, category] of PACKAGE_CATEGORIES)
    if (pattern.test(frame.url)) return category;
  if (!frame.url) {
    if (/^(parse|stringify)$/.test(frame.functionName)) return 'JSON (builtin)';
    return 'V8 builtins / native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url);
  if (pkg) return `package: ${pkg[1]}`;
  if (frame.url.startsWith('node:')) return 'Node core (other)';
  return 'other';
}

function shortLocation(url: string, line: number): string {
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  const path = pkg
    ? `${pkg[1]}/${pkg[2]}`
    : url.replace(/^file:\/\//, '').replace(/^.*?\/(libs|bench|src)\//, '$1/');
  return `${path}:${line + 1}`;
}

/** Self time per function (grouped by name + script) and per category, from a .cpuprofile file. */
export function summarizeCpuProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i: attribute it to sample i-1.
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, delta));
  }
  const totalUs = [...selfUs.values()].reduce((sum, value) => sum + value, 0) || 1;
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const writers = new Map<string, number>();
  const functions = new Map<string, { functionName: string; location: string; us: number }>();
  const categories = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${url}`;
    const entry = functions.get(key) ?? {
      functionName: name,
      location: shortLocation(url, lineNumber),
      us: 0,
    };
    entry.us += us;
    functions.set(key, entry);
    const category = categorize(node.callFrame);
    categories.set(category, (categories.get(category) ?? 0) + us);
    if (category === SOCKET_WRITES) {
      const writer = socketWriter(node, byId, parents);
      writers.set(writer, (writers.get(writer) ?? 0) + us);
    }
  }
  const pct = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    totalMs: ms(totalUs),
    idlePct: pct(categories.get('(idle: waiting on I/O)') ?? 0),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ functionName, location, us }) => ({
        functionName,
        location,
        selfMs: ms(us),
        pct: pct(us),
      })),
    categories: [...categories.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, selfMs: ms(us), pct: pct(us) })),
    socketWritesBy: [...writers.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, selfMs: ms(us), pct: pct(us) })),
  };
}

/** Who issued a socket write: the first frame up the stack that belongs to a known library. */
function socketWriter(
  node: CpuProfileNode,
  byId: ReadonlyMap<number, CpuProfileNode>,
  parents: ReadonlyMap<number, number>,
): string {
  let current: CpuProfileNode | undefined = node;
  while (current) {
    const category = categorize(current.callFrame);
    if (WRITERS.has(category)) return category;
    const parent = parents.get(current.id);
    current = parent === undefined ? undefined : byId.get(parent);
  }
  return 'other / unknown';
}

/** The summary as text: categories, then the top functions by self time. */
export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const lines = [
    `${title}: ${summary.totalMs} ms sampled, ${summary.idlePct}% idle`,
    '  self time by category:',
    ...summary.categories.map(
      (row) =>
        `    ${row.pct.toFixed(1).padStart(5)}%  ${String(row.selfMs).padStart(9)} ms  ${row.category}`,
    ),
    '  socket writes by the library that issued them:',
    ...summary.socketWritesBy.map(
      (row) =>
        `    ${row.pct.toFixed(1).padStart(5)}%  ${String(row.selfMs).padStart(9)} ms  ${row.category}`,
    ),
    `  top ${summary.top.length} functions by self time (grouped by function + script):`,
    ...summary.top.map(
      (row) =>
        `    ${row.pct.toFixed(1).padStart(5)}%  ${String(row.selfMs).padStart(9)} ms  ${row.functionName}  ${row.location}`,
    ),
  ];
  return lines.join('\n');
}
