import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { liveChildren } from './child.handle';

/** Linux reports process CPU time in clock ticks; 100 per second on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

interface CpuReading {
  atMs: number;
  /** Machine-wide busy and total jiffies (all cores). */
  busy: number;
  total: number;
  /** The bench and its children (exited ones included, through the parent's cutime/cstime). */
  bench: number;
  /** Every `postgres` process (shared with anything else using this server). */
  postgres: number;
  /** Every `mariadbd` process (likewise). */
  mariadb: number;
}

export interface CpuShare {
  /** Machine CPU busy, as % of all cores. */
  busyPct: number;
  benchPct: number;
  postgresPct: number;
  mariadbPct: number;
  /** Everything else on the machine: other people's tests, system. High = noisy figures. */
  otherPct: number;
}

function procStatTimes(pid: number | 'self', withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return utime + stime + (withChildren ? cutime + cstime : 0);
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a live process has used, in ms. */
export function processCpuMs(pid: number): number {
  return (procStatTimes(pid, false) * 1000) / TICKS_PER_SECOND;
}

/** CPU ticks of the database servers' processes, by process name. */
function databaseTicks(): { postgres: number; mariadb: number } {
  const ticks = { postgres: 0, mariadb: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name === 'postgres') ticks.postgres += procStatTimes(Number(entry), true);
    else if (name === 'mariadbd') ticks.mariadb += procStatTimes(Number(entry), true);
  }
  return ticks;
}

function read(): CpuReading {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  const ours = liveChildren().reduce(
    (sum, { child }) => sum + (child.pid ? procStatTimes(child.pid, true) : 0),
    procStatTimes('self', true),
  );
  return {
    atMs: performance.now(),
    busy: total - idle - iowait,
    total,
    bench: ours,
    ...databaseTicks(),
  };
}

export interface MachineCpuMs {
  /** CPU time the whole machine was busy, all cores. */
  busy: number;
  /** CPU time of every `postgres` process. */
  postgres: number;
  /** CPU time of every `mariadbd` process. */
  mariadb: number;
}

/**
 * CPU time used so far by the whole machine, PostgreSQL and MariaDB, in ms: the difference of two
 * readings says what a run cost beyond the bench's own processes (B-naive has no database to pay for).
 */
export function machineCpuMs(): MachineCpuMs {
  const { busy, postgres, mariadb } = read();
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { busy: ms(busy), postgres: ms(postgres), mariadb: ms(mariadb) };
}

/**
 * How busy the machine was between two readings, and with what: the bench, PostgreSQL, MariaDB, or
 * something else. The bench shares its cores with whatever else runs here; this says how much.
 */
export class CpuMonitor {
  private last: CpuReading = read();

  take(): CpuShare {
    const now = read();
    const before = this.last;
    this.last = now;
    const capacity = ((now.atMs - before.atMs) / 1000) * TICKS_PER_SECOND * cpus().length;
    const pct = (ticks: number) => Math.max(0, Math.round((ticks / capacity) * 1000) / 10);
    const busy = ((now.busy - before.busy) / Math.max(1, now.total - before.total)) * 100;
    const bench = pct(now.bench - before.bench);
    const postgres = pct(now.postgres - before.postgres);
    const mariadb = pct(now.mariadb - before.mariadb);
    return {
      busyPct: Math.round(busy * 10) / 10,
      benchPct: bench,
      postgresPct: postgres,
      mariadbPct: mariadb,
      otherPct: Math.max(0, Math.round((busy - bench - postgres - mariadb) * 10) / 10),
    };
  }
}
