// Bundles the portal into dist/portal.js and dist/portal.css, and fails above the size budget.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const outdir = join(root, 'dist');
/** Gzipped JS and CSS together: the portal is often opened in an iframe on a slow link. */
const BUDGET_GZIP_BYTES = 80 * 1024;
const TARGET = ['es2020', 'chrome100', 'firefox100', 'safari15.4', 'edge100'];

const common = {
  bundle: true,
  minify: true,
  target: TARGET,
  logLevel: 'warning',
  legalComments: 'eof',
};

await rm(outdir, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, 'src/main.tsx')],
    outfile: join(outdir, 'portal.js'),
    format: 'iife',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'tsconfig.json'),
  }),
  build({
    ...common,
    entryPoints: [join(root, 'src/portal.css')],
    outfile: join(outdir, 'portal.css'),
  }),
]);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`.padStart(9);
let totalRaw = 0;
let totalGzip = 0;
for (const file of ['portal.js', 'portal.css']) {
  const content = await readFile(join(outdir, file));
  const gzip = gzipSync(content, { level: 9 }).length;
  totalRaw += content.length;
  totalGzip += gzip;
  console.log(`${file.padEnd(11)} ${kb(content.length)} raw ${kb(gzip)} gzip`);
}
console.log(
  `${'total'.padEnd(11)} ${kb(totalRaw)} raw ${kb(totalGzip)} gzip (budget ${kb(BUDGET_GZIP_BYTES).trim()})`,
);
if (totalGzip > BUDGET_GZIP_BYTES) {
  console.error('The portal is over its gzip budget.');
  process.exitCode = 1;
}
