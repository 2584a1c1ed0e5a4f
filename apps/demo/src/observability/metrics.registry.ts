import { Registry } from 'prom-client';

/** The demo's own Prometheus registry (not prom-client's global one, so several apps can run in one process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export const metricsRegistryProvider = {
  provide: METRICS_REGISTRY,
  useFactory: () => new Registry(),
};
