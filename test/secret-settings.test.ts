import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { keepSettingsSecret } from "../config";
import { useMocks } from "./mocks";
import type { PlanResource } from "../tools/contracts";
import { SECRET_MARKER } from "../tools/contracts";
import { readStackFile } from "../tools/stackfile";

/**
 * A plain setting set with `pulumi config set --secret` keeps its secret status: the runtime
 * passes the key as secret (as the CLI does for a key with any encrypted value under it), and
 * every resource input and stack output holding its value is a secret, redacted in plan.json.
 */

const ROOT = path.join(__dirname, "..");

interface Offline {
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    errors: Error[];
}

/** The dev stack under the mock engine, with `secretKeys` added to the keys the CLI marks secret. */
async function runDev(secretKeys: string[], edit: (config: Record<string, unknown>) => void = () => undefined): Promise<Offline> {
    const stack = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"));
    const config = JSON.parse(JSON.stringify(stack.config)) as Record<string, unknown>;
    edit(config);
    let run: Offline = { resources: [], outputs: {}, errors: [] };
    await jest.isolateModulesAsync(async () => {
        const { runOffline } = await import("../tools/plan/engine");
        run = await runOffline({
            project: "modelfleet",
            stack: "dev",
            config,
            secretKeys: [...stack.secretKeys, ...secretKeys],
            program: () => require(path.join(ROOT, "index")) as Record<string, unknown>,
        });
    });
    return run;
}

/** Every text leaf of the plan's inputs and outputs. */
function texts(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(texts);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(texts);
    return [];
}

const DIGEST = "sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";

describe("a plain setting set with --secret", () => {
    let plain: Offline;
    let secret: Offline;
    beforeAll(async () => {
        plain = await runDev([]);
        // `pulumi config set --secret --path 'images.torchserveLlmDigest' ...`: the CLI passes modelfleet:images as secret.
        secret = await runDev(["modelfleet:images"]);
    }, 120_000);

    it("is in plain text without --secret", () => {
        expect(plain.errors).toEqual([]);
        const holding = plain.resources.filter((r) => texts(r.inputs).some((t) => t.includes(DIGEST)));
        expect(holding.map((r) => r.type)).toContain("kubernetes:apps/v1:Deployment");
    });

    it("is redacted in every input that held it, and the plan is otherwise the same", () => {
        expect(secret.errors).toEqual([]);
        expect(secret.resources.map((r) => r.urn)).toEqual(plain.resources.map((r) => r.urn));
        expect(secret.resources.flatMap((r) => texts(r.inputs)).filter((t) => t.includes(DIGEST))).toEqual([]);
        const deployment = (run: Offline) => run.resources.find((r) => r.name === "use1-serving-torchserve-blue") as PlanResource;
        expect(JSON.stringify(deployment(plain).inputs["spec"])).toContain(`@${DIGEST}"`);
        // The pod spec is built as one Output, so all of it is secret; what names the object stays readable.
        expect(deployment(secret).inputs["spec"]).toBe(SECRET_MARKER);
        expect((deployment(secret).inputs["metadata"] as Record<string, unknown>)["name"]).toBe("torchserve-blue");
    });

    it("is redacted in the stack outputs too", () => {
        expect(texts(plain.outputs).filter((t) => t.includes(DIGEST))).toEqual([]);
        expect(texts(secret.outputs).filter((t) => t.includes(DIGEST))).toEqual([]);
    });
});

describe("keepSettingsSecret", () => {
    it("refuses a resource named with a secret value (a URN is never encrypted), naming the key", async () => {
        await useMocks("dev");
        await pulumi.runtime.runInPulumiStack(async () => {
            keepSettingsSecret([{ path: "regions[0].name", value: "use1" }]);
            expect(() => new random.RandomId("use1-suffix", { byteLength: 4 })).toThrow(
                "modelfleet:regions[0].name is secret, but the program names resource 'use1-suffix' with it, and a URN is never encrypted (Pulumi passes all of modelfleet:regions as secret when any value under it was set with --secret); fix: keep every value under modelfleet:regions plain: pulumi config set --path 'regions[0].name' <value>",
            );
            return {};
        });
    });
});
