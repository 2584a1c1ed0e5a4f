// A Nest 12 (ESM-only) host that installs the packed library and delivers one event end to end.
// Plain JavaScript, so decorators are applied as functions.
import 'reflect-metadata';
import { createServer } from 'node:http';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BullModule } from '@nestjs/bull';
import { WebhooksModule, WebhooksService, verifyWebhook } from 'nestjs-marketing-webhooks';

const { DATABASE_URL, REDIS_URL, PG_SCHEMA, BULL_PREFIX } = process.env;
const fail = (message) => {
  console.error(message);
  process.exit(1);
};
setTimeout(() => fail('timed out waiting for the delivery'), 30_000).unref();

const received = new Promise((resolve) => {
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(204).end();
      resolve({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        port: receiver.address().port,
      });
    });
  });
  receiver.listen(0, '127.0.0.1', () => (globalThis.receiverPort = receiver.address().port));
});
while (!globalThis.receiverPort) await new Promise((resolve) => setTimeout(resolve, 10));

class AppModule {}
Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: DATABASE_URL,
      schema: PG_SCHEMA,
      autoLoadEntities: true,
      synchronize: true,
    }),
    BullModule.forRoot({ url: REDIS_URL, prefix: BULL_PREFIX }),
    WebhooksModule.forRootAsync({
      useFactory: () => ({ security: { allowPrivateNetworks: true } }),
    }),
  ],
})(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const base = await app.getUrl();
const created = await fetch(`${base}/lists/1/webhooks`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    url: `http://127.0.0.1:${globalThis.receiverPort}/hook`,
    events: ['contact.subscribed'],
  }),
});
if (created.status !== 201)
  fail(`creating the subscription answered ${created.status}: ${await created.text()}`);
const { secret } = await created.json();

const { eventId } = await app.get(WebhooksService).emit({
  listId: 1,
  type: 'contact.subscribed',
  source: 'api',
  data: { email: 'ada@example.com' },
});
const delivery = await received;
const verified = verifyWebhook(secret, delivery.body, delivery.headers);
const { createRequire } = await import('node:module');
const nestVersion = createRequire(import.meta.url)('@nestjs/core/package.json').version;
console.log(
  JSON.stringify({ nestVersion, eventId, webhookId: verified.id, body: JSON.parse(delivery.body) }),
);
await app.close();
process.exit(0);
