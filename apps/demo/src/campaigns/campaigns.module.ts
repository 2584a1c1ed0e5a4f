import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ListsModule } from '../lists/lists.module';
import { CampaignRecipient } from './campaign-recipient.entity';
import { CampaignSenderProcessor } from './campaign-sender.processor';
import { Campaign } from './campaign.entity';
import { CampaignsController } from './campaigns.controller';
import { CAMPAIGNS_QUEUE } from './campaigns.queue';
import { CampaignsService } from './campaigns.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Campaign, CampaignRecipient]),
    BullModule.registerQueue({ name: CAMPAIGNS_QUEUE }),
    ListsModule,
  ],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignSenderProcessor],
  exports: [CampaignsService],
})
export class CampaignsModule {}
