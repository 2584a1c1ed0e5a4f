/** TypeORM migrations for hosts that manage their schema with migrations (PostgreSQL and SQLite). */
export const WEBHOOK_MIGRATIONS = [] as const;
