import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import {
  WebhooksService,
  type WebhookEventSource,
  WebhooksTransactions,
} from 'nestjs-marketing-webhooks';
import type { EntityManager, Repository } from 'typeorm';
import { mergeFields } from '../common/flat-fields.validator';
import type { ManagementSource } from '../common/request-source.guard';
import { isUniqueViolation } from '../common/unique-violation';
import { List } from '../lists/list.entity';
import { ListsService } from '../lists/lists.service';
import { Contact } from './contact.entity';
import { toContactView } from './contact.view';
import type { CreateContactDto } from './dto/create-contact.dto';
import type { UpdateContactDto, UpdateProfileDto } from './dto/update-contact.dto';

type ContactChanges = UpdateContactDto | UpdateProfileDto;
const UPDATABLE = ['email', 'firstName', 'lastName', 'fields'] as const;
type Updatable = (typeof UPDATABLE)[number];

@Injectable()
export class ContactsService {
  constructor(
    private readonly transactions: WebhooksTransactions,
    @InjectRepository(Contact) private readonly contacts: Repository<Contact>,
    private readonly lists: ListsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Management API: adds a new contact; an address already on the list (in any status) is a conflict. */
  async add(listId: number, input: CreateContactDto, source: ManagementSource): Promise<Contact> {
    await this.lists.get(listId);
    try {
      return await this.transactions.run(async (manager) => {
        if (await manager.existsBy(Contact, { listId, email: input.email })) {
          throw new ConflictException(`${input.email} is already on list ${listId}`);
        }
        return this.insertSubscribed(manager, listId, input, source);
      });
    } catch (error: unknown) {
      if (isUniqueViolation(error))
        throw new ConflictException(`${input.email} is already on list ${listId}`);
      throw error;
    }
  }

  /**
   * Public form: subscribes a new address or re-subscribes one that had left. An address already
   * subscribed is left alone, and the answer is the same either way so the form does not reveal who
   * is on the list.
   */
  async subscribeFromForm(listId: number, input: CreateContactDto): Promise<void> {
    await this.lists.get(listId);
    try {
      await this.transactions.run(async (manager) => {
        const existing = await manager.findOneBy(Contact, { listId, email: input.email });
        if (!existing) {
          await this.insertSubscribed(manager, listId, input, 'contact');
          return;
        }
        if (existing.status === 'subscribed') return;
        existing.status = 'subscribed';
        existing.firstName = input.firstName ?? existing.firstName;
        existing.lastName = input.lastName ?? existing.lastName;
        existing.fields = mergeFields(existing.fields, input.fields);
        const saved = await manager.save(existing);
        await this.emit(manager, saved, 'contact.subscribed', 'contact', { resubscribed: true });
      });
    } catch (error: unknown) {
      // The same address submitted twice at once: the other request subscribed it.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /**
   * Applies the changes, and tells the webhooks what changed (nothing changed: no event). In the
   * caller's transaction when `manager` is given (an integration records its receipt with it).
   */
  async update(
    contact: Contact,
    input: ContactChanges,
    source: WebhookEventSource,
    manager?: EntityManager,
  ): Promise<Contact> {
    try {
      return await this.within(manager, async (tx) =>
        this.applyChanges(tx, await this.reload(tx, contact.id), input, source),
      );
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new ConflictException(`that address is already on list ${contact.listId}`);
      }
      throw error;
    }
  }

  /**
   * An external application (an integration) adds a contact, or updates the one with that address:
   * the names and fields given replace theirs. A contact who had left stays unsubscribed: a customer
   * record in another service is not a new consent. Runs in the caller's transaction.
   */
  async upsert(
    manager: EntityManager,
    listId: number,
    input: CreateContactDto,
    source: WebhookEventSource,
  ): Promise<{ contact: Contact; created: boolean }> {
    const existing = await manager.findOneBy(Contact, { listId, email: input.email });
    if (!existing) {
      return {
        contact: await this.insertSubscribed(manager, listId, input, source),
        created: true,
      };
    }
    const { email: _email, ...changes } = input;
    return { contact: await this.applyChanges(manager, existing, changes, source), created: false };
  }

  /** The contact with that address on the list, if any (in the caller's transaction when given). */
  findByEmail(listId: number, email: string, manager?: EntityManager): Promise<Contact | null> {
    return (manager ?? this.contacts.manager).findOneBy(Contact, { listId, email });
  }

  /** Unsubscribing twice is harmless: only the first one changes anything and tells the webhooks. */
  unsubscribe(contact: Contact, source: WebhookEventSource): Promise<Contact> {
    return this.transactions.run(async (manager) => {
      const current = await this.reload(manager, contact.id);
      const previousStatus = current.status;
      // Conditional, so two simultaneous clicks give one event.
      const result = await manager
        .createQueryBuilder()
        .update(Contact)
        .set({ status: 'unsubscribed' })
        .where('id = :id AND status <> :status', { id: current.id, status: 'unsubscribed' })
        .execute();
      if (!result.affected) return current;
      const saved = await this.reload(manager, current.id);
      await this.emit(manager, saved, 'contact.unsubscribed', source, { previousStatus });
      return saved;
    });
  }

  async get(id: number): Promise<Contact> {
    const contact = await this.contacts.findOneBy({ id });
    if (!contact) throw new NotFoundException(`contact ${id} not found`);
    return contact;
  }

  async getByToken(token: string): Promise<Contact> {
    const contact = await this.contacts.findOneBy({ token });
    if (!contact) throw new NotFoundException('this link is not valid');
    return contact;
  }

  async findByList(listId: number): Promise<Contact[]> {
    await this.lists.get(listId);
    return this.contacts.find({ where: { listId }, order: { id: 'ASC' } });
  }

  private async insertSubscribed(
    manager: EntityManager,
    listId: number,
    input: CreateContactDto,
    source: WebhookEventSource,
  ): Promise<Contact> {
    const contact = manager.create(Contact, {
      listId,
      email: input.email,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      fields: mergeFields({}, input.fields),
      status: 'subscribed',
      token: randomBytes(24).toString('base64url'),
    });
    const saved = await manager.save(contact);
    await this.emit(manager, saved, 'contact.subscribed', source, { resubscribed: false });
    return saved;
  }

  private async applyChanges(
    manager: EntityManager,
    current: Contact,
    input: ContactChanges,
    source: WebhookEventSource,
  ): Promise<Contact> {
    const next: Partial<Pick<Contact, Updatable>> = {
      email: 'email' in input ? input.email : undefined,
      firstName: input.firstName,
      lastName: input.lastName,
      fields: input.fields ? mergeFields(current.fields, input.fields) : undefined,
    };
    const previous: Partial<Pick<Contact, Updatable>> = {};
    for (const key of UPDATABLE) {
      const value = next[key];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(current[key])) continue;
      Object.assign(previous, { [key]: current[key] });
      Object.assign(current, { [key]: value });
    }
    const changed = Object.keys(previous);
    if (changed.length === 0) return current;
    const saved = await manager.save(current);
    await this.emit(manager, saved, 'contact.updated', source, { changed, previous });
    return saved;
  }

  private within<T>(
    manager: EntityManager | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return manager ? work(manager) : this.transactions.run(work);
  }

  private async reload(manager: EntityManager, id: number): Promise<Contact> {
    const contact = await manager.findOneBy(Contact, { id });
    if (!contact) throw new NotFoundException(`contact ${id} not found`);
    return contact;
  }

  private async emit(
    manager: EntityManager,
    contact: Contact,
    type: string,
    source: WebhookEventSource,
    extra: Record<string, unknown>,
  ): Promise<void> {
    // The list's name too, so that a receiver (or a chat message) can say which list without a lookup.
    const { id, name } = await manager.findOneByOrFail(List, { id: contact.listId });
    await this.webhooks.emit(
      {
        listId: contact.listId,
        type,
        source,
        data: { contact: toContactView(contact), list: { id, name }, ...extra },
      },
      // One contact's events reach each receiver in order (subscribed, then updated, then …).
      { manager, orderingKey: String(contact.id) },
    );
  }
}
