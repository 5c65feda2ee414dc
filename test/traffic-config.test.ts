import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { ConfigError, formatProblem, podsAtShares, primaryTrack, trackReplicas, trackWeights, validateSettings } from "../config";
import { trafficProblems } from "../config/traffic";
import { main as planMain } from "../tools/plan";
import { stackSettings } from "./mocks";

/** The stderr lines validation gives for the dev stack with `serving` (or one model) edited. */
function errorsFor(edit: (raw: Record<string, Record<string, unknown>>) => void): string[] {
    const raw = stackSettings("dev") as Record<string, Record<string, unknown>>;
    edit(raw);
    try {
        validateSettings(raw);
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems.map(formatProblem);
        throw err;
    }
}

const model = (raw: Record<string, Record<string, unknown>>) => (raw.models as unknown as Array<Record<string, unknown>>)[0];

describe("bad traffic, scaling and SLO input names the key and the fix", () => {
    test.each([
        [
            "weights that do not sum to 100",
            (raw: Record<string, Record<string, unknown>>) => (raw.serving.traffic = { blue: 90, green: 20 }),
            "modelfleet:serving.traffic weights sum to 110 but must sum to 100 (a percentage of requests per track); fix: pulumi config set --path 'serving.traffic.blue' 90 && pulumi config set --path 'serving.traffic.green' 10",
        ],
        [
            "a negative weight",
            (raw: Record<string, Record<string, unknown>>) => (raw.serving.traffic = { blue: 110, green: -10 }),
            "modelfleet:serving.traffic.green must be 0 or more (a percentage of requests); fix: pulumi config set --path 'serving.traffic.green' 0",
        ],
        [
            "a weight on a track that does not exist",
            (raw: Record<string, Record<string, unknown>>) => (raw.serving.traffic = { blue: 90, red: 10 }),
            "modelfleet:serving.traffic.red names track 'red', which does not exist (tracks: blue, green); fix: pulumi config rm --path 'serving.traffic.red'",
        ],
        [
            "a queue-latency target of 0",
            (raw: Record<string, Record<string, unknown>>) => (model(raw).scaling = { queueLatencyMs: 0 }),
            "modelfleet:models[0].scaling.queueLatencyMs must be greater than 0 (ms); fix: pulumi config set --path 'models[0].scaling.queueLatencyMs' <value>",
        ],
        [
            "a negative GPU utilisation target",
            (raw: Record<string, Record<string, unknown>>) => (model(raw).scaling = { gpuUtilizationPercent: -5 }),
            "modelfleet:models[0].scaling.gpuUtilizationPercent must be greater than 0 (%); fix: pulumi config set --path 'models[0].scaling.gpuUtilizationPercent' 1",
        ],
        [
            "an SLO latency of 0",
            (raw: Record<string, Record<string, unknown>>) => (raw.serving.slo = { p95LatencyMs: 0 }),
            "modelfleet:serving.slo.p95LatencyMs must be 1 or more (ms); fix: pulumi config set --path 'serving.slo.p95LatencyMs' 1",
        ],
    ])("%s", (_title, edit, line) => {
        expect(errorsFor(edit)).toContain(line);
    });

    test("weights summing to 100 are accepted, and a missing track counts as 0", () => {
        expect(errorsFor((raw) => (raw.serving.traffic = { blue: 90, green: 10 }))).toEqual([]);
        expect(errorsFor((raw) => (raw.serving.traffic = { green: 100 }))).toEqual([]);
    });

    test("the plan exits 2 with the line on stderr", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-traffic-"));
        try {
            const doc = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")) as {
                config: Record<string, Record<string, unknown>>;
            };
            doc.config["modelfleet:serving"].traffic = { blue: 90, green: 20 };
            const file = path.join(dir, "Pulumi.split.yaml");
            fs.writeFileSync(file, YAML.stringify(doc));
            const err: string[] = [];
            const code = await planMain(["--config-file", file, "--out", path.join(dir, "out")], {
                stdout: () => undefined,
                stderr: (l) => err.push(l),
            });
            expect(code).toBe(2);
            expect(err.join("\n")).toContain("modelfleet:serving.traffic weights sum to 110 but must sum to 100");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("track shares", () => {
    const serving = (traffic: Record<string, number> | undefined, activeColor: "blue" | "green" = "blue") => ({ activeColor, traffic });
    const ts = { replicas: { min: 2, max: 4 }, previewMinReplicas: 1 };

    test("activeColor is shorthand for 100/0", () => {
        expect(trackWeights(serving(undefined, "green"))).toEqual({ blue: 0, green: 100 });
        expect(primaryTrack(serving(undefined, "green"))).toBe("green");
    });

    test("the larger share is the primary track; a tie keeps activeColor", () => {
        expect(primaryTrack(serving({ blue: 10, green: 90 }))).toBe("green");
        expect(primaryTrack(serving({ blue: 50, green: 50 }, "blue"))).toBe("blue");
    });

    test("HPA bounds and pods at the shares: 90/10 and 100/0", () => {
        expect(trackReplicas(serving({ blue: 90, green: 10 }), ts, "blue")).toEqual({ min: 2, max: 4 });
        expect(trackReplicas(serving({ blue: 90, green: 10 }), ts, "green")).toEqual({ min: 1, max: 1 });
        expect(trackReplicas(serving({ blue: 50, green: 50 }), ts, "green")).toEqual({ min: 1, max: 2 });
        expect(trackReplicas(serving(undefined), ts, "green")).toEqual({ min: 1, max: 4 });
        expect(podsAtShares(serving({ blue: 90, green: 10 }), ts)).toBe(5);
        expect(podsAtShares(serving({ blue: 50, green: 50 }), ts)).toBe(6);
        expect(podsAtShares(serving(undefined), ts)).toBe(5);
    });

    test("a canary keeps previewMinReplicas warm, at least one and at most replicas.max", () => {
        const canary = serving({ blue: 90, green: 10 });
        expect(trackReplicas(canary, { replicas: { min: 2, max: 4 }, previewMinReplicas: 2 }, "green")).toEqual({ min: 2, max: 2 });
        expect(trackReplicas(canary, { replicas: { min: 2, max: 4 }, previewMinReplicas: 0 }, "green")).toEqual({ min: 1, max: 1 });
        expect(trackReplicas(canary, { replicas: { min: 2, max: 3 }, previewMinReplicas: 5 }, "green")).toEqual({ min: 3, max: 3 });
    });

    test("no traffic split is no problem", () => {
        expect(trafficProblems(serving(undefined))).toEqual([]);
        expect(trafficProblems(serving(undefined, "green"))).toEqual([]);
    });

    test("a weight on an unknown track does not count towards the 100", () => {
        expect(trafficProblems(serving({ blue: 90, red: 10 }))).toEqual([
            {
                path: "serving.traffic.red",
                message: "names track 'red', which does not exist (tracks: blue, green)",
                fix: "pulumi config rm --path 'serving.traffic.red'",
            },
            {
                path: "serving.traffic",
                message: "weights sum to 90 but must sum to 100 (a percentage of requests per track)",
                fix: "pulumi config set --path 'serving.traffic.blue' 90 && pulumi config set --path 'serving.traffic.green' 10",
            },
        ]);
        expect(trafficProblems(serving({ blue: 100, red: 0 })).map((p) => p.path)).toEqual(["serving.traffic.red"]);
    });
});
