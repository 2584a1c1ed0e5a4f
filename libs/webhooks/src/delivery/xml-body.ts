import { XMLBuilder } from 'fast-xml-parser';

/** One node of fast-xml-parser's ordered form: `{ name: children, ':@': attributes }`. */
type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
});

/** Names every XML parser accepts as they are; others go in `<entry key="…">`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Characters XML 1.0 cannot carry, even escaped (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The envelope as XML (docs/delivery.md, "XML"): `<webhook>` holds one element per field. An object's
 * keys become child elements (a key that is not a plain XML name, or starts with `xml`, becomes
 * `<entry key="…">`), an array's items `<item>` elements; every value that is not a string says
 * what it is in a `type` attribute (`object`, `array`, `number`, `boolean`, `null`), so the JSON
 * envelope can be rebuilt exactly. Characters XML cannot carry become U+FFFD.
 */
export function renderXmlEnvelope(envelope: Record<string, unknown>): string {
  const declaration: XmlNode = {
    '?xml': [{ '#text': '' }],
    ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' },
  };
  return builder.build([declaration, { webhook: childrenOf(envelope) }]);
}

function childrenOf(object: Record<string, unknown>): XmlNode[] {
  return Object.entries(object).map(([key, value]) =>
    PLAIN_NAME.test(key) && !/^xml/i.test(key)
      ? element(key, value)
      : element('entry', value, { '@_key': xmlText(key) }),
  );
}

function element(name: string, value: unknown, attributes: Record<string, string> = {}): XmlNode {
  const node = (children: XmlNode[], type?: string): XmlNode => {
    const all = type ? { ...attributes, '@_type': type } : attributes;
    return Object.keys(all).length > 0 ? { [name]: children, ':@': all } : { [name]: children };
  };
  if (typeof value === 'string') return node(value === '' ? [] : [{ '#text': xmlText(value) }]);
  if (value === null || value === undefined) return node([], 'null');
  if (typeof value === 'number' || typeof value === 'boolean') {
    return node([{ '#text': String(value) }], typeof value);
  }
  if (Array.isArray(value))
    return node(
      value.map((item: unknown) => element('item', item)),
      'array',
    );
  return node(childrenOf(value as Record<string, unknown>), 'object');
}

function xmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD');
}
