import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module';
import { ContactsModule } from '../contacts/contacts.module';
import { SeedModule } from '../seed/seed.module';
import { IntegrationHandlers } from './integration-handlers';
import { IntegrationReceipt } from './integration-receipt.entity';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';

/** Inbound webhooks from Stripe, Typeform and Shopify, turned into contacts, fields and activity. */
@Module({
  imports: [
    TypeOrmModule.forFeature([IntegrationReceipt]),
    ContactsModule,
    ActivityModule,
    SeedModule,
  ],
  controllers: [IntegrationsController],
  providers: [IntegrationsService, IntegrationHandlers],
})
export class IntegrationsModule {}
