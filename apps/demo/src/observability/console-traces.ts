import { trace } from '@opentelemetry/api';

/**
 * With `DEMO_TRACES=1`, the module's spans (emits, hand-offs, attempts, inbound) are printed as they
 * end, as a host's OpenTelemetry SDK would export them. The SDK is loaded only then.
 */
export async function printTracesWhenAsked(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.DEMO_TRACES !== '1') return;
  const sdk = await import('@opentelemetry/sdk-trace-base');
  trace.setGlobalTracerProvider(
    new sdk.BasicTracerProvider({
      spanProcessors: [new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter())],
    }),
  );
}
