import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { SeedModule } from '../seed/seed.module';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { XmlBodyMiddleware } from './xml-body.middleware';

@Module({
  imports: [SeedModule],
  controllers: [InboxController],
  providers: [InboxService],
})
export class InboxModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(XmlBodyMiddleware).forRoutes(InboxController);
  }
}
