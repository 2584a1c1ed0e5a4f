import { Injectable } from '@nestjs/common';
import { type InboundWebhookEvent, OnInboundWebhook } from 'nestjs-marketing-webhooks';
import type { EntityManager } from 'typeorm';
import { ActivityService } from '../activity/activity.service';
import { ContactsService } from '../contacts/contacts.service';
import { CONTACT_ORDERED } from './integrations';
import { IntegrationsService, type Outcome } from './integrations.service';
import { readShopifyOrder, readStripeCustomer, readTypeformAnswers } from './payloads';

const ignored = (why: string): Outcome => ({ outcome: `ignored: ${why}`, contactId: null });

/**
 * What the demo does with the verified events of its inbound endpoints, on the library's worker.
 * Each change goes through the demo's services, so it emits the outbound webhooks as any other does,
 * with source `api`: an external application made it. Each runs once per event
 * (`IntegrationsService.once`); a payload the demo cannot use is acknowledged and recorded, not retried.
 */
@Injectable()
export class IntegrationHandlers {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly contacts: ContactsService,
    private readonly activity: ActivityService,
  ) {}

  /** Brevo's "add a new contact": a new Stripe customer becomes a contact, or updates the one there. */
  @OnInboundWebhook({ provider: 'stripe', type: 'customer.created' })
  stripeCustomer(event: InboundWebhookEvent): Promise<void> {
    return this.integrations.once(event, async (manager, listId) => {
      const customer = readStripeCustomer(event.payload);
      if (!customer.ok) return ignored(customer.ignored);
      const { contact, created } = await this.contacts.upsert(
        manager,
        listId,
        customer.value,
        'api',
      );
      return {
        outcome: `${created ? 'added' : 'updated'} ${contact.email}`,
        contactId: contact.id,
      };
    });
  }

  /** Brevo's "update an existing contact": Typeform answers become the contact's fields. */
  @OnInboundWebhook({ provider: 'typeform', type: 'form_response' })
  typeformResponse(event: InboundWebhookEvent): Promise<void> {
    return this.integrations.once(event, async (manager, listId) => {
      const answers = readTypeformAnswers(event.payload);
      if (!answers.ok) return ignored(answers.ignored);
      const contact = await this.onList(manager, listId, answers.value.email);
      if (!contact) return ignored(`${answers.value.email} is not on list ${listId}`);
      await this.contacts.update(contact, { fields: answers.value.fields }, 'api', manager);
      const names = Object.keys(answers.value.fields).join(', ');
      return { outcome: `updated ${contact.email}: ${names}`, contactId: contact.id };
    });
  }

  /** Brevo's "create a custom event": a Shopify order shows in the contact's activity. */
  @OnInboundWebhook({ provider: 'shopify', type: 'orders/create' })
  shopifyOrder(event: InboundWebhookEvent): Promise<void> {
    return this.integrations.once(event, async (manager, listId) => {
      const order = readShopifyOrder(event.payload);
      if (!order.ok) return ignored(order.ignored);
      const { email, ...details } = order.value;
      const contact = await this.onList(manager, listId, email);
      if (!contact) return ignored(`${email} is not on list ${listId}`);
      const description = `ordered ${details.name}, ${details.total} ${details.currency}`.trim();
      await this.activity.record(
        manager,
        contact,
        { name: 'ordered', description, origin: 'shopify', properties: { ...details } },
        { type: CONTACT_ORDERED, source: 'api', data: { order: details } },
      );
      return { outcome: `${email} ${description}`, contactId: contact.id };
    });
  }

  private onList(manager: EntityManager, listId: number, email: string) {
    return this.contacts.findByEmail(listId, email, manager);
  }
}
