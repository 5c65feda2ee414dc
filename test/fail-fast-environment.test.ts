/**
 * The environment mutation runs use (test/support/fail-fast-environment.js), run by a real
 * Jest: it relies on jest-circus reading a test's mode after the test_start event, which a
 * Jest upgrade could change.
 */
import { execFileSync } from "child_process";
import * as path from "path";

interface JestSummary {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
}

function runFixture(env: NodeJS.ProcessEnv): JestSummary {
    const jest = require.resolve("jest/bin/jest");
    const config = path.join(__dirname, "fixtures", "fail-fast", "jest.config.js");
    let stdout: string;
    try {
        stdout = execFileSync(process.execPath, [jest, "--config", config, "--json"], {
            env,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        // The fixture has a failing test, so Jest exits 1 after printing its summary.
        stdout = (error as { stdout: string }).stdout;
    }
    return JSON.parse(stdout) as JestSummary;
}

function withoutMutant(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.__STRYKER_ACTIVE_MUTANT__;
    return env;
}

test("in a mutant's run, the tests after the first failure are skipped", () => {
    const summary = runFixture({ ...withoutMutant(), __STRYKER_ACTIVE_MUTANT__: "7" });
    expect([summary.numPassedTests, summary.numFailedTests, summary.numPendingTests]).toEqual([1, 1, 2]);
});

test("in any other run, every test runs", () => {
    const summary = runFixture(withoutMutant());
    expect([summary.numPassedTests, summary.numFailedTests, summary.numPendingTests]).toEqual([3, 1, 0]);
});
