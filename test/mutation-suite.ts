/**
 * The unit tests of config/ and policy/ as one Jest suite, for mutation runs.
 *
 * Stryker reruns the tests that cover a mutant once per mutant, in a fresh module
 * registry. As separate files, each of them loads the SDK, zod and the schemas again
 * (about half a second per file); as one suite they load once per mutant. Each file's
 * tests and hooks stay inside a describe block named after the file, so its hooks apply
 * only to its own tests, as they do when the file runs alone.
 *
 * Stryker's incremental mode knows a test by its name and the file Jest reports, and Jest
 * reports this file for every test here. The block's name carries a digest of the file's
 * text, so an edited file's tests count as new and the mutants they covered run again.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * `MUTATION_FOLDER=config` or `=policy` narrows the suite to that folder's tests: `npm run
 * mutate` measures each folder in its own run, so a mutant whose code runs while modules
 * load (which Stryker cannot tie to tests) runs one folder's tests, not both.
 */
const folder = process.env.MUTATION_FOLDER;
if (folder !== undefined && folder !== "config" && folder !== "policy") {
    throw new Error(`MUTATION_FOLDER is ${JSON.stringify(folder)}; fix: set it to config or policy, or unset it`);
}

/** The files the mutation score is measured with: the folders' own unit tests. */
export const mutationTestFiles: readonly string[] = fs
    .readdirSync(__dirname)
    .filter((name) =>
        /^(policy-.+|config.*|serving-config-rules|traffic-config|support-calendar|stackfile|cost-estimate|idle-pools)\.test\.ts$/.test(
            name,
        ),
    )
    // The standalone pack test installs packages from the registry.
    .filter((name) => name !== "policy-standalone.test.ts")
    .filter((name) => folder === undefined || (folder === "policy") === name.startsWith("policy-"))
    .sort();

for (const name of mutationTestFiles) {
    const file = path.join(__dirname, name);
    const digest = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 12);
    describe(`${name} ${digest}`, () => {
        require(file);
    });
}
