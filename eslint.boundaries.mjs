// @ts-check
/**
 * Folders of the library import only downward: each layer may use its own folder and the layers
 * before it, never one after it, so no two folders import each other. The files at the library's
 * root are the bottom (options, errors, constants, queue settings: they import no folder) and the
 * top (the module, its definition and providers, the public index: nothing imports them).
 */
const LIB = 'libs/webhooks/src';

/** Bottom first. */
const LAYERS = [
  ['common', 'signing', 'migrations', 'tracing'],
  ['catalogue', 'security', 'lifecycle', 'admin', 'templates', 'filters'],
  ['storage'],
  ['metrics', 'openapi'],
  ['delivery'],
  ['events', 'health', 'history'],
  ['subscriptions', 'portal'],
  ['inbound'],
];

const ROOT_ASSEMBLY = [
  'webhooks.module.ts',
  'webhooks.module-definition.ts',
  'webhooks.providers.ts',
  'index.ts',
];

const elements = LAYERS.flat().map((type) => ({ type, pattern: `${LIB}/${type}` }));

const files = [{ category: 'assembly', pattern: ROOT_ASSEMBLY.map((file) => `${LIB}/${file}`) }];

const policies = [
  ...LAYERS.flatMap((layer, index) =>
    layer.map((type) => ({
      from: { element: { type } },
      allow: {
        to: { element: { types: { anyOf: [type, ...LAYERS.slice(0, index).flat()] } } },
      },
    })),
  ),
  // The root's top assembles everything…
  {
    from: { file: { categories: 'assembly' } },
    allow: { to: [{ element: { type: '*' } }, { file: { categories: 'assembly' } }] },
  },
  // …and nothing else imports it.
  {
    from: { file: { categories: { noneOf: ['assembly'] } } },
    disallow: { to: { file: { categories: 'assembly' } } },
  },
];

/** The root's bottom files (options, errors, constants, queue settings) import no folder. */
const ROOT_SETTINGS = ['constants', 'errors', 'options', 'queue'].map(
  (name) => `${LIB}/webhooks.${name}.ts`,
);

export const layeredFolders = [
  {
    // The demo is a host like any other: it uses the package's public entry only.
    files: ['apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/libs/**'], message: 'import from the package entry instead' }] },
      ],
    },
  },
  {
    // The stores are the only code that reaches the module's tables through TypeORM's data source.
    files: [`${LIB}/*/**/*.ts`],
    ignores: [`${LIB}/storage/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@nestjs/typeorm', message: 'only storage/ uses the data source' }] },
      ],
    },
  },
  {
    files: ROOT_SETTINGS,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./*/**'], message: 'the root settings files import no folder' }] },
      ],
    },
  },
  {
    files: [`${LIB}/**/*.ts`],
    ignores: [`${LIB}/**/*.spec.ts`],
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', checkInternals: false, policies },
      ],
    },
  },
];
