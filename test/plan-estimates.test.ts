import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { validateSettings } from "../config";
import type { Plan, PlanResource } from "../tools/contracts";
import { renderDiagram } from "../tools/plan/diagram";
import { capacityEstimate } from "../tools/plan/estimates/capacity";
import { comparePlans, figuresOf } from "../tools/plan/estimates/compare";
import { failoverBoundProblem, failoverEstimate } from "../tools/plan/estimates/failover";
import { setPath, stackSettings } from "./mocks";
import { planInFreshRegistry } from "./plan-run";

/**
 * Route 53 figures the arithmetic rests on, from "How Amazon Route 53 determines whether a
 * health check is healthy" (Route 53 Developer Guide, dns-failover-determining-health-of-endpoints):
 * an HTTPS check fails after 4 s to connect + 2 s for the status = 6 s; an HTTPS_STR_MATCH
 * check after 2 s more for the body = 8 s; the interval runs from one response to the next
 * request; FailureThreshold consecutive results flip a checker either way.
 */

const ENTRY = "urn:pulumi:t::modelfleet::modelfleet:global:Entry$";

function resource(type: string, name: string, inputs: Record<string, unknown>, dependencies: string[] = []): PlanResource {
    return { urn: `${ENTRY}${type}::${name}`, type, name, custom: true, inputs, opts: {}, dependencies };
}

/** A routed region as GlobalEntry renders it: two endpoint checks, the calculated check over both, the latency record. */
function routedRegion(name: string, requestInterval: number, failureThreshold: number, ttl: number): PlanResource[] {
    const probe = { requestInterval, failureThreshold, fqdn: `${name}.serve.example.com`, port: 443 };
    const health = resource("aws:route53/healthCheck:HealthCheck", `global-${name}-health`, {
        ...probe,
        type: "HTTPS",
        resourcePath: "/health",
    });
    const ping = resource("aws:route53/healthCheck:HealthCheck", `global-${name}-ping`, {
        ...probe,
        type: "HTTPS_STR_MATCH",
        resourcePath: "/ping",
        searchString: "Healthy",
    });
    const serving = resource(
        "aws:route53/healthCheck:HealthCheck",
        `global-${name}-serving`,
        { type: "CALCULATED", childHealthThreshold: 2, childHealthchecks: ["id-health", "id-ping"] },
        [health.urn, ping.urn],
    );
    const record = resource(
        "aws:route53/record:Record",
        `global-${name}-latency`,
        {
            name: "serve.example.com",
            type: "CNAME",
            ttl,
            setIdentifier: name,
            healthCheckId: "id-serving",
            latencyRoutingPolicies: [{ region: "us-east-1" }],
        },
        [serving.urn],
    );
    return [health, ping, serving, record];
}

describe("failover estimate (Route 53: how a health check is judged healthy, calculated checks, latency records and TTL)", () => {
    it("fast interval (10 s), threshold 3, TTL 30: stop 3 x (10 + 8) + 30 = 84 s; resume 8 + 3 x (10 + 8) + 30 = 92 s", () => {
        const estimate = failoverEstimate(routedRegion("use1", 10, 3, 30), undefined);
        expect(estimate).toEqual({
            regions: { use1: { stopSeconds: 84, resumeSeconds: 92 } },
            worst: { stopSeconds: 84, resumeSeconds: 92 },
            maxFailoverSeconds: null,
        });
    });

    it("standard interval (30 s), threshold 3, TTL 30: stop 3 x (30 + 8) + 30 = 144 s; resume 8 + 3 x (30 + 8) + 30 = 152 s", () => {
        expect(failoverEstimate(routedRegion("euw1", 30, 3, 30), 200).regions).toEqual({ euw1: { stopSeconds: 144, resumeSeconds: 152 } });
    });

    it("the calculated check is as slow as its slowest child: without the string-match child, 3 x (10 + 6) + 30 = 78 s", () => {
        const resources = routedRegion("use1", 10, 3, 30).filter((r) => r.name !== "global-use1-ping");
        const serving = resources.find((r) => r.name === "global-use1-serving");
        if (serving) serving.dependencies = [resources[0].urn];
        expect(failoverEstimate(resources, undefined).regions["use1"]).toEqual({ stopSeconds: 78, resumeSeconds: 6 + 3 * 16 + 30 });
    });

    it("the worst region decides; a record without a health check is not a routed region", () => {
        const resources = [
            ...routedRegion("use1", 10, 3, 30),
            ...routedRegion("euw1", 10, 1, 60),
            resource("aws:route53/record:Record", "global-use1-regional", {
                name: "use1.serve.example.com",
                type: "A",
                ttl: 60,
                records: ["192.0.2.1"],
            }),
        ];
        // euw1: 1 x (10 + 8) + 60 = 78 stop, 8 + 1 x 18 + 60 = 86 resume.
        expect(failoverEstimate(resources, undefined)).toEqual({
            regions: { use1: { stopSeconds: 84, resumeSeconds: 92 }, euw1: { stopSeconds: 78, resumeSeconds: 86 } },
            worst: { stopSeconds: 84, resumeSeconds: 92 },
            maxFailoverSeconds: null,
        });
    });

    it("a bound the settings meet gives no problem; one they miss names the key, the figure and both fixes", () => {
        const resources = routedRegion("use1", 30, 3, 30);
        const hc = { requestIntervalSeconds: 30, failureThreshold: 3 };
        expect(failoverBoundProblem(resources, failoverEstimate(resources, 144), hc)).toBeUndefined();
        // At 10 s: threshold 3 gives 84 s, within 90.
        expect(failoverBoundProblem(resources, failoverEstimate(resources, 90), hc)).toBe(
            "modelfleet:globalEntry.maxFailoverSeconds is 90 but use1 may receive new requests for up to 144 s after failing (request interval 30 s, failure threshold 3, record TTL included); fix: pulumi config set --path 'globalEntry.healthCheck.requestIntervalSeconds' 10 (84 s), or pulumi config set --path 'globalEntry.maxFailoverSeconds' 144",
        );
        // At 10 s: threshold 2 gives 2 x 18 + 30 = 66 s; threshold 1 gives 48 s; nothing fits 40 s.
        expect(failoverBoundProblem(resources, failoverEstimate(resources, 70), hc)).toContain(
            "fix: pulumi config set --path 'globalEntry.healthCheck.requestIntervalSeconds' 10 && pulumi config set --path 'globalEntry.healthCheck.failureThreshold' 2 (66 s), or",
        );
        expect(failoverBoundProblem(resources, failoverEstimate(resources, 40), hc)).toMatch(
            /; fix: pulumi config set --path 'globalEntry.maxFailoverSeconds' 144$/,
        );
    });
});

describe("headroom estimate: the serving-pool capacity rule's numbers per GPU pool", () => {
    it("dev: blue at replicas.max 2 + green warm at previewMinReplicas 1 + 1 surge = 4 pods, on 4 x g6.xlarge (1 GPU, 1 per pod) = 4", () => {
        const settings = validateSettings(stackSettings("dev"));
        expect(capacityEstimate(settings)).toEqual({ pools: [{ region: "use1", pool: "l4", usedPods: 4, availablePods: 4 }] });
    });

    it("a split (blue 70, green 30 of replicas.max 3) and a second pool: blue 3 + green ceil(3 x 30 / 100) = 1, + 1 surge = 5 of 3 x g6.12xlarge (4 GPUs) = 12; the idle pool 0 of 2 x 8 = 16", () => {
        const raw = stackSettings("dev");
        setPath(raw, "serving.traffic", { blue: 70, green: 30 });
        setPath(raw, "serving.torchserve.replicas.max", 3);
        setPath(raw, "regions[0].gpuPools[0].instanceTypes", ["g6.12xlarge"]);
        setPath(raw, "regions[0].gpuPools[0].maxNodes", 3);
        setPath(raw, "regions[0].gpuPools[1]", { name: "a100", instanceTypes: ["p4d.24xlarge"], minNodes: 0, maxNodes: 2 });
        expect(capacityEstimate(validateSettings(raw)).pools).toEqual([
            { region: "use1", pool: "l4", usedPods: 5, availablePods: 12 },
            { region: "use1", pool: "a100", usedPods: 0, availablePods: 16 },
        ]);
    });
});

describe("compare: the difference of two plans as Markdown", () => {
    const plan = (stack: string, estimates: Plan["estimates"], types: string[]): Plan => ({
        project: "modelfleet",
        stack,
        outputs: {},
        estimates,
        resources: types.map((type, i) => ({ urn: `u${i}`, type, name: `r${i}`, custom: true, inputs: {}, opts: {} })),
    });

    it("lists changed, new and gone figures and resource counts, and counts the unchanged", () => {
        const base = plan(
            "a",
            {
                failover: {
                    regions: { use1: { stopSeconds: 84, resumeSeconds: 92 } },
                    worst: { stopSeconds: 84, resumeSeconds: 92 },
                    maxFailoverSeconds: null,
                },
                capacity: { pools: [{ region: "use1", pool: "l4", usedPods: 4, availablePods: 4 }] },
            },
            ["aws:eks/cluster:Cluster", "aws:route53/record:Record"],
        );
        const head = plan(
            "b",
            {
                failover: {
                    regions: { use1: { stopSeconds: 84, resumeSeconds: 92 }, euw1: { stopSeconds: 144, resumeSeconds: 152 } },
                    worst: { stopSeconds: 144, resumeSeconds: 152 },
                    maxFailoverSeconds: null,
                },
                capacity: { pools: [{ region: "use1", pool: "l4", usedPods: 4, availablePods: 8 }] },
            },
            ["aws:eks/cluster:Cluster", "aws:eks/cluster:Cluster", "aws:route53/record:Record"],
        );
        expect(comparePlans({ label: "a", plan: base }, { label: "b", plan: head })).toBe(
            [
                "## modelfleet plan: a → b",
                "",
                "Offline plans (mocked engine, nothing deployed); base is the first, head the second.",
                "",
                "### Estimates",
                "",
                "| Figure | base | head | change |",
                "| --- | ---: | ---: | ---: |",
                // The worst case leads; the rest follows by name.
                "| `failover.worst.resumeSeconds` | 92 | 152 | +60 |",
                "| `failover.worst.stopSeconds` | 84 | 144 | +60 |",
                "| `capacity.pools[use1/l4].availablePods` | 4 | 8 | +4 |",
                "| `failover.regions.euw1.resumeSeconds` | — | 152 | new |",
                "| `failover.regions.euw1.stopSeconds` | — | 144 | new |",
                "",
                "3 other figure(s) unchanged.",
                "",
                "### Resources by type",
                "",
                "| Type | base | head | change |",
                "| --- | ---: | ---: | ---: |",
                "| `aws:eks/cluster:Cluster` | 1 | 2 | +1 |",
                "",
                "1 other type(s) unchanged.",
                "",
                "Resources in all: 2 → 3 (+1).",
            ].join("\n"),
        );
    });

    it("leads with the monthly totals, the worst failover and each region's sums; cost lines follow by name", () => {
        const estimates = (ceiling: number, stop: number) =>
            ({
                cost: {
                    regions: {
                        use1: {
                            fixedMonthly: 100,
                            floorMonthly: 100,
                            ceilingMonthly: ceiling,
                            items: [{ id: "gpu", ceilingMonthly: ceiling - 100 }],
                        },
                    },
                    total: { fixedMonthly: 100, floorMonthly: 100, ceilingMonthly: ceiling },
                },
                failover: {
                    regions: { use1: { stopSeconds: stop, resumeSeconds: 92 } },
                    worst: { stopSeconds: stop, resumeSeconds: 92 },
                    maxFailoverSeconds: null,
                },
            }) as unknown as Plan["estimates"];
        const markdown = comparePlans(
            { label: "a", plan: plan("a", estimates(1000, 84), []) },
            { label: "b", plan: plan("b", estimates(1500, 144), []) },
        );
        expect(markdown.split("\n").filter((l) => l.startsWith("| `"))).toEqual([
            "| `cost.total.ceilingMonthly` | 1000 | 1500 | +500 |",
            "| `failover.worst.stopSeconds` | 84 | 144 | +60 |",
            "| `cost.regions.use1.ceilingMonthly` | 1000 | 1500 | +500 |",
            "| `cost.regions.use1.items[gpu].ceilingMonthly` | 900 | 1400 | +500 |",
            "| `failover.regions.use1.stopSeconds` | 84 | 144 | +60 |",
        ]);
    });

    it("walks any numbers under estimates, cost included, keyed by region and pool names", () => {
        const cost = {
            currency: "USD",
            catalog: { asOf: "2026-11-01", ageDays: 33, stale: false },
            regions: { use1: { fixedMonthly: 220.5, floorMonthly: 220.5, ceilingMonthly: 2900.12, items: [{ name: "eks", monthly: 73 }] } },
            total: { fixedMonthly: 220.5, floorMonthly: 220.5, ceilingMonthly: 2900.12 },
        };
        expect([...figuresOf({ cost }).entries()]).toEqual([
            ["cost.catalog.ageDays", 33],
            ["cost.regions.use1.fixedMonthly", 220.5],
            ["cost.regions.use1.floorMonthly", 220.5],
            ["cost.regions.use1.ceilingMonthly", 2900.12],
            ["cost.regions.use1.items[eks].monthly", 73],
            ["cost.total.fixedMonthly", 220.5],
            ["cost.total.floorMonthly", 220.5],
            ["cost.total.ceilingMonthly", 2900.12],
        ]);
    });
});

describe("the diagram shows each region's estimates", () => {
    const region = (name: string): PlanResource => ({
        urn: `urn:${name}`,
        type: "modelfleet:aws:Region",
        name,
        custom: false,
        inputs: {},
        opts: {},
    });
    const base: Plan = { project: "modelfleet", stack: "t", outputs: {}, resources: [region("use1"), region("euw1")] };
    const context = { domain: "serve.example.com", locations: { use1: "us-east-1", euw1: "eu-west-1" }, declaredPools: [] };

    it("monthly floor and ceiling from estimates.cost and failover seconds from estimates.failover, for the regions that have them", () => {
        const plan = {
            ...base,
            estimates: {
                cost: { currency: "USD", regions: { use1: { fixedMonthly: 220.5, floorMonthly: 220.5, ceilingMonthly: 2900.12 } } },
                failover: {
                    regions: { use1: { stopSeconds: 84, resumeSeconds: 92 } },
                    worst: { stopSeconds: 84, resumeSeconds: 92 },
                    maxFailoverSeconds: null,
                },
            },
            // Only the figures the diagram reads; a full estimate carries items, totals and the catalog's date too.
        } as unknown as Plan;
        const diagram = renderDiagram(plan, new Map(), context);
        expect(diagram).toContain(
            'subgraph region_use1["use1: us-east-1 | $220.50-$2,900.12 per month | failover: out of DNS within 84 s, back within 92 s"]',
        );
        expect(diagram).toContain('subgraph region_euw1["euw1: eu-west-1"]');
    });

    it("a plan without estimates draws the regions as before", () => {
        expect(renderDiagram(base, new Map(), context)).toContain('subgraph region_use1["use1: us-east-1"]');
    });
});

const ROOT = path.resolve(__dirname, "..");

const plan = planInFreshRegistry;

/** The plan command as `npm run plan` runs it: built JavaScript in a process of its own (two plans in one process). */
function planProcess(args: string[]): { code: number | null; stdout: string[]; stderr: string } {
    const build = spawnSync(process.execPath, ["tools/build.mjs", "--quiet"], { cwd: ROOT, encoding: "utf8" });
    expect(build.status).toBe(0);
    const run = spawnSync(process.execPath, [".build/tools/plan.js", ...args], { cwd: ROOT, encoding: "utf8" });
    return { code: run.status, stdout: run.stdout.split("\n"), stderr: run.stderr };
}

describe("the plan writes and holds the estimates", () => {
    let dir: string;
    beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-estimates-"))));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Pulumi.dev.yaml with edits to its modelfleet: settings, written under `dir`. */
    function devWith(file: string, edits: Array<[string, unknown]>): string {
        const doc = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        for (const [key, value] of edits) setPath(doc.config, key, value);
        const out = path.join(dir, file);
        fs.writeFileSync(out, YAML.stringify(doc));
        return out;
    }

    it("globalEntry.maxFailoverSeconds: 144 is met by the standard interval (3 x (30 + 8) + 30 = 144 s), 143 is not (exit 1, one line)", async () => {
        const standard: Array<[string, unknown]> = [
            ["modelfleet:globalEntry.healthCheck", { requestIntervalSeconds: 30, failureThreshold: 3 }],
        ];
        const met = await plan([
            "--config-file",
            devWith("Pulumi.met.yaml", [...standard, ["modelfleet:globalEntry.maxFailoverSeconds", 144]]),
            "--out",
            path.join(dir, "met"),
        ]);
        expect([met.code, met.stderr]).toEqual([0, []]);
        expect(met.stdout).toContain("  worst: stop 144 s, resume 152 s; globalEntry.maxFailoverSeconds 144: met");
        const written = JSON.parse(fs.readFileSync(path.join(dir, "met", "plan.json"), "utf8")) as Plan;
        expect(written.estimates?.failover).toEqual({
            regions: { use1: { stopSeconds: 144, resumeSeconds: 152 } },
            worst: { stopSeconds: 144, resumeSeconds: 152 },
            maxFailoverSeconds: 144,
        });

        const missed = await plan([
            "--config-file",
            devWith("Pulumi.missed.yaml", [...standard, ["modelfleet:globalEntry.maxFailoverSeconds", 143]]),
            "--out",
            path.join(dir, "missed"),
        ]);
        expect(missed.code).toBe(1);
        expect(missed.stderr).toEqual([
            "modelfleet:globalEntry.maxFailoverSeconds is 143 but use1 may receive new requests for up to 144 s after failing (request interval 30 s, failure threshold 3, record TTL included); fix: pulumi config set --path 'globalEntry.healthCheck.requestIntervalSeconds' 10 (84 s), or pulumi config set --path 'globalEntry.maxFailoverSeconds' 144",
        ]);
    });

    it("a bad maxFailoverSeconds exits 2 naming the key", async () => {
        const bad = await plan([
            "--config-file",
            devWith("Pulumi.bad.yaml", [["modelfleet:globalEntry.maxFailoverSeconds", 0]]),
            "--out",
            path.join(dir, "bad"),
        ]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toHaveLength(1);
        expect(bad.stderr[0]).toMatch(/^modelfleet:globalEntry\.maxFailoverSeconds must be at least 1; fix: /);
    });

    it("--compare: dev against dev plus a region (euw1) shows the new region's figures and resources", async () => {
        const plus = devWith("dev-plus.yaml", [
            [
                "modelfleet:regions[1]",
                {
                    name: "euw1",
                    cloud: "aws",
                    region: "eu-west-1",
                    vpcCidr: "10.41.0.0/16",
                    adminRoleArn: "arn:aws:iam::111122223333:role/modelfleet-platform-admin",
                    endpointPublicAccessCidrs: ["198.51.100.0/24"],
                    gpuPools: [{ name: "l4", instanceTypes: ["g6.xlarge"], minNodes: 0, maxNodes: 4 }],
                },
            ],
        ]);
        const result = planProcess(["--stack", "dev", "--out", path.join(dir, "cmp", "dev"), "--compare", plus]);
        expect([result.code, result.stderr]).toEqual([0, ""]);
        const markdown = result.stdout.slice(result.stdout.indexOf("## modelfleet plan: dev → dev-plus"));
        expect(markdown).toEqual(
            expect.arrayContaining([
                "| `capacity.pools[euw1/l4].availablePods` | — | 4 | new |",
                "| `capacity.pools[euw1/l4].usedPods` | — | 4 | new |",
                "| `failover.regions.euw1.resumeSeconds` | — | 92 | new |",
                "| `failover.regions.euw1.stopSeconds` | — | 84 | new |",
                "| `aws:eks/cluster:Cluster` | 1 | 2 | +1 |",
                "| `aws:route53/healthCheck:HealthCheck` | 3 | 6 | +3 |",
            ]),
        );
        // dev's own figures did not move: use1 still 84/92 and 4/4.
        expect(markdown.join("\n")).not.toContain("failover.regions.use1");
        expect(fs.existsSync(path.join(dir, "cmp", "dev-plus", "plan.json"))).toBe(true);
        const dev = JSON.parse(fs.readFileSync(path.join(dir, "cmp", "dev", "plan.json"), "utf8")) as Plan;
        expect(dev.estimates?.capacity).toEqual({ pools: [{ region: "use1", pool: "l4", usedPods: 4, availablePods: 4 }] });
        expect(dev.estimates?.failover?.regions).toEqual({ use1: { stopSeconds: 84, resumeSeconds: 92 } });

        const files = await plan([
            "--compare-files",
            path.join(dir, "cmp", "dev", "plan.json"),
            path.join(dir, "cmp", "dev-plus", "plan.json"),
        ]);
        expect(files.code).toBe(0);
        expect(files.stdout.join("\n")).toContain("| `failover.regions.euw1.stopSeconds` | — | 84 | new |");
    }, 180_000);

    it("--compare-files: bad input exits 2 with one line naming the file", async () => {
        const notJson = path.join(dir, "not.json");
        fs.writeFileSync(notJson, "{ nope");
        const notPlan = path.join(dir, "other.json");
        fs.writeFileSync(notPlan, JSON.stringify({ policies: 3, violations: [] }));
        const missing = path.join(dir, "missing.json");
        const fix = "fix: give a plan.json that `npm run plan` wrote";
        expect(await plan(["--compare-files", missing, notPlan])).toEqual({
            code: 2,
            stdout: [],
            stderr: [`--compare-files ${missing}: no such file; ${fix}`],
        });
        expect(await plan(["--compare-files", notJson, notPlan])).toEqual({
            code: 2,
            stdout: [],
            stderr: [`--compare-files ${notJson}: not JSON, so not a plan.json; ${fix}`],
        });
        expect(await plan(["--compare-files", notPlan, notPlan])).toEqual({
            code: 2,
            stdout: [],
            stderr: [`--compare-files ${notPlan}: not a plan.json (no stack and resources list); ${fix}`],
        });
        expect((await plan(["--compare-files", notPlan])).stderr).toEqual([
            "--compare-files takes two plan.json files (OLD NEW), got 1; fix: npm run plan -- --compare-files base/plan.json head/plan.json",
        ]);
    });
});
