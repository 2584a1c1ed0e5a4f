import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_URL, REDIS_URL, uniqueName, withPg } from './support/services';

const ROOT = join(__dirname, '..');
// Not under node_modules: a worktree's node_modules may be a link shared with other checkouts.
const CACHE = join(ROOT, '.cache', 'package-e2e');

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return execFileSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  });
}

interface HostResult {
  nestVersion: string;
  eventId: string;
  webhookId: string;
  body: { id: string; type: string; source: string; data: unknown };
  portal?: { page: string; scriptStatus: number; scriptBytes: number; session: unknown };
}

/**
 * What users install: `npm pack` of the root, put into scratch host apps. The Nest 11 host (CommonJS,
 * @nestjs/config + forRootAsync) sits under the repository and uses its node_modules offline;
 * the Nest 12 host (ESM-only @nestjs/*) installs its own.
 */
describe('the packed package', () => {
  let tarball: string;
  const schema = uniqueName('pkg');

  beforeAll(async () => {
    run('npm', ['run', 'build'], ROOT);
    mkdirSync(CACHE, { recursive: true });
    readdirSync(CACHE)
      .filter((name) => name.endsWith('.tgz'))
      .forEach((name) => rmSync(join(CACHE, name)));
    tarball = join(
      CACHE,
      run('npm', ['pack', '--silent', '--pack-destination', CACHE], ROOT).trim().split('\n').pop()!,
    );
    await withPg((client) => client.query(`CREATE SCHEMA "${schema}"`));
  }, 120_000);
  afterAll(async () => {
    await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it('holds compiled JavaScript and declarations only', () => {
    const files = run('tar', ['-tzf', tarball], ROOT).trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/dist/src/index.js',
        'package/dist/src/index.d.ts',
        'package/dist/src/health.js',
        'package/dist/libs/webhooks/src/webhooks.module.js',
        'package/dist/libs/webhooks/portal-ui/dist/portal.js',
        'package/dist/libs/webhooks/portal-ui/dist/portal.css',
      ]),
    );
    expect(files.some((file) => /migrations\/\d+-create-webhook-tables\.js$/.test(file))).toBe(
      true,
    );
    const unexpected = files.filter(
      (file) =>
        !(
          file === 'package/package.json' ||
          file === 'package/README.md' ||
          /^package\/dist\/(src|libs)\/.+\.(js|d\.ts|js\.map)$/.test(file) ||
          /^package\/dist\/libs\/webhooks\/portal-ui\/dist\/portal\.css$/.test(file)
        ) || /\.spec\.|\/test\/|\/apps\//.test(file),
    );
    expect(unexpected).toEqual([]);
  });

  function installHost(name: string, installArgs: string[]): string {
    const dir = join(CACHE, name);
    mkdirSync(dir, { recursive: true });
    // npm keeps an installed file: dependency of the same version, so the previous build would stay.
    rmSync(join(dir, 'node_modules', 'nestjs-marketing-webhooks'), {
      recursive: true,
      force: true,
    });
    copyFileSync(tarball, join(dir, 'nestjs-marketing-webhooks.tgz'));
    for (const file of readdirSync(join(__dirname, name)))
      copyFileSync(join(__dirname, name, file), join(dir, file));
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--loglevel=error',
        ...installArgs,
      ],
      dir,
    );
    return dir;
  }

  function runHost(dir: string, entry: string): HostResult {
    const output = run('node', [entry], dir, {
      ...process.env,
      DATABASE_URL,
      REDIS_URL,
      PG_SCHEMA: schema,
      BULL_PREFIX: uniqueName('pkg'),
      RECEIVER_CIDR: '127.0.0.1/32',
    });
    return JSON.parse(output.trim().split('\n').pop()!) as HostResult;
  }

  it('boots in a Nest 11 host configured with ConfigService and delivers a verified event', () => {
    const dir = installHost('nest11-host', ['--legacy-peer-deps', '--ignore-scripts']);
    const result = runHost(dir, 'host.cjs');
    expect(result.nestVersion).toMatch(/^11\./);
    expect(result.body).toMatchObject({
      id: result.eventId,
      type: 'contact.subscribed',
      source: 'api',
      listId: '7',
      data: { email: 'grace@example.com' },
    });
    expect(result.portal).toMatchObject({
      page: '/webhooks/portal',
      scriptStatus: 200,
      session: { lists: [{ id: '7', name: '7' }], readOnly: false },
    });
    expect(result.portal?.scriptBytes).toBeGreaterThan(1_000);

    // TypeScript finds both entries' declarations under the host's module resolution, the classic
    // one of older Nest apps (which ignores `exports`) as well as node16's.
    writeFileSync(
      join(dir, 'entries.ts'),
      [
        "import { WebhooksModule } from 'nestjs-marketing-webhooks';",
        "import { WebhooksHealthIndicator } from 'nestjs-marketing-webhooks/health';",
        'export const entries = [WebhooksModule.forRoot, WebhooksHealthIndicator.prototype.isHealthy];',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [module, resolution] of [
      ['commonjs', 'node10'],
      ['node16', 'node16'],
    ]) {
      const flags = ['--noEmit', '--strict', '--skipLibCheck', '--module', module];
      try {
        run('node', [tsc, ...flags, '--moduleResolution', resolution, 'entries.ts'], dir);
      } catch (error) {
        throw new Error(
          `tsc --moduleResolution ${resolution}: ${(error as { stdout: string }).stdout}`,
        );
      }
    }
  }, 300_000);

  it('boots in an ESM-only Nest 12 host and delivers a verified event', () => {
    const dir = installHost('nest12-host', []);
    const result = runHost(dir, 'host.mjs');
    expect(result.nestVersion).toMatch(/^12\./);
    expect(result.body).toMatchObject({
      id: result.eventId,
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'ada@example.com' },
    });
    expect(result.webhookId).toMatch(/^[0-9a-f-]{36}$/);
  }, 300_000);
});
