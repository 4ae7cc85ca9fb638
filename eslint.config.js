// ESLint: typescript-eslint's recommended rules over every source file of the project, plus the
// rules that need type information and find real bugs in asynchronous code (a promise left
// floating or passed where none is expected, an await of something that is no promise, a throw
// of something that is no Error). Generated and produced files are left out. Formatting is
// Prettier's (npm run format).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", ".gen/", "cdktf.out/", "state/", "snapshots/", ".offline/", ".cache/", "bench/results/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/prefer-promise-reject-errors": "error",
      // Naming a property only to leave it out of the rest ({ a: _a, ...others }) is what the rest is for.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    // Plain JavaScript run by Node (the fake Terraform, this file): Node's globals.
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly" } },
  },
);
