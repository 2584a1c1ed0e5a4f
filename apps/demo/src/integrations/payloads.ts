import { isEmail } from 'class-validator';
import {
  MAX_FIELDS,
  type ContactFieldsInput,
  type FieldValue,
} from '../common/flat-fields.validator';

/** What a provider's payload asks of the demo, or why it asks nothing (answered, not retried). */
export type Reading<T> = { ok: true; value: T } | { ok: false; ignored: string };

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_NAME = 100;
const MAX_VALUE = 1_000;

type Json = Record<string, unknown>;

const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/** The address as contacts keep it (trimmed, lower-case), or null when it is not one. */
export function readEmail(value: unknown): string | null {
  const email = text(value)?.toLowerCase() ?? null;
  return email !== null && email.length <= 320 && isEmail(email) ? email : null;
}

export interface ContactInput {
  email: string;
  firstName?: string;
  lastName?: string;
  fields: ContactFieldsInput;
}

/**
 * Stripe `customer.created`: `data.object` is the Customer. Its `email`; its `name` split at the first
 * space into first and last name; its id in the field `stripeCustomerId`.
 */
export function readStripeCustomer(payload: unknown): Reading<ContactInput> {
  const customer = object(object(object(payload).data).object);
  const email = readEmail(customer.email);
  if (!email) return { ok: false, ignored: 'the customer has no valid email' };
  const [first, ...rest] = (text(customer.name) ?? '').split(/\s+/);
  const input: ContactInput = { email, fields: {} };
  if (first) input.firstName = first.slice(0, MAX_NAME);
  if (rest.length > 0) input.lastName = rest.join(' ').slice(0, MAX_NAME);
  const id = text(customer.id);
  if (id) input.fields.stripeCustomerId = id.slice(0, MAX_VALUE);
  return { ok: true, value: input };
}

/**
 * Typeform `form_response`: the contact is the one with the address of the first `email` answer (else
 * the hidden field `email`). Every other answer whose question has a `ref` usable as a field name
 * (`city`, `company_size`) sets that field: text, email, url, date, phone_number and a choice's label
 * as text, several choices' labels joined by ", ", number, rating and opinion_scale as a number,
 * boolean (yes/no, legal) as true or false. Answers of other types or refs (Typeform's generated ones
 * start with a digit) are left out.
 */
export function readTypeformAnswers(
  payload: unknown,
): Reading<{ email: string; fields: ContactFieldsInput }> {
  const response = object(object(payload).form_response);
  const answers = Array.isArray(response.answers)
    ? (response.answers as unknown[]).map(object)
    : [];
  const emailAnswer = answers.find((answer) => answer.type === 'email');
  const email = readEmail(emailAnswer?.email) ?? readEmail(object(response.hidden).email);
  if (!email) return { ok: false, ignored: 'the response has no email answer' };
  const fields: ContactFieldsInput = {};
  for (const answer of answers) {
    if (answer === emailAnswer || Object.keys(fields).length >= MAX_FIELDS) continue;
    const ref = object(answer.field).ref;
    const value = answerValue(answer);
    if (typeof ref === 'string' && FIELD_NAME.test(ref) && value !== null) fields[ref] = value;
  }
  if (Object.keys(fields).length === 0) {
    return { ok: false, ignored: 'no answer has a ref usable as a field name' };
  }
  return { ok: true, value: { email, fields } };
}

function answerValue(answer: Json): FieldValue | null {
  const type = typeof answer.type === 'string' ? answer.type : '';
  switch (type) {
    case 'text':
    case 'email':
    case 'url':
    case 'date':
    case 'phone_number':
      return typeof answer[type] === 'string' ? answer[type].slice(0, MAX_VALUE) : null;
    case 'choice':
      return (
        text(object(answer.choice).label ?? object(answer.choice).other)?.slice(0, MAX_VALUE) ??
        null
      );
    case 'choices': {
      const choices = object(answer.choices);
      const labels = Array.isArray(choices.labels)
        ? (choices.labels as unknown[]).filter(
            (label): label is string => typeof label === 'string',
          )
        : [];
      if (typeof choices.other === 'string') labels.push(choices.other);
      return labels.length > 0 ? labels.join(', ').slice(0, MAX_VALUE) : null;
    }
    case 'number':
      return typeof answer.number === 'number' && Number.isFinite(answer.number)
        ? answer.number
        : null;
    case 'boolean':
      return typeof answer.boolean === 'boolean' ? answer.boolean : null;
    default:
      return null;
  }
}

export interface OrderInput {
  email: string;
  id: string;
  /** The shop's order name: `#1001`. */
  name: string;
  total: string;
  currency: string;
  items: number;
}

/**
 * Shopify `orders/create`: the order's `email` (else `contact_email`, else the customer's), `name`
 * (`#1001`), `total_price` and `currency`, and how many line items.
 */
export function readShopifyOrder(payload: unknown): Reading<OrderInput> {
  const order = object(payload);
  const email =
    readEmail(order.email) ??
    readEmail(order.contact_email) ??
    readEmail(object(order.customer).email);
  if (!email) return { ok: false, ignored: 'the order has no valid email' };
  const id = typeof order.id === 'number' || typeof order.id === 'string' ? String(order.id) : '';
  const name = text(order.name) ?? (id ? `order ${id}` : 'an order');
  return {
    ok: true,
    value: {
      email,
      id: id.slice(0, 64),
      name: name.slice(0, 64),
      total: (typeof order.total_price === 'number'
        ? order.total_price.toFixed(2)
        : (text(order.total_price) ?? '?')
      ).slice(0, 32),
      currency: (text(order.currency) ?? '').slice(0, 8),
      items: Array.isArray(order.line_items) ? order.line_items.length : 0,
    },
  };
}
