import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/// The layers of DESIGN.md, each with the folders of ours it may import. Anything else of
/// ours is refused, so dependencies point one way: the sync runtime never reaches an
/// adapter, and nothing imports the two composition roots (ui, cloud-peer).
const LAYERS = {
  schema: [],
  sync: ['schema'],
  identity: [],
  storage: ['sync', 'schema'],
  net: ['storage', 'identity', 'sync', 'schema'],
  // The notes app's domain (its tables, document schema, intents, formats, sharing rules),
  // shared by the two composition roots; pure like the runtime it builds on.
  notes: ['identity', 'sync', 'schema'],
  'cloud-peer': ['notes', 'net', 'storage', 'identity', 'sync', 'schema'],
  ui: ['notes', 'net', 'storage', 'identity', 'sync', 'schema'],
};
/// Packages a pure layer must not touch: UI frameworks, the network, the platform.
const IMPURE = ['react', 'react-dom', 'react-dom/*', 'libp2p', '@libp2p/*', 'node:*', '@vlcn.io/*'];
const PURE_LAYERS = new Set(['schema', 'sync', 'identity', 'notes']);

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`src/${layer}/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((other) => ({
              group: [`**/${other}`, `**/${other}/**`],
              message: `src/${layer} may not import src/${other} (see the layers in DESIGN.md)`,
            })),
            ...(PURE_LAYERS.has(layer)
              ? [{ group: IMPURE, message: `src/${layer} is pure: platform, network and UI reach it through injected ports` }]
              : []),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'dist-harness/', 'node_modules/', 'bench/results/', 'test-results/', 'playwright-report/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRules,
);
