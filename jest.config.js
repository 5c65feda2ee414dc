/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
    moduleFileExtensions: ["ts", "js", "json"],
    // Program tests share the Pulumi runtime's global state; one file at a time per worker.
    maxWorkers: 2,
    testTimeout: 60000,
    // Program tests load the provider SDKs in every file; restart a worker that has grown
    // rather than let it run out of memory on a long run.
    workerIdleMemoryLimit: "1536MB",
    // The tools' built copy (npm scripts) is not a second source of modules for the tests.
    modulePathIgnorePatterns: ["<rootDir>/.build/", "<rootDir>/.stryker-tmp/"],
};
