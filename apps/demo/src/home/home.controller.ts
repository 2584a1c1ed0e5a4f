import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { SeedService } from '../seed/seed.service';
import { HOME_ASSETS, HomeAssets } from './home.assets';
import { dashboardPage } from './home.pages';
import { HtmlPage } from './page-security.decorator';

/** The dashboard at `/`, and its script and stylesheet. */
@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly seed: SeedService,
    private readonly assets: HomeAssets,
  ) {}

  @Get()
  @HtmlPage()
  dashboard(): string {
    return dashboardPage({ listId: this.seed.listId, apiKey: this.config.apiKey });
  }

  @Get('assets/home.js')
  @Header('Content-Type', HOME_ASSETS['home.js'])
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  script(): Promise<string> {
    return this.assets.read('home.js');
  }

  @Get('assets/home.css')
  @Header('Content-Type', HOME_ASSETS['home.css'])
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  stylesheet(): Promise<string> {
    return this.assets.read('home.css');
  }
}
