import { spawnSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { OfflineRun } from "../tools/plan/engine";
import { outputsOnFirstRead, withoutSourcePositions } from "../tools/plan/shortcuts";
import { readStackFile } from "../tools/stackfile";
import { promiseOf } from "./mocks";

/**
 * The offline plan skips SDK work that nothing offline reads. A resource's Outputs are
 * built when first read, and resources carry no source positions. Each skip must leave
 * what the program sees, and so the plan, as it was.
 */

type Transfer = (onto: Record<string, unknown>, label: string, props: Record<string, unknown>) => Record<string, unknown>;
const rpc = require("@pulumi/pulumi/runtime/rpc") as { transferProperties: Transfer };

/** Whether the SDK counts an Output's value as known (unknowns never reach `apply`). */
interface OutputInternals {
    isKnown: Promise<boolean>;
}

/** A custom resource with two properties, under a mock engine that answers `state`. */
class Thing extends pulumi.CustomResource {
    declare readonly size: pulumi.Output<number>;
    declare readonly label: pulumi.Output<string>;
    constructor(name: string, size: number) {
        super("test:index:Thing", name, { size, label: undefined });
    }
}

const engineAnswers = (state: Record<string, unknown>, fail?: string): pulumi.runtime.Mocks => ({
    newResource: (args) => {
        if (fail !== undefined) throw new Error(fail);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...state } };
    },
    call: () => ({}),
});

/** Counts the Outputs the SDK's own transferProperties builds while `run` goes. */
async function countingBuilds<T>(run: (built: string[]) => Promise<T>): Promise<{ result: T; built: string[] }> {
    const sdk = rpc.transferProperties;
    const built: string[] = [];
    rpc.transferProperties = (onto, label, props) => {
        built.push(...Object.keys(props));
        return sdk(onto, label, props);
    };
    const restore = outputsOnFirstRead();
    try {
        return { result: await run(built), built };
    } finally {
        restore();
        rpc.transferProperties = sdk;
    }
}

describe("a resource's Outputs built when first read", () => {
    beforeEach(() => pulumi.runtime.setMocks(engineAnswers({ label: "from-engine" }), "project", "stack", true));

    test("a property read after the registration answered has the engine's value; one never read is never built", async () => {
        const { result, built } = await countingBuilds(async (builtSoFar) => {
            const thing = new Thing("a", 3);
            await promiseOf(thing.urn);
            expect(builtSoFar).toEqual([]);
            return { label: await promiseOf(thing.label), known: await (thing.label as unknown as OutputInternals).isKnown };
        });
        expect(result).toEqual({ label: "from-engine", known: true });
        expect(built).toEqual(["label"]);
    });

    test("a property read before the registration answers resolves when it does", async () => {
        const { result } = await countingBuilds(async () => {
            const thing = new Thing("b", 4);
            const size = promiseOf(thing.size);
            expect(pulumi.Output.isInstance(thing.size)).toBe(true);
            return size;
        });
        expect(result).toBe(4);
    });

    test("the same Output on every read, and its resource is the one that owns it", async () => {
        await countingBuilds(async () => {
            const thing = new Thing("c", 5);
            expect(thing.size).toBe(thing.size);
            expect([...(thing.size as unknown as { resources(): Set<pulumi.Resource> }).resources()]).toEqual([thing]);
        });
    });

    test("the properties stay own and enumerable, read or not", async () => {
        await countingBuilds(async () => {
            const thing = new Thing("d", 6);
            expect(Object.keys(thing)).toEqual(expect.arrayContaining(["size", "label"]));
            void thing.size;
            expect(Object.prototype.hasOwnProperty.call(thing, "size")).toBe(true);
            expect(Object.getOwnPropertyDescriptor(thing, "size")?.enumerable).toBe(true);
            expect(Object.keys(thing)).toEqual(expect.arrayContaining(["size", "label"]));
        });
    });

    test("a property the program assigns keeps what it assigned", async () => {
        await countingBuilds(async () => {
            const thing = new Thing("e", 7) as unknown as Record<string, unknown>;
            thing["label"] = "set-by-program";
            expect(thing["label"]).toBe("set-by-program");
        });
    });

    test("what the registration gave before the first read (an error included) reaches the Output when it is built", () => {
        const sdk = rpc.transferProperties;
        const handed: unknown[][] = [];
        rpc.transferProperties = (onto, _label, props) => {
            const key = Object.keys(props)[0];
            onto[key] = `output of ${key}`;
            return { [key]: (...args: unknown[]) => handed.push([key, ...args]) };
        };
        const restore = outputsOnFirstRead();
        try {
            const resource: Record<string, unknown> = {};
            const resolvers = rpc.transferProperties(resource, "resource:x", { size: 1, label: undefined }) as Record<
                string,
                (...a: unknown[]) => void
            >;
            const refused = new Error("the engine refused it");
            resolvers["size"](undefined, true, false, [], refused);
            expect(handed).toEqual([]);
            expect(resource["size"]).toBe("output of size");
            expect(handed).toEqual([["size", undefined, true, false, [], refused]]);
            // Built first, answered after: the answer goes straight through.
            expect(resource["label"]).toBe("output of label");
            resolvers["label"]("from-engine", true, false, []);
            expect(handed[1]).toEqual(["label", "from-engine", true, false, []]);
        } finally {
            restore();
            rpc.transferProperties = sdk;
        }
    });

    test("a property already on the resource fails as the SDK's own does", () => {
        const restore = outputsOnFirstRead();
        try {
            expect(() => rpc.transferProperties({ size: 1 }, "resource:x", { size: 2 })).toThrow(
                "Property 'size' is already initialized on target 'resource:x",
            );
        } finally {
            restore();
        }
    });

    test("the returned function puts the SDK's own transferProperties back", () => {
        const sdk = rpc.transferProperties;
        outputsOnFirstRead()();
        expect(rpc.transferProperties).toBe(sdk);
    });
});

describe("resources without source positions", () => {
    const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };

    test("no frames are captured while it is on, and the SDK's capture comes back after", () => {
        const sdk = resourceClass.stackTrace;
        expect(sdk.call(pulumi.Resource, 0).length).toBeGreaterThan(0);
        const restore = withoutSourcePositions();
        expect(resourceClass.stackTrace(0)).toEqual([]);
        restore();
        expect(resourceClass.stackTrace).toBe(sdk);
    });
});

/** One offline run of a committed stack in a module registry of its own (the SDK keeps one stack per registry). */
async function offlineRun(stack: "dev" | "prod", sdkShortcuts: boolean): Promise<OfflineRun> {
    const root = path.join(__dirname, "..");
    const file = readStackFile(path.join(root, `Pulumi.${stack}.yaml`));
    let run: OfflineRun | undefined;
    await jest.isolateModulesAsync(async () => {
        const { runOffline } = await import("../tools/plan/engine");
        run = await runOffline({
            project: "modelfleet",
            stack,
            config: file.config,
            secretKeys: file.secretKeys,
            program: () => require("../index") as Record<string, unknown>,
            sdkShortcuts,
        });
    });
    if (run === undefined) throw new Error("the offline run did not finish");
    return run;
}

describe.each(["dev", "prod"] as const)("the %s plan with and without the shortcuts", (stack) => {
    test("the same resources (inputs, options, dependencies, in order) and the same outputs, with no errors", async () => {
        const full = await offlineRun(stack, false);
        const short = await offlineRun(stack, true);
        expect(full.errors).toEqual([]);
        expect(short.errors).toEqual([]);
        expect(full.resources.length).toBeGreaterThan(100);
        expect(JSON.stringify(short.resources)).toBe(JSON.stringify(full.resources));
        expect(JSON.stringify(short.outputs)).toBe(JSON.stringify(full.outputs));
    }, 120_000);
});

describe("a registration the mock engine refuses", () => {
    // In a process of its own: the SDK's rejections must reach the run's handler, not a test runner's.
    const script = (sdkShortcuts: boolean) => `
        const pulumi = require("@pulumi/pulumi");
        const { FleetMocks } = require("./tools/mocks");
        const { runOffline } = require("./tools/plan/engine");
        const answer = FleetMocks.prototype.newResource;
        FleetMocks.prototype.newResource = function (args) {
            if (args.name === "refused") throw new Error("the engine refused it");
            return answer.call(this, args);
        };
        runOffline({
            project: "modelfleet", stack: "dev", config: {}, secretKeys: [], sdkShortcuts: ${sdkShortcuts},
            program: () => {
                new pulumi.CustomResource("random:index/randomString:RandomString", "refused", { length: 8, result: undefined });
                new pulumi.CustomResource("random:index/randomString:RandomString", "accepted", { length: 8, result: undefined });
                return {};
            },
        }).then((run) => console.log(JSON.stringify(run.errors.map((e) => e.message))));
    `;

    test.each([true, false])(
        "is reported once among the run's errors, not as a crash after it (shortcuts: %s)",
        (sdkShortcuts) => {
            const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script(sdkShortcuts)], {
                cwd: path.join(__dirname, ".."),
                encoding: "utf8",
            });
            expect(run.stderr).toBe("");
            expect(run.status).toBe(0);
            expect(JSON.parse(run.stdout)).toEqual([
                "failed to register new resource refused [random:index/randomString:RandomString]: the engine refused it",
            ]);
        },
        60_000,
    );
});
