import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Locator,
  Page,
} from 'playwright-core';

/** Every browser test sees the same screen and clock zone: screenshots and dates stay comparable. */
export const CONTEXT_DEFAULTS: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  locale: 'en-US',
  timezoneId: 'UTC',
  colorScheme: 'light',
  reducedMotion: 'reduce',
};

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions of the page and its console errors (CSP violations among them). */
  problems: string[];
}

/** Browser contexts opened by a test, closed after it (a failed test leaves none behind). */
export class BrowserPages {
  private readonly contexts: BrowserContext[] = [];

  constructor(private readonly browser: () => Browser) {}

  async open(url: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
    const context = await this.browser().newContext({ ...CONTEXT_DEFAULTS, ...options });
    this.contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    return { page, context, problems };
  }

  async closeAll(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
  }
}

/** `{name}` placeholders of a dictionary entry filled in, as the page's `t()` does. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/**
 * An expression evaluated in the page, typed by the caller (the tests' TypeScript has no DOM
 * library, so page code is written as a string).
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** The portal's token as the page keeps it (sessionStorage, this tab only). */
export function storedToken(page: Page): Promise<string | null> {
  return inPage(page, `sessionStorage.getItem('webhooks-portal-session')`);
}

/** One attribute of each element the locator finds, in document order. */
export async function attributesOf(locator: Locator, name: string): Promise<Array<string | null>> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

/** The visible text of the element, spaces collapsed. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Presses the delivery log's Refresh button until `target` shows (the log does not poll by itself):
 * each round waits for the answer, then gives `target` a short while to appear.
 */
export async function refreshLogUntil(
  page: Page,
  target: Locator,
  { refreshLabel = 'Refresh', timeoutMs = 10_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const log = page.getByTestId('delivery-log');
  for (;;) {
    if (await target.isVisible()) return;
    await log.getByRole('button', { name: refreshLabel, exact: true }).click();
    try {
      await target.waitFor({ timeout: 400 });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        const rows = await log
          .getByTestId('delivery-row')
          .evaluateAll((elements) =>
            elements.map(
              (row) => `${row.getAttribute('data-delivery-id')}:${row.getAttribute('data-status')}`,
            ),
          );
        throw new Error(
          `the delivery log never showed ${String(target)}; rows: ${rows.join(', ')}`,
          {
            cause: error,
          },
        );
      }
    }
  }
}
