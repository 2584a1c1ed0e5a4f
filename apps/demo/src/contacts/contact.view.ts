import type { ContactFields } from '../common/flat-fields.validator';
import type { Contact, ContactStatus } from './contact.entity';

/** A contact as webhook receivers and the contact themself see it: without the link token. */
export interface ContactView {
  id: number;
  listId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  fields: ContactFields;
  status: ContactStatus;
  createdAt: string;
  updatedAt: string;
}

export function toContactView(contact: Contact): ContactView {
  return {
    id: contact.id,
    listId: contact.listId,
    email: contact.email,
    firstName: contact.firstName,
    lastName: contact.lastName,
    fields: contact.fields,
    status: contact.status,
    createdAt: new Date(contact.createdAt).toISOString(),
    updatedAt: new Date(contact.updatedAt).toISOString(),
  };
}
