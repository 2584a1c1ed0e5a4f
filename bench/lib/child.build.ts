import { transformFile } from '@swc/core';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** What the child processes load: the package entry, the library, test/support and bench/lib. */
export const CHILD_SOURCE_DIRS = ['src', 'libs/webhooks/src', 'test/support', 'bench/lib'];

function typescriptFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...typescriptFiles(path));
    else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.spec.ts') &&
      !entry.name.endsWith('.d.ts')
    ) {
      files.push(path);
    }
  }
  return files;
}

/**
 * Compiles the child processes' sources to plain CommonJS in a temporary directory (same layout),
 * with swc and the repository's decorator settings, so that children run as a deployed host does:
 * `node file.js`, without an in-process TypeScript compiler (swc-node alone adds ~70 MB of RSS, which
 * would blur the memory figures). Packages resolve from the repository's node_modules via NODE_PATH.
 */
export async function compileChildSources(
  repoRoot: string,
  sourceDirs: readonly string[] = CHILD_SOURCE_DIRS,
): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'nest-hooks-bench-'));
  const files = sourceDirs.flatMap((dir) => typescriptFiles(join(repoRoot, dir)));
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, {
        swcrc: false,
        configFile: false,
        sourceMaps: false,
        module: { type: 'commonjs' },
        jsc: {
          target: 'es2021',
          keepClassNames: true,
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      });
      const target = join(outDir, relative(repoRoot, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  return outDir;
}

export function removeCompiledSources(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
}
