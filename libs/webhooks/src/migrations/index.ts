import { CreateWebhookTables1795458695415 } from './1795458695415-create-webhook-tables';
import { WidenSubscriptionSecrets1796000000000 } from './1796000000000-widen-subscription-secrets';
import { AddWebhookEventSubject1796040000000 } from './1796040000000-add-event-subject';
import { AddWebhookSubscriptionTemplate1796100000000 } from './1796100000000-add-subscription-template';
import { CreateInboundTables1796200000000 } from './1796200000000-create-inbound-tables';
import { AddWebhookSubscriptionFilter1796300000000 } from './1796300000000-add-subscription-filter';
import { AddWebhookSubscriptionRateLimit1796400000000 } from './1796400000000-add-subscription-rate-limit';
import { AddWebhookEventTraceParent1796500000000 } from './1796500000000-add-event-trace-parent';
import { AddWebhookDeliveryOrderingKey1796600000000 } from './1796600000000-add-delivery-ordering-key';
import { NarrowWebhookDeliveryDueIndex1796700000000 } from './1796700000000-narrow-delivery-due-index';

/** TypeORM migrations for hosts that manage their schema with migrations (PostgreSQL, MySQL/MariaDB, SQLite). */
export const WEBHOOK_MIGRATIONS = [
  CreateWebhookTables1795458695415,
  WidenSubscriptionSecrets1796000000000,
  AddWebhookEventSubject1796040000000,
  AddWebhookSubscriptionTemplate1796100000000,
  CreateInboundTables1796200000000,
  AddWebhookSubscriptionFilter1796300000000,
  AddWebhookSubscriptionRateLimit1796400000000,
  AddWebhookEventTraceParent1796500000000,
  AddWebhookDeliveryOrderingKey1796600000000,
  NarrowWebhookDeliveryDueIndex1796700000000,
] as const;
