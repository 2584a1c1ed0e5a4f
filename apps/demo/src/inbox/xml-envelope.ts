import { XMLParser } from 'fast-xml-parser';

/** One node of fast-xml-parser's ordered form: `{ name: children, ':@': attributes }` or `{ '#text': … }`. */
type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Strings stay as sent: the `type` attributes say what is not a string.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/**
 * The envelope of a `payloadFormat: 'xml'` delivery, back as the JSON it was made from (the mapping
 * of docs/delivery.md, "XML": `type` attributes, `<item>` for array items, `<entry key="…">` for
 * keys that are no XML names); null if the text is not such an envelope. Only call it on a body
 * whose signature verified: it comes from the library, not from whoever posted.
 */
export function readXmlEnvelope(xml: string): Record<string, unknown> | null {
  let nodes: unknown;
  try {
    nodes = parser.parse(xml);
  } catch {
    return null;
  }
  const root = Array.isArray(nodes) ? elementsOf(nodes as XmlNode[])[0] : undefined;
  if (root?.name !== 'webhook') return null;
  return Object.fromEntries(elementsOf(root.children).map(({ key, value }) => [key, value]));
}

interface XmlElement {
  name: string;
  /** The JSON key it stands for. */
  key: string;
  children: XmlNode[];
  value: unknown;
}

function elementsOf(nodes: XmlNode[]): XmlElement[] {
  return nodes.flatMap((node) => {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
    if (name === undefined) return [];
    const children = Array.isArray(node[name]) ? (node[name] as XmlNode[]) : [];
    const attributes = (node[':@'] ?? {}) as Record<string, unknown>;
    const key = name === 'entry' && typeof attributes.key === 'string' ? attributes.key : name;
    return [{ name, key, children, value: valueOf(children, attributes.type) }];
  });
}

function valueOf(children: XmlNode[], type: unknown): unknown {
  switch (type) {
    case 'null':
      return null;
    case 'number':
      return Number(textOf(children));
    case 'boolean':
      return textOf(children) === 'true';
    case 'array':
      return elementsOf(children).map(({ value }) => value);
    case 'object':
      return Object.fromEntries(elementsOf(children).map(({ key, value }) => [key, value]));
    default:
      return textOf(children);
  }
}

function textOf(children: XmlNode[]): string {
  return children.map((node) => (typeof node['#text'] === 'string' ? node['#text'] : '')).join('');
}
