import { render } from 'preact';
import { App } from './app.view';
import { readConfig } from './config';
import { chooseLocale, createI18n } from './i18n/i18n';
import { takeSessionToken } from './session';

const MOUNT_ID = 'webhooks-portal';

function start(): void {
  const mount = document.getElementById(MOUNT_ID);
  if (!mount) return;
  // Taken first, whatever else fails, so the token never stays in the address bar.
  const token = takeSessionToken();
  let apiBase: string;
  try {
    apiBase = readConfig().apiBase;
  } catch {
    const p = document.createElement('p');
    p.className = 'callout callout--danger';
    p.setAttribute('role', 'alert');
    p.textContent = createI18n(chooseLocale(null)).t('app.configError');
    mount.replaceChildren(p);
    return;
  }
  render(<App apiBase={apiBase} token={token} />, mount);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
