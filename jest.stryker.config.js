/**
 * Jest as Stryker runs it: the unit tests of the mutated folders (config/ and policy/).
 * Program tests (plan, serving, region components) also load this code, but each takes
 * tens of seconds and Stryker reruns every test that covers a mutant, so a run over them
 * would take days on two cores; the pack's standalone test installs packages from the
 * registry. The score measures what the folders' own tests pin down.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    testMatch: [
        "<rootDir>/test/policy-*.test.ts",
        "<rootDir>/test/config*.test.ts",
        "<rootDir>/test/serving-config-rules.test.ts",
        "<rootDir>/test/traffic-config.test.ts",
        "<rootDir>/test/support-calendar.test.ts",
        "<rootDir>/test/stackfile.test.ts",
    ],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/policy-standalone.test.ts"],
};
