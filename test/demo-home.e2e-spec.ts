import { createHmac } from 'node:crypto';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import {
  BUILT_IN_EVENT_TYPES,
  DEFAULT_TENANT_ID,
  WEBHOOK_EVENT_SOURCES,
  WEBHOOK_TEST_EVENT,
  WebhooksPortal,
} from 'nestjs-marketing-webhooks';
import { loadDemoConfig } from '../apps/demo/src/config/demo-config';
import type { InboxEntry } from '../apps/demo/src/inbox/inbox.service';
import { DemoHarness } from './support/demo-harness';
import { Wakeups } from './support/eventually';

// Quotes and markup in the key show that the page escapes what it writes into its attributes.
const API_KEY = 'home-test-key"><b>';
const PORTAL_KEY = 'home-test-portal-key-0123456789abcdef';
const EVENT_TYPES = BUILT_IN_EVENT_TYPES.map(({ type }) => type).filter(
  (type) => type !== WEBHOOK_TEST_EVENT,
);

interface StreamedEntry {
  id: string | undefined;
  entry: InboxEntry;
}

/** A client of `/inbox/stream` that keeps every event it gets and wakes who waits for one. */
class InboxStream {
  readonly events: StreamedEntry[] = [];
  private readonly wakeups = new Wakeups();
  private buffer = '';
  ended = false;

  private constructor(
    private readonly request: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.read(chunk));
    response.on('end', () => {
      this.ended = true;
      this.wakeups.wake();
    });
  }

  static open(port: number, headers: Record<string, string> = {}): Promise<InboxStream> {
    return new Promise((resolve, reject) => {
      const request = get({ host: '127.0.0.1', port, path: '/inbox/stream', headers }, (response) =>
        resolve(new InboxStream(request, response)),
      );
      request.on('error', reject);
    });
  }

  /** The first event (in the order received) that matches, as soon as it arrives. */
  async next(what: string, matches: (event: StreamedEntry) => boolean): Promise<StreamedEntry> {
    const found = () => this.events.find(matches);
    if (!(await this.wakeups.until(() => found() !== undefined || this.ended, 10_000, 1_000))) {
      throw new Error(`no ${what} on /inbox/stream`);
    }
    const event = found();
    if (!event) throw new Error(`/inbox/stream ended without ${what}`);
    return event;
  }

  close(): void {
    this.request.destroy();
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) {
        this.events.push({ id, entry: JSON.parse(data.join('\n')) as InboxEntry });
      }
    }
    this.wakeups.wake();
  }
}

function directives(policy: string | undefined): Map<string, string> {
  return new Map(
    (policy ?? '').split(';').map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The attributes of each element of the page that carries `data-testid="…"`. */
function testHooks(html: string, testId: string): Array<Record<string, string>> {
  const tags = html.match(new RegExp(`<[a-z]+\\b[^>]*\\bdata-testid="${testId}"[^>]*>`, 'g'));
  return (tags ?? []).map((tag) =>
    Object.fromEntries(
      [...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map(([, name, value]) => [
        name,
        unescapeAttribute(value),
      ]),
    ),
  );
}

describe('demo home page (SQLite in memory, real Redis)', () => {
  let demo: DemoHarness;
  const streams: InboxStream[] = [];
  const openStream = async (headers?: Record<string, string>) => {
    const stream = await InboxStream.open(demo.port, headers);
    streams.push(stream);
    return stream;
  };
  const subscribe = (email: string) =>
    demo.http().post(`/public/lists/${demo.listId}/subscribe`).send({ email }).expect(201);

  beforeAll(async () => {
    demo = await DemoHarness.start({ DEMO_API_KEY: API_KEY, DEMO_PORTAL_KEY: PORTAL_KEY });
  });

  afterAll(async () => {
    // One stream is still open: closing the app must end it rather than wait for its client.
    await demo.close();
    for (const stream of streams) stream.close();
  });

  describe('GET /', () => {
    it('answers HTML under a strict Content-Security-Policy, with nothing inline', async () => {
      const page = await demo
        .http()
        .get('/')
        .expect(200)
        .expect('Content-Type', /^text\/html/);
      const policy = directives(page.headers['content-security-policy']);
      expect(Object.fromEntries(policy)).toMatchObject({
        'default-src': "'none'",
        'script-src': "'self'",
        'style-src': "'self'",
        'connect-src': "'self'",
        'frame-src': "'self'",
        'frame-ancestors': "'none'",
        'base-uri': "'none'",
      });
      expect(page.headers['content-security-policy']).not.toContain('unsafe');
      expect(page.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      });
      expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      for (const script of page.text.match(/<script\b[^>]*>/g) ?? []) {
        expect(script).toMatch(/\ssrc="\/assets\/home\.js"/);
      }
    });

    it('has the hooks of the browser tests and a button per event type and real source', async () => {
      const page = (await demo.http().get('/').expect(200)).text;
      for (const hook of ['home-lists', 'home-contacts', 'home-integrations', 'inbox']) {
        expect(testHooks(page, hook)).toHaveLength(1);
      }
      const triggers = testHooks(page, 'trigger');
      expect(new Set(triggers.map((trigger) => trigger['data-event']))).toEqual(
        new Set(EVENT_TYPES),
      );
      expect(new Set(triggers.map((trigger) => trigger['data-source']))).toEqual(
        new Set(WEBHOOK_EVENT_SOURCES),
      );
      const pairs = triggers.map((trigger) => `${trigger['data-event']} ${trigger['data-source']}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(pairs).toEqual(
        expect.arrayContaining([
          'contact.subscribed contact',
          'contact.subscribed admin',
          'contact.subscribed api',
          'campaign.sent system',
          'campaign.bounced system',
          'campaign.clicked contact',
        ]),
      );
    });

    it('gives the script the seeded list and the api key, escaped', async () => {
      const page = (await demo.http().get('/').expect(200)).text;
      expect(page).toContain(`data-list-id="${demo.listId}"`);
      expect(page).toContain('data-api-key="home-test-key&quot;&gt;&lt;b&gt;"');
      expect(page).not.toContain(API_KEY);
    });

    it('serves its script and stylesheet; the script never writes markup', async () => {
      const script = await demo
        .http()
        .get('/assets/home.js')
        .expect(200)
        .expect('Content-Type', /^text\/javascript/)
        .expect('X-Content-Type-Options', 'nosniff');
      expect(script.text).toContain('// @ts-check');
      expect(script.text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      await demo
        .http()
        .get('/assets/home.css')
        .expect(200)
        .expect('Content-Type', /^text\/css/);
    });
  });

  describe('Settings → Webhooks: the customer portal', () => {
    it('embeds the portal with a session of the demo account that covers every list', async () => {
      const customers = (await demo.http().post('/lists').send({ name: 'Customers' }).expect(201))
        .body as { id: number };

      const page = await demo
        .http()
        .get('/settings/webhooks')
        .expect(200)
        .expect('Content-Type', /^text\/html/)
        .expect('Cache-Control', 'no-store');
      expect(directives(page.headers['content-security-policy']).get('frame-src')).toBe("'self'");
      expect(testHooks(page.text, 'settings-webhooks')).toHaveLength(1);
      const [frame] = testHooks(page.text, 'portal-frame');
      expect(frame.title).toEqual(expect.any(String));
      const [, token] = /^\/webhooks\/portal#session=([\w.-]+)$/.exec(frame.src) ?? [];
      expect(token).toBeDefined();

      const bearer = { authorization: `Bearer ${token}` };
      const session = await demo.http().get('/webhooks/portal/session').set(bearer).expect(200);
      expect(session.body).toMatchObject({
        lists: [
          { id: String(demo.listId), name: 'Newsletter' },
          { id: String(customers.id), name: 'Customers' },
          { id: '*', name: 'All lists' },
        ],
        readOnly: false,
      });
      // The token stands in for the demo's guard on the library's admin routes.
      const hooks = await demo.http().get(`/lists/${demo.listId}/webhooks`).set(bearer).expect(200);
      expect((hooks.body as { data: Array<{ name: string }> }).data).toContainEqual(
        expect.objectContaining({ name: 'Demo inbox' }),
      );
    });

    it('serves the framed page to the demo itself only', async () => {
      const portal = await demo.http().get('/webhooks/portal').expect(200);
      expect(directives(portal.headers['content-security-policy']).get('frame-ancestors')).toBe(
        "'self'",
      );
    });

    it('signs the sessions with DEMO_PORTAL_KEY, of at least 32 characters', () => {
      const { token } = demo.app.get(WebhooksPortal).createSession({ tenantId: DEFAULT_TENANT_ID });
      const [header, payload, signature] = token.split('.');
      expect(
        createHmac('sha256', PORTAL_KEY).update(`${header}.${payload}`).digest('base64url'),
      ).toBe(signature);
      expect(() => loadDemoConfig({ DEMO_PORTAL_KEY: 'too-short' })).toThrow(
        'DEMO_PORTAL_KEY must be at least 32 characters',
      );
      expect(loadDemoConfig({}).portalKey).toBeNull();
    });
  });

  describe('GET /inbox/stream', () => {
    it('sends each verified delivery as it arrives', async () => {
      const stream = await openStream();
      expect(stream.response.statusCode).toBe(200);
      expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);

      await subscribe('sse@example.com');
      const { id, entry } = await stream.next(
        'contact.subscribed of sse@example.com',
        ({ entry }) =>
          entry.type === 'contact.subscribed' &&
          (entry.data as { contact?: { email?: string } }).contact?.email === 'sse@example.com',
      );
      expect(entry).toMatchObject({
        verified: true,
        source: 'contact',
        listId: String(demo.listId),
      });
      expect(id).toBe(String(entry.id));
      expect(await demo.inbox()).toContainEqual(entry);
    });

    it('starts with what was kept, oldest first, or after the Last-Event-ID it is given', async () => {
      const kept = await demo.inbox();
      const fresh = await openStream();
      const oldest = await fresh.next('the oldest entry', () => true);
      expect(oldest.entry).toEqual(kept[kept.length - 1]);

      const resumed = await openStream({ 'last-event-id': String(kept[0].id) });
      await subscribe('resumed@example.com');
      const first = await resumed.next('an entry', () => true);
      expect(first.entry.id).toBeGreaterThan(kept[0].id);
      await resumed.next('contact.subscribed of resumed@example.com', ({ entry }) =>
        JSON.stringify(entry.data).includes('resumed@example.com'),
      );
    });
  });

  it('never answered with a 5xx', () => {
    expect(demo.serverErrors).toEqual([]);
  });
});
