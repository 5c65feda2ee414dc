/**
 * Jest's node environment that, in a mutation run, skips the rest of the suite once a test
 * has failed. Stryker needs one failing test to count a mutant as killed, and Jest's own
 * `bail` acts per suite file, while the mutation runs load every test as one suite
 * (test/mutation-suite.ts). A mutant that no test covers by name (code run while modules
 * load) runs the whole suite; with this, a killed one stops at its first failure.
 *
 * Only mutant runs are cut short (Stryker names the active mutant in an environment
 * variable); its first run, which must pass whole, and any other Jest run are unchanged.
 * Used by jest.stryker.config.js only; with Stryker's --disableBail it would list only the
 * first killing test of each mutant.
 */
const { TestEnvironment } = require("jest-environment-node");

class FailFastEnvironment extends TestEnvironment {
    failed = false;

    async handleTestEvent(event) {
        if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return;
        if (event.name === "test_fn_failure" || event.name === "hook_failure") {
            this.failed = true;
        } else if (event.name === "test_start" && this.failed) {
            // jest-circus reads the mode after this event, so the test is reported as skipped.
            event.test.mode = "skip";
        }
    }
}

module.exports = FailFastEnvironment;
