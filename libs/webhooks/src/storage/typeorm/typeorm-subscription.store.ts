import { Injectable } from '@nestjs/common';
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
import { WebhookAttempt } from '../entities/attempt.entity';
import { WebhookDelivery } from '../entities/delivery.entity';
import { WebhookSubscription, type SubscriptionStatus } from '../entities/subscription.entity';
import { entitySql } from '../sql/entity-sql';
import {
  EndpointHealthStore,
  SubscriptionStore,
  type Activation,
  type NewSubscription,
  type SecretRotation,
  type SubscriptionScope,
} from '../subscription.store';
import { WebhooksTransactions } from '../webhooks-transactions';

/** Subscriptions through TypeORM's repository API: the same statements on every database. */
@Injectable()
export class TypeOrmSubscriptionStore extends SubscriptionStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
  ) {
    super();
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
      return subscriptions.save(subscriptions.create(subscription));
    });
  }

  findInScope(scope: SubscriptionScope, id: string): Promise<WebhookSubscription | null> {
    return this.subscriptions.findOneBy({ tenantId: scope.tenantId, listId: scope.listId, id });
  }

  findById(id: string): Promise<WebhookSubscription | null> {
    return this.subscriptions.findOneBy({ id });
  }

  listPage(
    scope: SubscriptionScope,
    beforeId: string | undefined,
    limit: number,
  ): Promise<WebhookSubscription[]> {
    const where: FindOptionsWhere<WebhookSubscription> = {
      tenantId: scope.tenantId,
      listId: scope.listId,
    };
    if (beforeId) where.id = LessThan(beforeId);
    return this.subscriptions.find({ where, order: { id: 'DESC' }, take: limit });
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
    const result = await this.subscriptions.update({ id, status: seen }, changes);
    return (result.affected ?? 0) > 0;
  }

  async disable(id: string, reason: string, at: Date): Promise<boolean> {
    const result = await this.subscriptions.update(
      { id, status: Not('disabled') },
      { status: 'disabled', disabledReason: reason.slice(0, 500), disabledAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  async activate(id: string, { from, url, challenge }: Activation): Promise<boolean> {
    const where: FindOptionsWhere<WebhookSubscription> = { id, status: from, url };
    if (from === 'pending_verification') {
      if (!challenge) return false;
      where.verificationChallenge = challenge;
    }
    const result = await this.subscriptions.update(where, {
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      consecutiveFailures: 0,
      failingSince: null,
      verificationChallenge: null,
    });
    return (result.affected ?? 0) > 0;
  }

  async rotateSecret(id: string, rotation: SecretRotation): Promise<boolean> {
    const { current, secret, currentExpiresAt, latestPreviousExpiry } = rotation;
    const result = await this.subscriptions.update(
      [
        { id, secret: current, previousSecretExpiresAt: IsNull() },
        { id, secret: current, previousSecretExpiresAt: LessThanOrEqual(latestPreviousExpiry) },
      ],
      { secret, previousSecret: current, previousSecretExpiresAt: currentExpiresAt },
    );
    return (result.affected ?? 0) > 0;
  }

  async markTestSucceeded(id: string, at: Date): Promise<void> {
    await this.subscriptions.update({ id }, { lastTestSucceededAt: at });
  }

  async markProbed(id: string, at: Date): Promise<void> {
    await this.subscriptions.update({ id }, { lastProbedAt: at });
  }

  findDueForProbe(cutoff: Date, limit: number): Promise<WebhookSubscription[]> {
    return this.subscriptions
      .createQueryBuilder('subscription')
      .where('subscription.status = :disabled', { disabled: 'disabled' })
      .andWhere('subscription.disabledAt <= :cutoff', { cutoff })
      .andWhere('(subscription.lastProbedAt IS NULL OR subscription.lastProbedAt <= :cutoff)', {
        cutoff,
      })
      .orderBy('subscription.disabledAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  countWithStatus(status: SubscriptionStatus): Promise<number> {
    return this.subscriptions.countBy({ status });
  }

  async removeWithHistory(scope: SubscriptionScope, id: string): Promise<void> {
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
