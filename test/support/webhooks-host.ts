import { BullModule } from '@nestjs/bull';
import {
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type LogLevel,
  type ModuleMetadata,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';

/** The services a host app runs the module on. */
export interface WebhooksHost {
  typeorm: TypeOrmModuleOptions;
  redisUrl: string;
  bullPrefix: string;
  /** `WebhooksModule.forRoot(...)` or `forRootAsync(...)`. */
  webhooks: DynamicModule;
}

/** A host's imports as a user writes them: the TypeORM and Bull roots, then WebhooksModule. */
export function webhooksHostImports(host: WebhooksHost): DynamicModule[] {
  return [
    TypeOrmModule.forRoot(host.typeorm),
    BullModule.forRoot({ url: host.redisUrl, prefix: host.bullPrefix }),
    host.webhooks,
  ];
}

export interface HostContextExtras {
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  logger?: LogLevel[];
}

/** A host process without an HTTP server (a worker, an emitter): an application context. */
export async function createWebhooksHostContext(
  host: WebhooksHost,
  { imports = [], providers = [], logger = ['error', 'warn'] }: HostContextExtras = {},
): Promise<INestApplicationContext> {
  @Module({ imports: [...webhooksHostImports(host), ...imports], providers })
  class WebhooksHostModule {}

  return NestFactory.createApplicationContext(WebhooksHostModule, { logger });
}
