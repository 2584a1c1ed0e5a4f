import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { loadDemoConfig, type DemoConfig, type Env } from './demo-config';

export const DEMO_CONFIG = Symbol('DEMO_CONFIG');

/**
 * The demo's settings, read through @nestjs/config: the environment is validated at boot by
 * `loadDemoConfig`, whose errors name the bad variable. `overrides` win over the environment (tests).
 */
@Global()
@Module({})
export class DemoConfigModule {
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: DemoConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          cache: true,
          validate: (env: Env) => ({ demo: loadDemoConfig({ ...env, ...overrides }) }),
        }),
      ],
      providers: [
        {
          provide: DEMO_CONFIG,
          useFactory: (config: ConfigService) => config.getOrThrow<DemoConfig>('demo'),
          inject: [ConfigService],
        },
      ],
      exports: [DEMO_CONFIG],
    };
  }
}
