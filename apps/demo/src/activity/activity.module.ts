import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module';
import { TrackingActivity } from '../tracking/tracking-activity.entity';
import { ActivityController } from './activity.controller';
import { ActivityService } from './activity.service';
import { ContactEvent } from './contact-event.entity';

/** What happened to a contact: campaign tracking and the custom events other applications record. */
@Module({
  imports: [TypeOrmModule.forFeature([ContactEvent, TrackingActivity]), ContactsModule],
  controllers: [ActivityController],
  providers: [ActivityService],
  exports: [ActivityService],
})
export class ActivityModule {}
