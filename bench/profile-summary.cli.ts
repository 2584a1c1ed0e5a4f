/**
 * Prints where a process spent its CPU time, from a `.cpuprofile` written by `node --cpu-prof`:
 * self time by category (database driver, ORM, Bull/Redis, HTTP client, signing, Nest, GC, idle…)
 * and the top functions by self time, grouped by function + script.
 *
 *   node -r @swc-node/register bench/profile-summary.cli.ts bench/results/profiles/<file>.cpuprofile [--top 20]
 */
import { formatProfileSummary, summarizeCpuProfile } from './lib/cpu-profile.analysis';

function main(argv: string[]): void {
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 20;
  const files = argv.filter(
    (arg, index) => !arg.startsWith('--') && (topIndex < 0 || index !== topIndex + 1),
  );
  if (files.length === 0 || !Number.isInteger(top) || top <= 0) {
    process.stderr.write('usage: profile-summary.cli.ts <file.cpuprofile>... [--top N]\n');
    process.exit(2);
  }
  for (const file of files)
    process.stdout.write(`${formatProfileSummary(file, summarizeCpuProfile(file, top))}\n\n`);
}

main(process.argv.slice(2));
