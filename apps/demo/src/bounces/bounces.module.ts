import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { ListsModule } from '../lists/lists.module';
import { BounceProcessor } from './bounce.processor';
import { BouncesController } from './bounces.controller';
import { BOUNCES_QUEUE } from './bounces.queue';
import { BouncesService } from './bounces.service';

@Module({
  imports: [BullModule.registerQueue({ name: BOUNCES_QUEUE }), ListsModule],
  controllers: [BouncesController],
  providers: [BouncesService, BounceProcessor],
})
export class BouncesModule {}
