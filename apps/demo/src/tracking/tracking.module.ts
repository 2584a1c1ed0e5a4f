import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module';
import { ListsModule } from '../lists/lists.module';
import { PublicController } from './public.controller';
import { TrackingActivity } from './tracking-activity.entity';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

/** Public, contact-facing endpoints: no API key, every event has source `contact`. */
@Module({
  imports: [TypeOrmModule.forFeature([TrackingActivity]), ContactsModule, ListsModule],
  controllers: [PublicController, TrackingController],
  providers: [TrackingService],
})
export class TrackingModule {}
