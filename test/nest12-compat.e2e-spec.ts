import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_URL, REDIS_URL, uniqueName, withPg } from './support/services';

const ROOT = join(__dirname, '..');
const HOST_SOURCE = join(__dirname, 'nest12-host');
const HOST_DIR = join(ROOT, 'node_modules', '.cache', 'nest12-host');

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

describe('inside a Nest 12 host (ESM-only @nestjs/*)', () => {
  const schema = uniqueName('nest12');

  beforeAll(async () => {
    await withPg((client) => client.query(`CREATE SCHEMA "${schema}"`));
  });
  afterAll(async () => {
    await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it('installs the packed library next to Nest 12 and delivers a verified event', () => {
    run('npm', ['run', 'build'], ROOT);
    mkdirSync(HOST_DIR, { recursive: true });
    readdirSync(HOST_DIR)
      .filter((name) => name.endsWith('.tgz'))
      .forEach((name) => rmSync(join(HOST_DIR, name)));
    const tarball = run('npm', ['pack', '--silent', '--pack-destination', HOST_DIR], ROOT)
      .trim()
      .split('\n')
      .pop()!;
    copyFileSync(join(HOST_DIR, tarball), join(HOST_DIR, 'nestjs-marketing-webhooks.tgz'));
    copyFileSync(join(HOST_SOURCE, 'package.json'), join(HOST_DIR, 'package.json'));
    copyFileSync(join(HOST_SOURCE, 'host.mjs'), join(HOST_DIR, 'host.mjs'));
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'],
      HOST_DIR,
    );

    const output = run('node', ['host.mjs'], HOST_DIR, {
      ...process.env,
      DATABASE_URL,
      REDIS_URL,
      PG_SCHEMA: schema,
      BULL_PREFIX: uniqueName('nest12'),
    });
    const result = JSON.parse(output.trim().split('\n').pop()!) as {
      nestVersion: string;
      eventId: string;
      webhookId: string;
      body: { id: string; type: string; source: string; data: unknown };
    };
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
