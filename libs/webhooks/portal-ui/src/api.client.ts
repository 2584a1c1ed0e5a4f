import type {
  Delivery,
  DeliveryFilter,
  EventCatalogue,
  Page,
  PortalSession,
  Redelivery,
  RotatedSecret,
  Subscription,
  SubscriptionChanges,
  SubscriptionInput,
  TestResult,
} from './api.types';

export const PAGE_SIZE = 20;

/** A failed request: `status` 0 when the server was not reached or did not answer JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly messages: string[],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(messages.join('\n') || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  get isSessionError(): boolean {
    return this.status === 401;
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | undefined>;

function errorFrom(status: number, body: unknown, retryAfter: string | null): ApiError {
  let code: string | null = null;
  let messages: string[] = [];
  if (body !== null && typeof body === 'object') {
    if ('code' in body && typeof body.code === 'string') code = body.code;
    if ('message' in body) {
      const { message } = body;
      if (Array.isArray(message)) {
        messages = message.filter((line): line is string => typeof line === 'string');
      } else if (typeof message === 'string') {
        messages = [message];
      }
    }
  }
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  return new ApiError(status, code, messages, seconds);
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return null;
  }
}

export class ApiClient {
  /** Called once per 401, before the request's promise rejects, so the app can drop its data. */
  onSessionError: ((error: ApiError) => void) | null = null;

  constructor(
    private readonly apiBase: string,
    private readonly token: string,
  ) {}

  private async request<T>(
    method: Method,
    path: string,
    query?: Query,
    body?: unknown,
  ): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') search.set(key, String(value));
    }
    const qs = search.toString();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.token}`,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.apiBase}${path}${qs ? `?${qs}` : ''}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', []);
    }
    if (response.status === 204) return undefined as T;
    const json = await readJson(response);
    if (!response.ok) {
      const error = errorFrom(response.status, json, response.headers.get('Retry-After'));
      if (error.isSessionError) this.onSessionError?.(error);
      throw error;
    }
    if (json === null) throw new ApiError(0, 'bad_response', []);
    return json as T;
  }

  session(): Promise<PortalSession> {
    return this.request('GET', '/webhooks/portal/session');
  }

  catalogue(): Promise<EventCatalogue> {
    return this.request('GET', '/webhooks/event-types');
  }

  private base(listId: string, id?: string): string {
    const list = `/lists/${encodeURIComponent(listId)}/webhooks`;
    return id === undefined ? list : `${list}/${encodeURIComponent(id)}`;
  }

  listSubscriptions(listId: string, cursor?: string): Promise<Page<Subscription>> {
    return this.request('GET', this.base(listId), { limit: PAGE_SIZE, cursor });
  }

  createSubscription(listId: string, input: SubscriptionInput): Promise<Subscription> {
    return this.request('POST', this.base(listId), undefined, input);
  }

  getSubscription(listId: string, id: string): Promise<Subscription> {
    return this.request('GET', this.base(listId, id));
  }

  updateSubscription(
    listId: string,
    id: string,
    changes: SubscriptionChanges,
  ): Promise<Subscription> {
    return this.request('PATCH', this.base(listId, id), undefined, changes);
  }

  deleteSubscription(listId: string, id: string): Promise<void> {
    return this.request('DELETE', this.base(listId, id));
  }

  revealSecret(listId: string, id: string): Promise<{ secret: string }> {
    return this.request('GET', `${this.base(listId, id)}/secret`);
  }

  rotateSecret(listId: string, id: string): Promise<RotatedSecret> {
    return this.request('POST', `${this.base(listId, id)}/rotate-secret`);
  }

  sendTest(listId: string, id: string): Promise<TestResult> {
    return this.request('POST', `${this.base(listId, id)}/test`);
  }

  /** Sends the ownership challenge again (an endpoint pending verification). */
  verify(listId: string, id: string): Promise<TestResult & { status: Subscription['status'] }> {
    return this.request('POST', `${this.base(listId, id)}/verify`);
  }

  listDeliveries(
    listId: string,
    id: string,
    filter: DeliveryFilter,
    cursor?: string,
  ): Promise<Page<Delivery>> {
    return this.request('GET', `${this.base(listId, id)}/deliveries`, {
      limit: PAGE_SIZE,
      cursor,
      status: filter.status,
      eventType: filter.eventType,
    });
  }

  redeliver(listId: string, id: string, deliveryId: string): Promise<Redelivery> {
    const path = `${this.base(listId, id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`;
    return this.request('POST', path);
  }

  recover(listId: string, id: string, since: string): Promise<{ requeued: number }> {
    return this.request('POST', `${this.base(listId, id)}/recover`, undefined, { since });
  }
}
