export const SESSION_STORAGE_KEY = 'webhooks-portal-session';

const FRAGMENT = /(?:^#|&)session=([^&]*)/;

// Storage throws in iframes whose browser blocks third-party storage: the portal then works for
// this page view only, which is all a fragment token allows anyway.
function store(token: string): void {
  try {
    window.sessionStorage.setItem(SESSION_STORAGE_KEY, token);
  } catch {
    /* kept in memory only */
  }
}

function stored(): string | null {
  try {
    return window.sessionStorage.getItem(SESSION_STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * The session token: taken from `#session=…` (then kept in sessionStorage and removed from the
 * address bar, so it is neither in the history nor in a copied link), else the stored one.
 */
export function takeSessionToken(): string | null {
  const match = FRAGMENT.exec(window.location.hash);
  if (match) {
    const raw = match[1] ?? '';
    let token = raw;
    try {
      token = decodeURIComponent(raw);
    } catch {
      // A stray % in an unencoded token: use it as it came.
    }
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, '', pathname + search);
    if (token) {
      store(token);
      return token;
    }
  }
  return stored() || null;
}
