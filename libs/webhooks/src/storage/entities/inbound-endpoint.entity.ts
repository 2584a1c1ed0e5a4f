import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How the senders of an endpoint prove who they are, and how their settings are read (generic HMAC, token). */
export type InboundEndpointSettings = Record<string, string>;

/** Where another service posts its webhooks: owned by a tenant, optionally by one of its lists. */
@Entity('webhook_inbound_endpoints')
@Index('IDX_webhook_inbound_endpoints_tenant', ['tenantId', 'listId'])
export class WebhookInboundEndpoint {
  /** UUIDv7, for the admin API (time-ordered pages). */
  @PrimaryColumn('uuid')
  id!: string;

  /** The public receiving URL's secret part: random, and not the id, so that it reveals nothing. */
  @Index('UQ_webhook_inbound_endpoints_token', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  token!: string;

  @Column({ type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  listId!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  /** The verification scheme: `stripe`, `github`, … or one a host added. */
  @Column({ type: 'varchar', length: 32 })
  scheme!: string;

  /** Wide enough for an encrypted envelope (`security.encryptionKeys`). */
  @Column({ type: 'varchar', length: 255 })
  secret!: string;

  /** The secret replaced by the last rotation, still accepted until `previousSecretExpiresAt`. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  previousSecret!: string | null;

  @Column({ type: Date, nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'json', nullable: true })
  settings!: InboundEndpointSettings | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
