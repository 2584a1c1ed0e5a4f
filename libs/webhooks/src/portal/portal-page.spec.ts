import { apiBaseOf, portalSecurityHeaders, portalShell, portalThemeCss } from './portal-page';

describe('the portal page', () => {
  it('refuses every framing origin and inline code unless origins are allowed', () => {
    const denied = portalSecurityHeaders([]);
    expect(denied['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(denied['Content-Security-Policy']).toContain("script-src 'self';");
    expect(denied['X-Frame-Options']).toBe('DENY');
    const allowed = portalSecurityHeaders(['https://app.example.com', "'self'"]);
    expect(allowed['Content-Security-Policy']).toContain(
      "frame-ancestors https://app.example.com 'self'",
    );
    expect(allowed).not.toHaveProperty('X-Frame-Options');
  });

  it('writes a config that cannot close its script element', () => {
    const shell = portalShell('/x/webhooks/portal', '/x</script><script>alert(1)</script>');
    expect(shell).not.toContain('</script><script>alert(1)');
    const config = /id="webhooks-portal-config">(.*?)<\/script>/.exec(shell)?.[1] ?? '';
    expect(JSON.parse(config)).toEqual({ apiBase: '/x</script><script>alert(1)</script>' });
  });

  it('finds the admin routes beside the page', () => {
    expect(apiBaseOf('/api/v1/webhooks/portal', 'webhooks/portal')).toBe('/api/v1');
    expect(apiBaseOf('/webhooks/portal', 'webhooks/portal')).toBe('');
  });

  it('writes only the theme values given', () => {
    expect(portalThemeCss({})).toBe('');
    expect(portalThemeCss({ primary: '#0a7', radius: '4px' })).toBe(
      ':root {\n  --webhooks-portal-primary: #0a7;\n  --webhooks-portal-radius: 4px;\n}\n',
    );
  });
});
