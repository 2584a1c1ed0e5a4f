import { CreateWebhookTables1795458695415 } from './1795458695415-create-webhook-tables';

/** TypeORM migrations for hosts that manage their schema with migrations (PostgreSQL, MySQL/MariaDB, SQLite). */
export const WEBHOOK_MIGRATIONS = [CreateWebhookTables1795458695415] as const;
