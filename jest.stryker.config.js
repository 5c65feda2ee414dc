/**
 * Jest as Stryker runs it: the unit tests of the mutated folders (config/ and policy/).
 * Program tests (plan, serving, region components) also load this code, but each takes
 * tens of seconds and Stryker reruns every test that covers a mutant, so a run over them
 * would take days on two cores; the pack's standalone test installs packages from the
 * registry. The score measures what the folders' own tests pin down.
 */
const path = require("path");
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    // One suite that loads the unit tests of both folders once (test/mutation-suite.ts).
    testMatch: ["<rootDir>/test/mutation-suite.ts"],
    // Jest lists the files under its roots before every run, and Stryker starts one run per
    // mutant: the tests' folder is enough (modules elsewhere load by their relative paths).
    roots: ["<rootDir>/test"],
    // Keeps compiled module code between those runs (test/support/caching-runtime.js).
    runtime: "<rootDir>/test/support/caching-runtime.js",
    // Ends a mutant's run at its first failing test. An absolute path: Stryker loads the
    // environment itself, before Jest would expand <rootDir>.
    testEnvironment: path.join(__dirname, "test", "support", "fail-fast-environment.js"),
};
