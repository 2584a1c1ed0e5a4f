import type { PortalTheme } from '../webhooks.options';

/** What every portal response carries: no framing but by the allowed origins, nothing inline. */
export function portalSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const ancestors = frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'";
  const headers: Record<string, string> = {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${ancestors}`,
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (frameAncestors.length === 0) headers['X-Frame-Options'] = 'DENY';
  return headers;
}

/** The HTML shell: the built script and styles, the host's theme, and where the admin API is. */
export function portalShell(pagePath: string, apiBase: string): string {
  // JSON inside <script> must not be able to close it.
  const config = JSON.stringify({ apiBase }).replace(/</g, '\\u003c');
  const href = (path: string) => escapeAttribute(`${pagePath}/${path}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Webhooks</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href('assets/portal.css')}">
<link rel="stylesheet" href="${href('theme.css')}">
<script type="application/json" id="webhooks-portal-config">${config}</script>
<script src="${href('assets/portal.js')}" defer></script>
</head>
<body><div id="webhooks-portal"></div></body>
</html>
`;
}

const THEME_VARIABLES: Record<keyof PortalTheme, string> = {
  primary: '--webhooks-portal-primary',
  font: '--webhooks-portal-font',
  radius: '--webhooks-portal-radius',
};

/** The host's theme as CSS variables (values were checked when the options were resolved). */
export function portalThemeCss(theme: PortalTheme): string {
  const declarations = (Object.keys(THEME_VARIABLES) as Array<keyof PortalTheme>)
    .filter((name) => theme[name] !== undefined)
    .map((name) => `  ${THEME_VARIABLES[name]}: ${theme[name]};`);
  return declarations.length > 0 ? `:root {\n${declarations.join('\n')}\n}\n` : '';
}

/** The path of the admin routes, from the page's own path (`<base>/webhooks/portal`). */
export function apiBaseOf(pagePath: string, route: string): string {
  const suffix = `/${route}`;
  return pagePath.endsWith(suffix) ? pagePath.slice(0, -suffix.length) : '';
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
