import { DOMParser, type Element } from '@xmldom/xmldom';
import { renderWebhookBody } from './webhook-body';

/** Rebuilds JSON from the documented mapping, on a DOM from an XML parser that is not ours. */
function decode(element: Element): unknown {
  const children = Array.from(element.childNodes).filter(
    (node): node is Element => node.nodeType === node.ELEMENT_NODE,
  );
  switch (element.getAttribute('type')) {
    case 'null':
      return null;
    case 'number':
      return Number(element.textContent);
    case 'boolean':
      return element.textContent === 'true';
    case 'array':
      return children.map(decode);
    case 'object':
      return Object.fromEntries(
        children.map((child) => [child.getAttribute('key') ?? child.tagName, decode(child)]),
      );
    default:
      return element.textContent ?? '';
  }
}

function parse(xml: string): Element {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'application/xml');
  expect(errors).toEqual([]);
  return document.documentElement as Element;
}

const EVENT = {
  id: '01935f3c-0000-7000-8000-000000000001',
  type: 'contact.subscribed',
  occurredAt: new Date('2026-12-06T08:00:00.000Z'),
  source: 'api' as const,
  listId: '42',
};

describe('the XML payload format', () => {
  it('carries the envelope so that an independent parser gets it back exactly', () => {
    const data = {
      contact: { email: 'ada@example.com', firstName: 'Ada', score: 4.5, vip: true, phone: null },
      tags: ['a', 'b', ['nested', 1]],
      empty: { object: {}, array: [], string: '' },
      'a key with spaces': 1,
      '1starts-with-digit': 'x',
      xmlns: 'reserved prefix',
      '<evil attr="1">': '</webhook><injected/>',
      markup: '<img src=x onerror=alert(1)> & "quotes"',
      unicode: 'Grüße 🎉 — 日本',
    };
    const { body, contentType } = renderWebhookBody(
      { ...EVENT, dataJson: JSON.stringify(data) },
      'xml',
    );
    expect(contentType).toBe('application/xml; charset=utf-8');
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><webhook>')).toBe(true);
    const root = parse(body);
    expect(root.tagName).toBe('webhook');
    expect(decode(withType(root, 'object'))).toEqual({
      id: EVENT.id,
      type: EVENT.type,
      timestamp: '2026-12-06T08:00:00.000Z',
      source: 'api',
      listId: '42',
      data,
    });
    expect(root.getElementsByTagName('injected')).toHaveLength(0);
    expect(root.getElementsByTagName('img')).toHaveLength(0);
  });

  it('replaces characters XML 1.0 cannot carry, and keeps every other one', () => {
    const data = { text: 'bell\u0007 nul\u0000 lone\uD800 tab\t line\n ok' };
    const { body } = renderWebhookBody({ ...EVENT, dataJson: JSON.stringify(data) }, 'xml');
    const decoded = decode(withType(parse(body), 'object')) as { data: { text: string } };
    expect(decoded.data.text).toBe('bell\uFFFD nul\uFFFD lone\uFFFD tab\t line\n ok');
  });
});

/** The root `<webhook>` is an object without saying so (it is always one). */
function withType(element: Element, type: string): Element {
  element.setAttribute('type', type);
  return element;
}
