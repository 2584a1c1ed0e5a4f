import { getQueueToken } from '@nestjs/bull';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { WEBHOOKS_INBOUND_QUEUE, WEBHOOKS_QUEUE } from 'nestjs-marketing-webhooks';
import { AppModule } from '../../apps/demo/src/app.module';
import { BOUNCES_QUEUE } from '../../apps/demo/src/bounces/bounces.queue';
import { CAMPAIGNS_QUEUE } from '../../apps/demo/src/campaigns/campaigns.queue';
import type { Env } from '../../apps/demo/src/config/demo-config';
import type { InboxEntry } from '../../apps/demo/src/inbox/inbox.service';
import { SEED_SUBSCRIPTION_NAME, SeedService } from '../../apps/demo/src/seed/seed.service';
import { freePort } from './processes';
import { REDIS_URL } from './services';

/** Shapes of the demo's answers that the tests read. */
export interface ContactBody {
  id: number;
  email: string;
  token: string;
  status: string;
}

export interface RecipientBody {
  email: string;
  links: {
    open: string;
    clicks: Array<{ url: string; tracked: string }>;
    forward: string;
    share: string;
  };
}

/**
 * The demo booted as `npm start` does, on in-memory SQLite and a unique Bull prefix, listening on a free
 * loopback port (the seeded subscription delivers to the app's own inbox, so the port must be known
 * before boot). Every request, the deliveries to the inbox included, is watched for 5xx answers.
 */
export class DemoHarness {
  private constructor(
    readonly app: INestApplication,
    readonly port: number,
    readonly listId: number,
    readonly serverErrors: string[],
  ) {}

  static async start(overrides: Env = {}): Promise<DemoHarness> {
    const port = await freePort();
    const app = await NestFactory.create(
      AppModule.register({
        PORT: String(port),
        // The environment may point DATABASE_URL at PostgreSQL (CI does): the demo tests pin SQLite.
        DATABASE_URL: '',
        DEMO_SQLITE_PATH: ':memory:',
        DEMO_BULL_PREFIX: `demo_test_${randomBytes(5).toString('hex')}`,
        REDIS_URL,
        ...overrides,
      }),
      { rawBody: true, logger: ['error', 'warn'] },
    );
    const serverErrors: string[] = [];
    app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      res.on('finish', () => {
        if (res.statusCode >= 500)
          serverErrors.push(`${req.method} ${req.url} → ${res.statusCode}`);
      });
      next();
    });
    await app.listen(port, '127.0.0.1');
    return new DemoHarness(app, port, app.get(SeedService).listId, serverErrors);
  }

  http() {
    return request(this.app.getHttpServer() as Parameters<typeof request>[0]);
  }

  async inbox(): Promise<InboxEntry[]> {
    return (await this.http().get('/inbox').expect(200)).body as InboxEntry[];
  }

  /**
   * Waits for a verified delivery of `type` from `source` to the "Demo inbox" subscription (the
   * envelope as JSON at `/inbox`), about the given contact when one is named.
   */
  async delivered(type: string, source: string, email?: string): Promise<InboxEntry> {
    const match = await this.entry(
      `${type} from ${source}${email ? ` about ${email}` : ''}`,
      (entry) =>
        entry.subscription === SEED_SUBSCRIPTION_NAME &&
        entry.type === type &&
        entry.source === source &&
        (email === undefined ||
          (entry.data as { contact?: { email?: string } }).contact?.email === email),
    );
    expect(match).toMatchObject({ verified: true, listId: String(this.listId), path: '/inbox' });
    expect(match.webhookId).toEqual(expect.any(String));
    return match;
  }

  /** Waits (polling, up to 10 s) for an inbox entry that matches, the newest one if several do. */
  async entry(what: string, matches: (entry: InboxEntry) => boolean): Promise<InboxEntry> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const match = (await this.inbox()).find(matches);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`no ${what} in the inbox`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    for (const name of [CAMPAIGNS_QUEUE, BOUNCES_QUEUE, WEBHOOKS_QUEUE, WEBHOOKS_INBOUND_QUEUE]) {
      await this.app
        .get<Queue>(getQueueToken(name))
        .obliterate({ force: true })
        .catch(() => undefined);
    }
    await this.app.close();
  }
}
