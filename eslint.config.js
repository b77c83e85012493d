// ESLint flat config: typescript-eslint's recommended rules, without type
// information (fast). Line length and layout are prettier's (.prettierrc.json).
// .svelte files are not linted (one example component; no svelte plugin).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'test-output/', 'bench-results/', 'scratch/']),
  {
    files: ['{src,machines,test,scripts,examples}/**/*.{ts,tsx}', '*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // `any` is reported but does not fail the lint: the few uses erase a
      // client's type parameters (MinchClient<any, any, any>) or match XState's
      // clock type. Prefer `unknown` in new code.
      '@typescript-eslint/no-explicit-any': 'warn',
      // A leading underscore marks a parameter that is there for its type or
      // position only, e.g. `(_, _params: { id: string }) => ...` in machines/.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['{src,machines}/**/*.ts'],
    rules: {
      // fp-ts's index loads all of fp-ts (~2.5 MB of heap, enough to push a busy process into repeated
      // full GCs), and its lib/ files are CommonJS that a bundler cannot shake (27 KB of a browser
      // bundle). The library takes fp-ts's types only; src/core/either.ts has the functions it runs.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fp-ts', 'fp-ts/*'],
              allowTypeImports: true,
              message: "Use src/core/either.ts; import only types from 'fp-ts/lib/Either.js'.",
            },
          ],
        },
      ],
    },
  },
);
