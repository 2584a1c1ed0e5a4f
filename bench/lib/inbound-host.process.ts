/**
 * IN: a host app receiving inbound webhooks over HTTP (Nest's Express adapter, as `NestFactory.create`
 * makes it) and processing them on the same process (worker: true), with a no-op catch-all handler.
 * Its store (schema, endpoint) was made by the bench; this process only serves and processes.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OnInboundWebhook, WebhooksModule, type WebhooksModuleOptions } from '../../src';
import { webhooksHostImports } from '../../test/support/webhooks-host';
import type { InboundHostApi } from './child.apis';
import { childConfig, exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { databaseOptions, type DatabaseChildConfig } from './module-host';

export interface InboundHostConfig extends DatabaseChildConfig {
  redisUrl: string;
  bullPrefix: string;
  options: WebhooksModuleOptions;
}

const config = childConfig<InboundHostConfig>();

@Injectable()
class NoopInboundHandler {
  calls = 0;

  @OnInboundWebhook()
  handle(): void {
    this.calls++;
  }
}

async function main(): Promise<void> {
  @Module({
    imports: webhooksHostImports({
      typeorm: databaseOptions(config, 'bench-inbound-host'),
      redisUrl: config.redisUrl,
      bullPrefix: config.bullPrefix,
      webhooks: WebhooksModule.forRoot({ ...config.options, worker: true }),
    }),
    providers: [NoopInboundHandler],
  })
  class InboundHostModule {}

  const app = await NestFactory.create(InboundHostModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const handler = app.get(NoopInboundHandler);
  const api: InboundHostApi = {
    origin: () => origin,
    handlerCalls: () => handler.calls,
    async shutdown() {
      await app.close();
      exitSoon();
    },
  };
  serveRpc(api);
  signalReady();
}

void main();
