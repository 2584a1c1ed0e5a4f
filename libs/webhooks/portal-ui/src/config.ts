export interface PortalConfig {
  apiBase: string;
}

export const CONFIG_ELEMENT_ID = 'webhooks-portal-config';

/** The server writes the config as JSON into the page, since the CSP forbids inline scripts. */
export function readConfig(doc: Document = document): PortalConfig {
  const text = doc.getElementById(CONFIG_ELEMENT_ID)?.textContent ?? '';
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const apiBase =
    parsed !== null && typeof parsed === 'object' && 'apiBase' in parsed ? parsed.apiBase : null;
  if (typeof apiBase !== 'string') throw new Error(`#${CONFIG_ELEMENT_ID} has no apiBase`);
  return { apiBase: apiBase.replace(/\/+$/, '') };
}
