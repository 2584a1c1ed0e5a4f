// A Nest 11 (CommonJS) host with @nestjs/config: WebhooksModule.forRootAsync reads ConfigService.
// It lives under the repository's node_modules/.cache, so the peers resolve to the repository's copies.
require('reflect-metadata');
const { createServer } = require('node:http');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ConfigModule, ConfigService } = require('@nestjs/config');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { BullModule } = require('@nestjs/bull');
const {
  WebhooksModule,
  WebhooksPortal,
  WebhooksService,
  verifyWebhook,
} = require('nestjs-marketing-webhooks');

const fail = (message) => {
  console.error(message);
  process.exit(1);
};
setTimeout(() => fail('timed out waiting for the delivery'), 30_000).unref();

async function main() {
  let resolveDelivery;
  const received = new Promise((resolve) => (resolveDelivery = resolve));
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(204).end();
      resolveDelivery({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  class AppModule {}
  Module({
    imports: [
      ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true }),
      TypeOrmModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (config) => ({
          type: 'postgres',
          url: config.getOrThrow('DATABASE_URL'),
          schema: config.getOrThrow('PG_SCHEMA'),
          autoLoadEntities: true,
          synchronize: true,
        }),
      }),
      BullModule.forRootAsync({
        inject: [ConfigService],
        useFactory: (config) => ({
          url: config.getOrThrow('REDIS_URL'),
          prefix: config.getOrThrow('BULL_PREFIX'),
        }),
      }),
      WebhooksModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config) => ({
          security: { allowedTargets: [config.getOrThrow('RECEIVER_CIDR')] },
          delivery: { requestTimeoutMs: Number(config.get('WEBHOOK_TIMEOUT_MS', 5000)) },
          portal: {
            signingKeys: [{ id: 'host', secret: 'a-portal-signing-key-of-the-nest-11-host' }],
          },
        }),
      }),
    ],
  })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const created = await fetch(`${base}/lists/7/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url: `http://127.0.0.1:${receiver.address().port}/hook`,
      events: ['contact.subscribed'],
    }),
  });
  if (created.status !== 201)
    fail(`creating the subscription answered ${created.status}: ${await created.text()}`);
  const { secret } = await created.json();
  const { eventId } = await app.get(WebhooksService).emit({
    listId: 7,
    type: 'contact.subscribed',
    source: 'api',
    data: { email: 'grace@example.com' },
  });
  const delivery = await received;
  const verified = verifyWebhook(secret, delivery.body, delivery.headers);
  const nestVersion = require('@nestjs/core/package.json').version;
  // The portal page as the package ships it, opened through a session link.
  const { url, token } = app
    .get(WebhooksPortal)
    .createSession({ tenantId: 'default', lists: ['7'] });
  const page = url.split('#')[0];
  const script = await fetch(`${base}${page}/assets/portal.js`);
  const session = await fetch(`${base}/webhooks/portal/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const portal = {
    page,
    scriptStatus: script.status,
    scriptBytes: (await script.arrayBuffer()).byteLength,
    session: await session.json(),
  };
  console.log(
    JSON.stringify({
      nestVersion,
      eventId,
      webhookId: verified.id,
      body: JSON.parse(delivery.body),
      portal,
    }),
  );
  await app.close();
  receiver.close();
  process.exit(0);
}

main().catch((error) => fail(error.stack));
