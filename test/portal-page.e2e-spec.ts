import request from 'supertest';
import type { App } from 'supertest/types';
import { WebhooksPortal } from 'nestjs-marketing-webhooks';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const KEY = { id: 'k1', secret: 'portal-page-key-0123456789abcdef0123456789' };

/** The page as a browser fetches it: shell, built assets and theme, each with the portal's headers (issue 19). */
describe('the portal page', () => {
  describe('with signing keys, framing allowed to one origin, a theme and a route prefix', () => {
    let hooks: WebhooksTestApp;
    let http: App;
    beforeAll(async () => {
      hooks = await createWebhooksApp({
        database: 'sqlite',
        extras: { routePrefix: 'v1' },
        options: {
          portal: {
            signingKeys: [KEY],
            frameAncestors: ['https://app.example.com'],
            theme: { primary: '#0b7285', font: '"Inter", sans-serif' },
          },
        },
      });
      http = hooks.app.getHttpServer() as App;
    });
    afterAll(() => hooks.close());

    it('serves the shell where createSession links to, pointing at the admin routes', async () => {
      const { url } = hooks.app.get(WebhooksPortal).createSession({ tenantId: 't', lists: ['1'] });
      const path = url.split('#')[0];
      expect(path).toBe('/v1/webhooks/portal');
      const response = await request(http).get(path).expect(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.text).toContain('<script src="/v1/webhooks/portal/assets/portal.js" defer>');
      expect(response.text).toContain('href="/v1/webhooks/portal/theme.css"');
      const config = /id="webhooks-portal-config">(.*?)<\/script>/.exec(response.text)?.[1];
      expect(JSON.parse(config ?? 'null')).toEqual({ apiBase: '/v1' });
    });

    it.each(['', '/theme.css', '/assets/portal.js', '/assets/portal.css'])(
      'answers %s with the CSP, framing only by the allowed origin',
      async (suffix) => {
        const response = await request(http).get(`/v1/webhooks/portal${suffix}`).expect(200);
        const csp = String(response.headers['content-security-policy']);
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain('frame-ancestors https://app.example.com');
        expect(response.headers['x-frame-options']).toBeUndefined();
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['set-cookie']).toBeUndefined();
      },
    );

    it('serves the built script and styles with their types, and nothing else from the folder', async () => {
      const script = await request(http).get('/v1/webhooks/portal/assets/portal.js').expect(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.text).toContain('webhooks-portal-config');
      const styles = await request(http).get('/v1/webhooks/portal/assets/portal.css').expect(200);
      expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');
      await request(http).get('/v1/webhooks/portal/assets/..%2F..%2Fpackage.json').expect(404);
      await request(http).get('/v1/webhooks/portal/assets/index.html').expect(404);
    });

    it("writes the host's theme as CSS variables", async () => {
      const response = await request(http).get('/v1/webhooks/portal/theme.css').expect(200);
      expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(response.text).toBe(
        ':root {\n  --webhooks-portal-primary: #0b7285;\n  --webhooks-portal-font: "Inter", sans-serif;\n}\n',
      );
    });
  });

  describe('without framing origins', () => {
    let hooks: WebhooksTestApp;
    beforeAll(async () => {
      hooks = await createWebhooksApp({
        database: 'sqlite',
        options: { portal: { signingKeys: [KEY] } },
      });
    });
    afterAll(() => hooks.close());

    it('refuses every frame', async () => {
      const response = await request(hooks.app.getHttpServer() as App)
        .get('/webhooks/portal')
        .expect(200);
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBe('DENY');
    });
  });

  describe('without signing keys', () => {
    let hooks: WebhooksTestApp;
    beforeAll(async () => {
      hooks = await createWebhooksApp({ database: 'sqlite' });
    });
    afterAll(() => hooks.close());

    it.each(['', '/theme.css', '/assets/portal.js', '/session'])(
      'has no portal: %s answers 404 or 401, and createSession says what is missing',
      async (suffix) => {
        const response = await request(hooks.app.getHttpServer() as App).get(
          `/webhooks/portal${suffix}`,
        );
        expect(response.status).toBe(suffix === '/session' ? 401 : 404);
        expect(() =>
          hooks.app.get(WebhooksPortal).createSession({ tenantId: 't', lists: ['1'] }),
        ).toThrow(/portal\.signingKeys/);
      },
    );
  });
});
