import { Module } from '@nestjs/common';
import { SeedModule } from '../seed/seed.module';
import { HomeAssets } from './home.assets';
import { HomeController } from './home.controller';
import { SettingsController } from './settings.controller';

/** The demo's face: the dashboard and Settings → Webhooks, over the demo's own routes. */
@Module({
  imports: [SeedModule],
  controllers: [HomeController, SettingsController],
  providers: [HomeAssets],
})
export class HomeModule {}
