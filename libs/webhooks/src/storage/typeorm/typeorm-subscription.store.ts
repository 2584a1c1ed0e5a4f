import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  In,
  IsNull,
  LessThan,
  LessThanOrEqual,
  Not,
  type DataSource,
  type FindOptionsWhere,
} from 'typeorm';
import { contentFilterJsonPath } from '../../filters/content-filter.jsonpath';
import { WebhookAttempt } from '../entities/attempt.entity';
import { ATTEMPT_SUBSCRIPTION_COLUMNS, type AttemptSubscription } from '../delivery.store';
import { WebhookDelivery } from '../entities/delivery.entity';
import { WebhookSubscription, type SubscriptionStatus } from '../entities/subscription.entity';
import { entitySql } from '../sql/entity-sql';
import type { ColumnReader } from '../sql/entity-sql';
import type { IdMembership, SqlDialect } from '../sql-dialect';
import { LOWEST_UUID } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { SubscriptionChanges } from '../subscription-changes';
import { SubscriptionSecrets } from '../subscription-secrets';
import {
  ACTIVATED,
  EndpointHealthStore,
  SubscriptionStore,
  type Activation,
  type NewSubscription,
  type ReencryptedBatch,
  type SecretRotation,
  type SubscriptionScope,
} from '../subscription.store';
import { WebhooksTransactions } from '../webhooks-transactions';

/** Rotations retried when only the re-encryption job changed the stored secret meanwhile. */
const ROTATION_TRIES = 3;

interface StoredSecrets {
  id: string;
  secret: string;
  previousSecret: string | null;
  /** The JSON column's text, compared as text: PostgreSQL's `json` has no equality. */
  headers: string | null;
}

/**
 * Subscriptions through TypeORM's repository API: the same statements on every database. Secrets
 * and header values are encrypted as they are written and decrypted as they are read (see
 * `SubscriptionSecrets`).
 */
@Injectable()
export class TypeOrmSubscriptionStore extends SubscriptionStore {
  private readonly logger = new Logger('WebhooksStorage');
  private readonly headersText: string;
  private readonly updatedAt: string;
  /** What attempts read of subscriptions, hand-written like the deliveries' load. */
  private readonly forAttempts: ColumnReader<AttemptSubscription> & { from: string };
  private readonly attemptIds: IdMembership;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    private readonly secrets: SubscriptionSecrets,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    private readonly changes: SubscriptionChanges,
  ) {
    super();
    const table = entitySql(dataSource, WebhookSubscription);
    this.headersText = dialect.jsonAsText(table.column('headers'));
    this.updatedAt = table.column('updatedAt');
    this.forAttempts = {
      ...table.reader('s', ATTEMPT_SUBSCRIPTION_COLUMNS),
      from: `${table.table} s WHERE `,
    };
    this.attemptIds = dialect.idMembership(`s.${table.column('id')}`, 0);
  }

  private get subscriptions() {
    return this.dataSource.getRepository(WebhookSubscription);
  }

  insertWithin(subscription: NewSubscription, limit: number): Promise<WebhookSubscription | null> {
    const { tenantId, listId } = subscription;
    // Counting then inserting is atomic only while no other create of the scope runs meanwhile.
    const scopeLock = JSON.stringify(['subscription-scope', tenantId, listId]);
    return this.transactions.runExclusive(scopeLock, async (manager) => {
      const subscriptions = manager.getRepository(WebhookSubscription);
      if ((await subscriptions.countBy({ tenantId, listId })) >= limit) return null;
      const saved = await subscriptions.save(
        subscriptions.create({
          ...this.secrets.seal(subscription.id, subscription),
          filterJsonPath: contentFilterJsonPath(subscription.filter),
        }),
      );
      const { secret, previousSecret, headers } = subscription;
      return Object.assign(saved, { secret, previousSecret, headers });
    });
  }

  async findInScope(scope: SubscriptionScope, id: string): Promise<WebhookSubscription | null> {
    const found = await this.subscriptions.findOneBy({
      tenantId: scope.tenantId,
      listId: scope.listId,
      id,
    });
    return found && this.secrets.open(found);
  }

  async findById(id: string): Promise<WebhookSubscription | null> {
    const found = await this.subscriptions.findOneBy({ id });
    return found && this.secrets.open(found);
  }

  async listPage(
    scope: SubscriptionScope,
    beforeId: string | undefined,
    limit: number,
  ): Promise<WebhookSubscription[]> {
    const where: FindOptionsWhere<WebhookSubscription> = {
      tenantId: scope.tenantId,
      listId: scope.listId,
    };
    if (beforeId) where.id = LessThan(beforeId);
    const page = await this.subscriptions.find({ where, order: { id: 'DESC' }, take: limit });
    return page.map((subscription) => this.secrets.open(subscription));
  }

  async findForAttempts(ids: readonly string[]): Promise<AttemptSubscription[]> {
    if (ids.length === 0) return [];
    const { select, from, read } = this.forAttempts;
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT ${select} FROM ${from}${this.attemptIds.condition(ids.length)}`,
      this.attemptIds.parameters(ids),
    );
    return rows.flatMap((row) => {
      try {
        return [this.secrets.open(read(row))];
      } catch (error) {
        this.logger.warn(
          `Subscription ${String(row.s_id)} cannot be read (${error instanceof Error ? error.message : String(error)})`,
        );
        return [];
      }
    });
  }

  async statusOf(id: string): Promise<SubscriptionStatus | null> {
    const found = await this.subscriptions.findOne({
      where: { id },
      select: { id: true, status: true },
    });
    return found?.status ?? null;
  }

  async updateIfStatus(
    id: string,
    seen: SubscriptionStatus,
    changes: Partial<WebhookSubscription>,
  ): Promise<boolean> {
    const sealed = this.secrets.seal(id, changes);
    if (changes.filter !== undefined) sealed.filterJsonPath = contentFilterJsonPath(changes.filter);
    return this.changing(this.subscriptions.update({ id, status: seen }, sealed));
  }

  async disable(id: string, reason: string, at: Date): Promise<boolean> {
    return this.changing(
      this.subscriptions.update(
        { id, status: Not('disabled') },
        { status: 'disabled', disabledReason: reason.slice(0, 500), disabledAt: at },
      ),
    );
  }

  async activate(id: string, { from, url, challenge }: Activation): Promise<boolean> {
    const where: FindOptionsWhere<WebhookSubscription> = { id, status: from, url };
    if (from === 'pending_verification') {
      if (!challenge) return false;
      where.verificationChallenge = challenge;
    }
    return this.changing(this.subscriptions.update(where, { ...ACTIVATED }));
  }

  /** Whether `update` changed a row; counted as a change either way once it ends. */
  private async changing(update: Promise<{ affected?: number }>): Promise<boolean> {
    try {
      return ((await update).affected ?? 0) > 0;
    } finally {
      this.changes.record();
    }
  }

  async rotateSecret(id: string, rotation: SecretRotation): Promise<boolean> {
    const { current, secret, currentExpiresAt, latestPreviousExpiry } = rotation;
    const changes = this.secrets.seal(id, {
      secret,
      previousSecret: current,
      previousSecretExpiresAt: currentExpiresAt,
    });
    // One winner: the secret is still the one the caller read, and the last rotation is old enough.
    const rotateFrom = (stored: string) =>
      this.changing(
        this.subscriptions.update(
          [
            { id, secret: stored, previousSecretExpiresAt: IsNull() },
            { id, secret: stored, previousSecretExpiresAt: LessThanOrEqual(latestPreviousExpiry) },
          ],
          changes,
        ),
      );
    if (!this.secrets.encrypting) return rotateFrom(current);
    // Envelopes differ at every encryption: the condition is on what is stored, once it is known
    // to hold `current`.
    for (let tries = 0; tries < ROTATION_TRIES; tries++) {
      const stored = await this.subscriptions.findOne({
        where: { id },
        select: { id: true, secret: true },
      });
      if (!stored || this.secrets.open({ id, secret: stored.secret }).secret !== current) {
        return false;
      }
      if (await rotateFrom(stored.secret)) return true;
    }
    return false;
  }

  async markTestSucceeded(id: string, at: Date): Promise<void> {
    await this.subscriptions.update({ id }, { lastTestSucceededAt: at });
  }

  async markProbed(id: string, at: Date): Promise<void> {
    await this.subscriptions.update({ id }, { lastProbedAt: at });
  }

  async findDueForProbe(cutoff: Date, limit: number): Promise<WebhookSubscription[]> {
    const due = await this.subscriptions
      .createQueryBuilder('subscription')
      .where('subscription.status = :disabled', { disabled: 'disabled' })
      .andWhere('subscription.disabledAt <= :cutoff', { cutoff })
      .andWhere('(subscription.lastProbedAt IS NULL OR subscription.lastProbedAt <= :cutoff)', {
        cutoff,
      })
      .orderBy('subscription.disabledAt', 'ASC')
      .limit(limit)
      .getMany();
    return due.map((subscription) => this.secrets.open(subscription));
  }

  countWithStatus(status: SubscriptionStatus): Promise<number> {
    return this.subscriptions.countBy({ status });
  }

  async removeWithHistory(scope: SubscriptionScope, id: string): Promise<void> {
    try {
      await this.removeRows(scope, id);
    } finally {
      this.changes.record();
    }
  }

  private async removeRows(scope: SubscriptionScope, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const deliveries = manager
        .createQueryBuilder(WebhookDelivery, 'delivery')
        .select('delivery.id')
        .where('delivery.subscriptionId = :id');
      await manager
        .createQueryBuilder()
        .delete()
        .from(WebhookAttempt)
        .where(`deliveryId IN (${deliveries.getQuery()})`, { id })
        .execute();
      await manager.delete(WebhookDelivery, { subscriptionId: id });
      await manager.delete(WebhookSubscription, {
        id,
        tenantId: scope.tenantId,
        listId: scope.listId,
      });
    });
  }

  async reencryptSecrets(afterId: string | null, limit: number): Promise<ReencryptedBatch> {
    if (!this.secrets.encrypting) return { lastId: null, reencrypted: 0 };
    const rows = await this.subscriptions
      .createQueryBuilder('subscription')
      .select('subscription.id', 'id')
      .addSelect('subscription.secret', 'secret')
      .addSelect('subscription.previousSecret', 'previousSecret')
      .addSelect(this.headersText, 'headers')
      .where('subscription.id > :afterId', { afterId: afterId ?? LOWEST_UUID })
      .orderBy('subscription.id', 'ASC')
      .limit(limit)
      .getRawMany<StoredSecrets>();
    let reencrypted = 0;
    for (const row of rows) {
      if (await this.reencryptRow(row)) reencrypted++;
    }
    return { lastId: rows.length < limit ? null : rows[rows.length - 1].id, reencrypted };
  }

  private async reencryptRow(row: StoredSecrets): Promise<boolean> {
    const stored = {
      id: row.id,
      secret: row.secret,
      previousSecret: row.previousSecret,
      headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    };
    if (!this.secrets.needsResealing(stored)) return false;
    const plain = this.secrets.open({ ...stored });
    const sealed = this.secrets.seal(row.id, {
      secret: plain.secret,
      previousSecret: plain.previousSecret,
      headers: plain.headers,
    });
    const result = await this.subscriptions
      .createQueryBuilder()
      .update()
      // Re-encryption is no change of the subscription: `updatedAt` stays as it was.
      .set({ ...sealed, updatedAt: () => this.updatedAt })
      .where({
        id: row.id,
        secret: row.secret,
        previousSecret: row.previousSecret ?? IsNull(),
      })
      .andWhere(
        row.headers === null ? `${this.headersText} IS NULL` : `${this.headersText} = :headers`,
        { headers: row.headers },
      )
      .execute();
    return (result.affected ?? 0) > 0;
  }
}

/** Endpoint health: a few statements per batch, whatever the number of endpoints. */
@Injectable()
export class TypeOrmEndpointHealthStore extends EndpointHealthStore {
  private readonly failures: string;
  private readonly failingSince: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
    const table = entitySql(dataSource, WebhookSubscription);
    this.failures = table.column('consecutiveFailures');
    this.failingSince = table.column('failingSince');
  }

  private get subscriptions() {
    return this.dataSource.getRepository(WebhookSubscription);
  }

  async recordSuccesses(subscriptionIds: readonly string[], at: Date): Promise<void> {
    if (subscriptionIds.length === 0) return;
    await this.subscriptions.update(
      { id: In([...subscriptionIds]) },
      { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at },
    );
  }

  async addFailures(
    subscriptionIds: readonly string[],
    failures: number,
    since: Date,
  ): Promise<void> {
    if (subscriptionIds.length === 0) return;
    await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({
        consecutiveFailures: () => `${this.failures} + :failures`,
        failingSince: () => `COALESCE(${this.failingSince}, :since)`,
      })
      .setParameters({ failures, since })
      .where({ id: In([...subscriptionIds]) })
      .execute();
  }

  async findSustainedFailures(
    subscriptionIds: readonly string[],
    minFailures: number,
    cutoff: Date,
  ): Promise<string[]> {
    if (subscriptionIds.length === 0) return [];
    const rows = await this.subscriptions
      .createQueryBuilder('subscription')
      .select('subscription.id', 'id')
      .where('subscription.id IN (:...ids)', { ids: subscriptionIds })
      .andWhere('subscription.status = :active', { active: 'active' })
      .andWhere('subscription.consecutiveFailures >= :min', { min: minFailures })
      .andWhere('subscription.failingSince <= :cutoff', { cutoff })
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }
}
