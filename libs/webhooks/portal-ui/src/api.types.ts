/** The shapes the portal's API answers with (libs/webhooks/src/subscriptions/subscription.views.ts). */

export const LOCALES = ['en', 'it', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

export type Theme = 'light' | 'dark';

export interface PortalList {
  id: string;
  name: string;
}

export interface PortalSession {
  lists: PortalList[];
  readOnly: boolean;
  locale: Locale | null;
  theme: Theme | null;
  expiresAt: string;
}

export interface EventTypeDefinition {
  type: string;
  description: string;
}

export interface EventCatalogue {
  eventTypes: EventTypeDefinition[];
  sources: string[];
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type SubscriptionStatus = 'active' | 'paused' | 'disabled' | 'pending_verification';

export const PAYLOAD_FORMATS = ['json', 'form', 'xml'] as const;
/** The list id of the all-lists scope: its endpoints receive the events of every list. */
export const ALL_LISTS = '*';
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export interface Subscription {
  id: string;
  listId: string;
  url: string;
  name: string | null;
  description: string | null;
  events: string[];
  sources: string[];
  payloadFormat: PayloadFormat;
  headers: Record<string, string> | null;
  status: SubscriptionStatus;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  lastSuccessAt: string | null;
  lastTestSucceededAt: string | null;
  lastProbedAt: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answer to a create. */
  secret?: string;
}

export interface SubscriptionInput {
  url: string;
  name?: string;
  description?: string;
  events: string[];
  sources?: string[];
  payloadFormat?: PayloadFormat;
  headers?: Record<string, string>;
}

/** `null` clears an optional field. */
export interface SubscriptionChanges {
  url?: string;
  name?: string | null;
  description?: string | null;
  events?: string[];
  sources?: string[];
  payloadFormat?: PayloadFormat;
  headers?: Record<string, string> | null;
  status?: 'active' | 'paused';
}

export const DELIVERY_STATUSES = [
  'pending',
  'held',
  'succeeded',
  'failed',
  'exhausted',
  'cancelled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Attempt {
  id: string;
  attemptNumber: number;
  trigger: string;
  statusCode: number | null;
  durationMs: number;
  errorKind: string | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  createdAt: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  createdAt: string;
  updatedAt: string;
  attempts: Attempt[];
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
}

export interface TestResult {
  delivered: boolean;
  statusCode: number | null;
  durationMs: number;
  error?: string;
}

export interface RotatedSecret {
  secret: string;
  previousSecretExpiresAt: string;
}

export interface Redelivery {
  deliveryId: string;
  attempt: number;
  merged: boolean;
}
