import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem, FleetConfig, resolveConfig, validateSettings } from "../config";
import { FleetMocks } from "../tools/mocks";
import { namespaceConfig, readStackFile } from "../tools/stackfile";
import { setPath } from "./key-path";

/**
 * The one mocks helper every test uses: real SDK, mocked engine. Call `useMocks()` at the
 * top of a test file (before importing components is fine; resources are only created in
 * tests).
 */
export async function useMocks(stack = "test", preview = false): Promise<FleetMocks> {
    const mocks = new FleetMocks();
    await pulumi.runtime.setMocks(mocks, "modelfleet", stack, preview);
    return mocks;
}

/** The value of an output, for assertions. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/** Waits until every resource registration queued so far has reached the mocks. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Raw `modelfleet:*` config of a committed stack file (secure values read as "[secret]"). */
export function stackSettings(stack: "dev" | "prod"): Record<string, unknown> {
    const file = readStackFile(path.join(__dirname, "..", `Pulumi.${stack}.yaml`));
    return structuredClone(namespaceConfig(file.config, "modelfleet"));
}

/** A validated FleetConfig from raw settings, as loadConfig() would give the program. */
export function fleetConfig(raw: Record<string, unknown>, stack = "test"): FleetConfig {
    return resolveConfig(validateSettings(raw), raw, { project: "modelfleet", stack });
}

export { setPath } from "./key-path";

/** The problems raw settings yield (none when they validate); `stack` as the plan passes it. */
export function problemsOf(raw: Record<string, unknown>, stack?: string): ConfigProblem[] {
    try {
        validateSettings(raw, { stack });
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

export type Edits = Array<[string, unknown]>;

/** Applies edits to a fresh copy of a committed stack's settings and returns the problems. */
export function mutate(stack: "dev" | "prod", edits: Edits): ConfigProblem[] {
    const raw = stackSettings(stack);
    for (const [keyPath, value] of edits) setPath(raw, keyPath, value);
    return problemsOf(raw);
}
