import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "out/**", ".build/**", ".venv-e2e/**", "**/*.js", "**/*.mjs", "policy/node_modules/**"] },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/ban-ts-comment": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // The offline plan and tests load the program and tools lazily with require().
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
