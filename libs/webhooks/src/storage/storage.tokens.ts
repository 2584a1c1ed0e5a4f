/** Injection token of the `SqlDialect` of the module's data source. */
export const SQL_DIALECT = Symbol('WEBHOOKS_SQL_DIALECT');
