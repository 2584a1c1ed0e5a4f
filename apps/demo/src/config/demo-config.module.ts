import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { DemoConfig } from './demo-config';

export const DEMO_CONFIG = Symbol('DEMO_CONFIG');

@Global()
@Module({})
export class DemoConfigModule {
  static register(config: DemoConfig): DynamicModule {
    return {
      module: DemoConfigModule,
      providers: [{ provide: DEMO_CONFIG, useValue: config }],
      exports: [DEMO_CONFIG],
    };
  }
}
