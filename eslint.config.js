// Flat config: TypeScript everywhere, Vue SFCs in renderer/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      'release/**',
      '.gpu/**',
      'coverage/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'vue/multi-word-component-names': 'off',
      // Prettier owns formatting.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  // Import boundaries: the layering of DESIGN.md, top to bottom — electron/ and src/cli →
  // src/server / IPC → src/api → src/experiments → db/ and src/core. A lower layer never
  // imports a higher one; the renderer talks only to the browser-safe contract.
  ...boundaries([
    {
      files: ['renderer/src/**/*.{ts,vue}'],
      message:
        'the renderer imports only the API contract (src/api/contract.ts, types.ts, client.ts) and the preload API type',
      regex:
        '^(\\.\\./)+(?!src/api/(contract|types|client)$|electron/preload-api$)(src|db|electron|bench|scripts)/|^node:',
    },
    {
      files: ['src/core/**/*.ts'],
      message:
        'src/core is the bottom layer: it imports no db/, experiments, api, server, cli or electron',
      regex: '(^|/)(db|experiments|api|server|cli|electron)/',
    },
    {
      files: ['db/**/*.ts'],
      message: 'db/ imports nothing from src/ beyond src/core',
      regex: '(^|/)src/(?!core/)|(^|/)(experiments|api|server|cli|electron)/',
    },
    {
      files: ['src/experiments/**/*.ts'],
      message: 'src/experiments sits below the API: it imports no api, server, cli or electron',
      regex: '(^|/)(api|server|cli|electron)/',
    },
    {
      files: ['src/api/**/*.ts'],
      message: 'src/api sits below the transports: it imports no server, cli or electron',
      regex: '(^|/)(server|cli|electron)/',
    },
  ]),
);

/** Per layer: static imports (`no-restricted-imports`) and dynamic `import()` alike. */
function boundaries(layers) {
  return layers.map(({ files, message, regex }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`,
          message: `dynamic import: ${message}`,
        },
      ],
    },
  }));
}
