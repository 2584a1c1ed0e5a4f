import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, LessThan, MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import {
  createKeyRing,
  openSecret,
  sealingKeyId,
  sealSecret,
  type KeyRing,
} from '../../security/secret-envelope';
import { LOWEST_UUID } from '../sql-dialect';
import type { ReencryptedBatch } from '../subscription.store';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../../webhooks.options';
import { WebhookInboundEndpoint } from '../entities/inbound-endpoint.entity';
import { WebhookInboundEvent } from '../entities/inbound-event.entity';
import {
  InboundEndpointStore,
  type InboundEndpointChanges,
  type InboundEndpointPageQuery,
  type InboundSecretRotation,
  type NewInboundEndpoint,
} from '../inbound-endpoint.store';
import { entitySql } from '../sql/entity-sql';
import { WebhooksTransactions } from '../webhooks-transactions';

type SecretColumn = 'secret' | 'previousSecret';

/**
 * Inbound endpoints through TypeORM's repository API, the same on every database. Secrets are
 * sealed with `security.encryptionKeys` like the subscriptions' (row id and column authenticated).
 */
@Injectable()
export class TypeOrmInboundEndpointStore extends InboundEndpointStore {
  private readonly ring: KeyRing | null;
  private readonly updatedAtColumn: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
  ) {
    super();
    this.ring = createKeyRing(options.encryptionKeys);
    this.updatedAtColumn = entitySql(dataSource, WebhookInboundEndpoint).column('updatedAt');
  }

  private get endpoints() {
    return this.dataSource.getRepository(WebhookInboundEndpoint);
  }

  async insert(endpoint: NewInboundEndpoint): Promise<WebhookInboundEndpoint> {
    await this.endpoints.insert({
      ...endpoint,
      secret: this.seal(endpoint.id, 'secret', endpoint.secret),
      previousSecret: this.sealNullable(endpoint.id, endpoint.previousSecret),
    });
    return this.open(await this.endpoints.findOneByOrFail({ id: endpoint.id }));
  }

  async findInTenant(tenantId: string, id: string): Promise<WebhookInboundEndpoint | null> {
    const found = await this.endpoints.findOneBy({ tenantId, id });
    return found && this.open(found);
  }

  async findByToken(token: string): Promise<WebhookInboundEndpoint | null> {
    const found = await this.endpoints.findOneBy({ token });
    return found && this.open(found);
  }

  async listPage({
    tenantId,
    listIds,
    beforeId,
    limit,
  }: InboundEndpointPageQuery): Promise<WebhookInboundEndpoint[]> {
    if (listIds?.length === 0) return [];
    const where: FindOptionsWhere<WebhookInboundEndpoint> = { tenantId };
    if (listIds !== undefined) where.listId = In([...listIds]);
    if (beforeId) where.id = LessThan(beforeId);
    const rows = await this.endpoints.find({ where, order: { id: 'DESC' }, take: limit });
    return rows.map((row) => this.open(row));
  }

  async update(tenantId: string, id: string, changes: InboundEndpointChanges): Promise<boolean> {
    const sealed =
      changes.secret === undefined
        ? changes
        : {
            ...changes,
            secret: this.seal(id, 'secret', changes.secret),
            previousSecret: null,
            previousSecretExpiresAt: null,
          };
    const result = await this.endpoints.update({ tenantId, id }, sealed);
    return (result.affected ?? 0) > 0;
  }

  async rotateSecret(
    tenantId: string,
    id: string,
    { current, secret, currentExpiresAt }: InboundSecretRotation,
  ): Promise<boolean> {
    const stored = await this.endpoints.findOne({
      where: { tenantId, id },
      select: { id: true, secret: true },
    });
    if (!stored || this.openOne(id, 'secret', stored.secret) !== current) return false;
    // Conditional on the stored value: of two rotations racing, one wins.
    const result = await this.endpoints.update(
      { tenantId, id, secret: stored.secret },
      {
        secret: this.seal(id, 'secret', secret),
        previousSecret: this.seal(id, 'previousSecret', current),
        previousSecretExpiresAt: currentExpiresAt,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  async reencryptSecrets(afterId: string | null, limit: number): Promise<ReencryptedBatch> {
    const ring = this.ring;
    if (!ring) return { lastId: null, reencrypted: 0 };
    const rows = await this.endpoints.find({
      select: { id: true, secret: true, previousSecret: true },
      where: { id: MoreThan(afterId ?? LOWEST_UUID) },
      order: { id: 'ASC' },
      take: limit,
    });
    const stale = (value: string | null) =>
      value !== null && sealingKeyId(value) !== ring.currentId;
    let reencrypted = 0;
    for (const row of rows) {
      if (!stale(row.secret) && !stale(row.previousSecret)) continue;
      const previous = row.previousSecret;
      const result = await this.endpoints
        .createQueryBuilder()
        .update()
        // Re-encryption is no change of the endpoint: `updatedAt` stays as it was.
        .set({
          secret: this.seal(row.id, 'secret', this.openOne(row.id, 'secret', row.secret)),
          previousSecret:
            previous === null
              ? null
              : this.seal(
                  row.id,
                  'previousSecret',
                  this.openOne(row.id, 'previousSecret', previous),
                ),
          updatedAt: () => this.updatedAtColumn,
        })
        .where({ id: row.id, secret: row.secret, previousSecret: previous ?? IsNull() })
        .execute();
      if ((result.affected ?? 0) > 0) reencrypted++;
    }
    return { lastId: rows.length < limit ? null : rows[rows.length - 1].id, reencrypted };
  }

  removeWithEvents(tenantId: string, id: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const result = await manager.delete(WebhookInboundEndpoint, { tenantId, id });
      if ((result.affected ?? 0) === 0) return false;
      await manager.delete(WebhookInboundEvent, { endpointId: id });
      return true;
    });
  }

  private seal(id: string, column: SecretColumn, value: string): string {
    return this.ring ? sealSecret(value, contextOf(id, column), this.ring) : value;
  }

  private sealNullable(id: string, value: string | null): string | null {
    return value === null ? null : this.seal(id, 'previousSecret', value);
  }

  private openOne(id: string, column: SecretColumn, value: string): string {
    return openSecret(value, contextOf(id, column), this.ring);
  }

  private open(row: WebhookInboundEndpoint): WebhookInboundEndpoint {
    row.secret = this.openOne(row.id, 'secret', row.secret);
    if (row.previousSecret !== null) {
      row.previousSecret = this.openOne(row.id, 'previousSecret', row.previousSecret);
    }
    return row;
  }
}

function contextOf(id: string, column: SecretColumn): string {
  return `webhook_inbound_endpoints.${column}:${id}`;
}
