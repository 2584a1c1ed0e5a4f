import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOKS_DEFAULTS } from './webhooks.options';

const UNITS: Record<string, number> = {
  '': 1,
  ms: 1,
  s: 1_000,
  min: 60_000,
  h: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
  KiB: 1_024,
  MiB: 1_048_576,
};

/** A default as the README writes it: `true`, `'text'`, `{}`, `5 min`, `256 KiB`, `[5 s, 5 min]`, or a function's name. */
function parseDefault(text: string): unknown {
  const value = text.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^'.*'$/.test(value)) return value.slice(1, -1);
  if (value === '{}') return {};
  if (value.startsWith('[') && value.endsWith(']')) {
    const items = value
      .slice(1, -1)
      .split(',')
      .map((item) => item.trim());
    return items.filter((item) => item !== '').map(parseDefault);
  }
  const amount = /^(\d+(?:\.\d+)?)(?:\s*([A-Za-z]+))?$/.exec(value);
  if (amount && (amount[2] ?? '') in UNITS) return Number(amount[1]) * UNITS[amount[2] ?? ''];
  return { functionNamed: value };
}

/** `option → default cell` of the README's options table. */
function documentedDefaults(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Options\n'));
  if (!section) throw new Error('README.md has no "## Options" section');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const option = /^`([\w.]+)`$/.exec(cells[1] ?? '');
    const value = /`([^`]*)`/.exec(cells[2] ?? '');
    if (option && value) rows.set(option[1], value[1]);
  }
  return rows;
}

/** `option → default`, groups flattened to `group.option`. */
function codeDefaults(): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(WEBHOOKS_DEFAULTS)) {
    const isGroup = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isGroup) flat.set(key, value);
    else for (const [name, inner] of Object.entries(value)) flat.set(`${key}.${name}`, inner);
  }
  return flat;
}

describe("the README's options table", () => {
  const documented = documentedDefaults();
  const defaults = codeDefaults();

  it('documents every option, and only options', () => {
    expect([...documented.keys()].sort()).toEqual([...defaults.keys()].sort());
  });

  it.each([...defaults.entries()])('gives the default of %s', (option, value) => {
    const cell = documented.get(option);
    expect(cell).toBeDefined();
    const expected = typeof value === 'function' ? { functionNamed: value.name } : value;
    expect(parseDefault(cell!)).toEqual(expected);
  });
});
