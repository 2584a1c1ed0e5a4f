import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { setupOpenApi } from './docs/openapi.setup';
import { DemoConfigError, loadDemoConfig, type DemoConfig } from './config/demo-config';
import { checkServices } from './config/preflight';
import { printTracesWhenAsked } from './observability/console-traces';
import { SeedService } from './seed/seed.service';

async function bootstrap(): Promise<void> {
  await printTracesWhenAsked();
  let config: DemoConfig;
  try {
    config = loadDemoConfig();
  } catch (error: unknown) {
    if (error instanceof DemoConfigError) return fail(error.message);
    throw error;
  }
  const problems = await checkServices(config);
  if (problems.length > 0) return fail(problems.join('\n'));

  const app = await NestFactory.create(AppModule.register(), { rawBody: true });
  setupOpenApi(app);
  app.enableShutdownHooks();
  await app.listen(config.port);

  const url = `http://localhost:${config.port}`;
  const listId = app.get(SeedService).listId;
  new Logger('Demo').log(
    `Listening on ${url}: open it for the dashboard — docs at ${url}/docs, queues at ${url}/queues, health at ${url}/health — trigger an event: curl -X POST ${url}/public/lists/${listId}/subscribe -d email=ada@example.com ; then see it delivered: curl ${url}/inbox`,
  );
}

function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

bootstrap().catch((error: unknown) => {
  console.error(
    `The demo could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
