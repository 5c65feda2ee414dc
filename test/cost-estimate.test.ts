import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { catalogProblems, formatCatalogProblem } from "../config/pricing";
import { feeKeys, priceCatalog, type FeeKey, type FeePrice, type PriceCatalog, type PriceSource } from "../config/priceCatalog";
import type { PlanResource } from "../tools/contracts";
import { costSummaryLines, estimateCost, type CostInput } from "../tools/plan/estimates/cost";
import { main } from "../tools/plan";
import { figuresOf } from "../tools/plan/estimates/compare";
import { mutate } from "./mocks";

const source: PriceSource = { url: "https://example.com/prices", asOf: "2026-06-01" };
const fee = (usd: number, unit: FeePrice["unit"]): FeePrice => ({ label: "fee", unit, usd, region: "us-east-1", source });
/** Round prices, so every expected figure below can be worked by hand. */
function testCatalog(): PriceCatalog {
    const fees: Record<FeeKey, FeePrice> = {
        eksControlPlane: fee(0.1, "hour"),
        eksExtendedSupport: fee(0.5, "hour"),
        gkeControlPlane: fee(0.1, "hour"),
        natGateway: fee(0.05, "hour"),
        alb: fee(0.02, "hour"),
        gceForwardingRule: fee(0.03, "hour"),
        route53HealthCheckAws: fee(0.5, "month"),
        route53HealthCheckOther: fee(0.75, "month"),
        route53HealthCheckOptionAws: fee(1, "month"),
        route53HealthCheckOptionOther: fee(2, "month"),
        route53HostedZone: fee(0.5, "month"),
        s3Storage: fee(0.02, "GB-month"),
        gcsStorage: fee(0.03, "GB-month"),
        s3ReplicationTransfer: fee(0.01, "GB"),
        s3ReplicationTimeControl: fee(0.015, "GB"),
        internetEgress: fee(0.1, "GB"),
    };
    return {
        instances: {
            "g6.xlarge": { cloud: "aws", onDemand: { usd: 1, region: "us-east-1", byRegion: { "eu-west-1": 1.2 }, source } },
            "m7i.large": { cloud: "aws", onDemand: { usd: 0.1, region: "us-east-1", source } },
            "g2-standard-8": {
                cloud: "gcp",
                onDemand: { usd: 0.8, region: "us-central1", source },
                spot: { usd: 0.4, region: "us-central1", source },
            },
        },
        fees,
    };
}

let serial = 0;
function resource(type: string, name: string, inputs: Record<string, unknown>): PlanResource {
    serial += 1;
    return { urn: `urn:pulumi:test::modelfleet::${type}::${name}-${serial}`, type, name, custom: true, inputs, opts: {} };
}

/** One AWS region (use1) and one GCP region (usc1) with a few of everything the estimate prices. */
function smallStack(): { resources: PlanResource[]; regionOf: Map<string, string> } {
    const regionOf = new Map<string, string>();
    const inRegion = (region: string, r: PlanResource) => (regionOf.set(r.urn, region), r);
    const resources = [
        inRegion("use1", resource("aws:eks/cluster:Cluster", "use1-eks", { version: "1.35", upgradePolicy: { supportType: "STANDARD" } })),
        inRegion("use1", resource("aws:ec2/natGateway:NatGateway", "use1-nat-0", {})),
        inRegion("use1", resource("aws:ec2/natGateway:NatGateway", "use1-nat-1", {})),
        inRegion("use1", resource("kubernetes:networking.k8s.io/v1:Ingress", "use1-ingress", { spec: { ingressClassName: "alb" } })),
        inRegion(
            "use1",
            resource("aws:eks/nodeGroup:NodeGroup", "use1-system", {
                instanceTypes: ["m7i.large"],
                capacityType: "ON_DEMAND",
                scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
            }),
        ),
        inRegion(
            "use1",
            resource("aws:eks/nodeGroup:NodeGroup", "use1-gpu", {
                instanceTypes: ["g6.xlarge"],
                capacityType: "ON_DEMAND",
                scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
            }),
        ),
        resource("aws:s3/bucket:Bucket", "store-use1", {
            region: "us-east-1",
            tags: { "modelfleet:component": "model-store", "modelfleet:region": "use1", "modelfleet:store-role": "primary" },
        }),
        inRegion("usc1", resource("gcp:container/cluster:Cluster", "usc1-gke", { location: "us-central1" })),
        inRegion(
            "usc1",
            resource("kubernetes:gateway.networking.k8s.io/v1:Gateway", "usc1-gateway", {
                spec: { listeners: [{ port: 443 }, { port: 80 }] },
            }),
        ),
        inRegion(
            "usc1",
            resource("gcp:container/nodePool:NodePool", "usc1-gpu", {
                nodeConfig: { machineType: "g2-standard-8", spot: true },
                autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 2 },
                nodeLocations: ["us-central1-a", "us-central1-c"],
            }),
        ),
        resource("gcp:storage/bucket:Bucket", "store-usc1", {
            location: "US-CENTRAL1",
            labels: { "modelfleet-component": "model-store", "modelfleet-region": "usc1" },
        }),
        resource("gcp:storage/transferJob:TransferJob", "store-usc1-transfer", {}),
        resource("aws:route53/healthCheck:HealthCheck", "use1-health", {
            type: "HTTPS",
            fqdn: "use1.serve.example.com",
            requestInterval: 10,
            measureLatency: true,
        }),
        resource("aws:route53/healthCheck:HealthCheck", "use1-ping", {
            type: "HTTPS_STR_MATCH",
            fqdn: "use1.serve.example.com",
            requestInterval: 30,
            measureLatency: false,
        }),
        resource("aws:route53/healthCheck:HealthCheck", "usc1-health", {
            type: "HTTPS",
            fqdn: "usc1.serve.example.com",
            requestInterval: 10,
        }),
        resource("aws:route53/healthCheck:HealthCheck", "use1-serving", { type: "CALCULATED" }),
    ];
    return { resources, regionOf };
}

function settings(pricing: Partial<CostInput["settings"]["pricing"]> = {}): CostInput["settings"] {
    return {
        regions: [
            { name: "use1", cloud: "aws", region: "us-east-1" },
            { name: "usc1", cloud: "gcp", region: "us-central1" },
        ],
        modelStore: { replicationTimeControl: false },
        pricing: { modelStoreGb: 50, replicatedGbPerMonth: 20, instances: {}, fees: {}, ...pricing },
    } as unknown as CostInput["settings"];
}

const today = new Date("2026-11-01T12:00:00Z");

describe("cost estimate arithmetic on a small stack", () => {
    const { resources, regionOf } = smallStack();
    const cost = estimateCost({ resources, regionOf, settings: settings(), catalog: testCatalog(), today });

    it("prices every region's fixed costs and its pools at minNodes and maxNodes", () => {
        // use1 fixed: EKS 0.10 × 730 = 73.00; 2 NAT × 0.05 × 730 = 73.00; ALB 0.02 × 730 = 14.60;
        //             S3 50 GB × 0.02 = 1.00  → 161.60
        // use1 pools: system 2-4 × m7i.large 0.10 × 730 = 146.00 / 292.00; gpu 1-3 × g6.xlarge 1.00 × 730 = 730.00 / 2190.00
        // use1 floor: 161.60 + 146.00 + 730.00 = 1037.60; ceiling: 161.60 + 292.00 + 2190.00 = 2643.60
        expect(cost.regions["use1"]).toMatchObject({ fixedMonthly: 161.6, floorMonthly: 1037.6, ceilingMonthly: 2643.6 });
        // usc1 fixed: GKE 0.10 × 730 = 73.00; 2 listener ports × 0.03 × 730 = 43.80; GCS 50 GB × 0.03 = 1.50;
        //             transfer from S3 20 GB × 0.10 = 2.00  → 120.30
        // usc1 pool:  0-2 × g2-standard-8 spot 0.40 × 730 = 0.00 / 584.00 → floor 120.30, ceiling 704.30
        expect(cost.regions["usc1"]).toMatchObject({ fixedMonthly: 120.3, floorMonthly: 120.3, ceilingMonthly: 704.3 });
    });

    it("prices the health checks by endpoint and option, and adds everything up", () => {
        // AWS endpoints: 2 checks × 0.50 = 1.00; options: use1-health HTTPS + 10 s + latency = 3, use1-ping HTTPS + string = 2 → 5 × 1.00 = 5.00
        // usc1 (non-AWS): 1 × 0.75 = 0.75; options HTTPS + 10 s = 2 × 2.00 = 4.00; calculated: 1 × 0.50 = 0.50
        // global: 1.00 + 5.00 + 0.75 + 4.00 + 0.50 = 11.25
        expect(cost.global.fixedMonthly).toBe(11.25);
        // total fixed 161.60 + 120.30 + 11.25 = 293.15; floor 1037.60 + 120.30 + 11.25 = 1169.15; ceiling 2643.60 + 704.30 + 11.25 = 3359.15
        expect(cost.total).toEqual({ fixedMonthly: 293.15, floorMonthly: 1169.15, ceilingMonthly: 3359.15 });
        expect(cost.unpriced).toEqual([]);
        expect(cost.assumptions).toEqual({ modelStoreGb: 50, replicatedGbPerMonth: 20, overrides: [] });
    });

    it("names every line so that --compare pairs the same pool or fee across two plans", () => {
        expect(cost.regions["use1"].items.map((i) => i.id)).toEqual([
            "eksControlPlane",
            "natGateway",
            "alb",
            "node group use1-system",
            "node group use1-gpu",
            "model store bucket (S3 Standard)",
        ]);
        expect(figuresOf({ cost }).get("cost.regions.use1.items[node group use1-gpu].ceilingMonthly")).toBe(2190);
    });

    it("applies the stack's overrides to every region", () => {
        const overridden = estimateCost({
            resources,
            regionOf,
            settings: settings({ instances: { "g6.xlarge": { onDemand: 0.5 } }, fees: { natGateway: 0.01 } }),
            catalog: testCatalog(),
            today,
        });
        // use1 fixed: 73.00 + 2 × 0.01 × 730 (14.60) + 14.60 + 1.00 = 103.20
        // gpu pool: 1-3 × 0.50 × 730 = 365.00 / 1095.00; floor 103.20 + 146.00 + 365.00 = 614.20; ceiling 103.20 + 292.00 + 1095.00 = 1490.20
        expect(overridden.regions["use1"]).toMatchObject({ fixedMonthly: 103.2, floorMonthly: 614.2, ceilingMonthly: 1490.2 });
        expect(overridden.assumptions.overrides).toEqual(['instances["g6.xlarge"].onDemand', "fees.natGateway"]);
        const gpu = overridden.regions["use1"].items.find((i) => i.what.startsWith("node group use1-gpu"));
        expect(gpu?.source).toBe('modelfleet:pricing.instances["g6.xlarge"].onDemand');
    });

    it("charges extended support once a version left standard support, unless the cluster upgrades on time", () => {
        const extended = resources.map((r) =>
            r.type === "aws:eks/cluster:Cluster" ? { ...r, inputs: { version: "1.32", upgradePolicy: { supportType: "EXTENDED" } } } : r,
        );
        const cost = estimateCost({ resources: extended, regionOf, settings: settings(), catalog: testCatalog(), today });
        // 1.32 left standard support on 2026-03-23: 0.50 × 730 = 365.00 on top of 161.60
        expect(cost.regions["use1"].fixedMonthly).toBe(526.6);
    });

    it("prices a spot pool without a spot price at on-demand, and says so", () => {
        const spot = resources.map((r) => (r.name === "use1-gpu" ? { ...r, inputs: { ...r.inputs, capacityType: "SPOT" } } : r));
        const cost = estimateCost({ resources: spot, regionOf, settings: settings(), catalog: testCatalog(), today });
        const gpu = cost.regions["use1"].items.find((i) => i.what.startsWith("node group use1-gpu"));
        expect(gpu).toMatchObject({ floorMonthly: 730, ceilingMonthly: 2190 });
        expect(gpu?.note).toContain("no spot price: priced at on-demand");
    });

    it("reports a pool whose type has no price instead of counting it as free silently", () => {
        const n1 = resources.map((r) =>
            r.name === "usc1-gpu" ? { ...r, inputs: { ...r.inputs, nodeConfig: { machineType: "n1-standard-8" } } } : r,
        );
        const cost = estimateCost({ resources: n1, regionOf, settings: settings(), catalog: testCatalog(), today });
        expect(cost.unpriced).toEqual(["usc1: node pool usc1-gpu (n1-standard-8)"]);
        expect(costSummaryLines(cost)).toContain(
            "  unpriced: usc1: node pool usc1-gpu (n1-standard-8); fix: add it to config/priceCatalog.ts or set modelfleet:pricing.instances",
        );
    });
});

describe("GPUs billed apart from their machine", () => {
    const { resources, regionOf } = smallStack();
    const n1 = resources.map((r) =>
        r.name === "usc1-gpu"
            ? {
                  ...r,
                  inputs: {
                      ...r.inputs,
                      nodeConfig: { machineType: "n1-standard-8", guestAccelerators: [{ type: "nvidia-tesla-t4", count: 2 }] },
                  },
              }
            : r,
    );
    const withN1 = (t4?: number): PriceCatalog => {
        const catalog = testCatalog();
        catalog.instances["n1-standard-8"] = { cloud: "gcp", includesGpus: false, onDemand: { usd: 0.4, region: "us-central1", source } };
        if (t4 !== undefined)
            catalog.instances["nvidia-tesla-t4"] = { cloud: "gcp", onDemand: { usd: 0.35, region: "us-central1", source } };
        return catalog;
    };

    it("adds each node's GPUs to its machine price", () => {
        const cost = estimateCost({ resources: n1, regionOf, settings: settings(), catalog: withN1(0.35), today });
        // per node: n1-standard-8 0.40 + 2 × T4 0.35 = 1.10; 0-2 nodes × 1.10 × 730 = 0.00 / 1606.00
        const pool = cost.regions["usc1"].items.find((i) => i.what.startsWith("node pool usc1-gpu"));
        expect(pool).toMatchObject({ floorMonthly: 0, ceilingMonthly: 1606, usdPerUnit: 1.1 });
        expect(pool?.note).toContain("plus 2 × nvidia-tesla-t4 per node");
    });

    it("reports the pool unpriced while its GPUs have no price", () => {
        const cost = estimateCost({ resources: n1, regionOf, settings: settings(), catalog: withN1(), today });
        expect(cost.unpriced).toEqual(["usc1: node pool usc1-gpu (nvidia-tesla-t4)"]);
    });
});

describe("stale catalog", () => {
    const { resources, regionOf } = smallStack();
    it("is stale more than 180 days after its oldest figure, and the summary says so", () => {
        // 2026-06-01 → 2026-12-04: 29 + 31 + 31 + 30 + 31 + 30 + 4 = 186 days
        const late = estimateCost({
            resources,
            regionOf,
            settings: settings(),
            catalog: testCatalog(),
            today: new Date("2026-12-04T08:00:00Z"),
        });
        expect(late.catalog).toEqual({ asOf: "2026-06-01", ageDays: 186, stale: true });
        expect(costSummaryLines(late)).toContain(
            "  warning: the price catalog is 186 days old (as of 2026-06-01, over 180); refresh config/priceCatalog.ts (docs/cost.md)",
        );
        // 2026-06-01 → 2026-11-01: 29 + 31 + 31 + 30 + 31 + 1 = 153 days
        const fresh = estimateCost({ resources, regionOf, settings: settings(), catalog: testCatalog(), today });
        expect(fresh.catalog).toEqual({ asOf: "2026-06-01", ageDays: 153, stale: false });
        expect(costSummaryLines(fresh).some((l) => l.includes("warning"))).toBe(false);
    });
});

describe("modelfleet:pricing bad input", () => {
    it("refuses a negative price, naming the key", () => {
        const problems = mutate("dev", [["pricing", { instances: { "g6.xlarge": { onDemand: -0.5 } } }]]);
        expect(problems).toEqual([
            {
                path: 'pricing.instances["g6.xlarge"].onDemand',
                message: "must be 0 or more (USD)",
                fix: `pulumi config set --path 'pricing.instances["g6.xlarge"].onDemand' 0`,
            },
        ]);
        expect(mutate("dev", [["pricing", { fees: { natGateway: -1 } }]])).toEqual([
            {
                path: "pricing.fees.natGateway",
                message: "must be 0 or more (USD)",
                fix: "pulumi config set --path 'pricing.fees.natGateway' 0",
            },
        ]);
    });

    it("refuses an override for a type or fee the stack does not use, and accepts one it uses", () => {
        expect(mutate("dev", [["pricing", { instances: { "g5.xlarge": { onDemand: 0.5 } } }]])).toEqual([
            {
                path: 'pricing.instances["g5.xlarge"]',
                message: "overrides the price of 'g5.xlarge', which no pool of this stack runs (it runs g6.xlarge, m7i.large)",
                fix: `remove it: pulumi config rm --path 'pricing.instances["g5.xlarge"]', or name a type a pool runs`,
            },
        ]);
        expect(mutate("dev", [["pricing", { fees: { gkeControlPlane: 0.05 } }]])).toEqual([
            {
                path: "pricing.fees.gkeControlPlane",
                message: "overrides a GCP fee, but the stack has no gcp region",
                fix: "remove it: pulumi config rm --path 'pricing.fees.gkeControlPlane'",
            },
        ]);
        expect(
            mutate("dev", [["pricing", { modelStoreGb: 400, instances: { "g6.xlarge": { onDemand: 0.5 } }, fees: { natGateway: 0.04 } }]]),
        ).toEqual([]);
    });

    it("accepts a GPU price for an N1 pool's T4s, which the pool is billed for", () => {
        const n1 = [
            ["regions[2].gpuPools[0].machineType", "n1-standard-8"],
            ["pricing", { instances: { "nvidia-tesla-t4": { onDemand: 0.3 } } }],
        ] as Array<[string, unknown]>;
        expect(mutate("prod", n1)).toEqual([]);
        expect(mutate("prod", [n1[1]])).toEqual([
            {
                path: "pricing.instances.nvidia-tesla-t4",
                message:
                    "overrides the price of 'nvidia-tesla-t4', which no pool of this stack runs (it runs e2-standard-4, g2-standard-8, g5.2xlarge, g5.xlarge, g6.2xlarge, g6.xlarge, m7i.large)",
                fix: `remove it: pulumi config rm --path 'pricing.instances["nvidia-tesla-t4"]', or name a type a pool runs`,
            },
        ]);
    });

    it("finds no problem in the committed catalog, and one per entry without a source or a date", () => {
        expect(catalogProblems(priceCatalog)).toEqual([]);
        const broken = structuredClone(priceCatalog);
        broken.instances["g6.xlarge"].onDemand.source = { url: "", asOf: "2026-01-21" };
        broken.fees.natGateway.source = { url: "https://example.com", asOf: "" };
        expect(catalogProblems(broken).map(formatCatalogProblem)).toEqual([
            'config/priceCatalog.ts instances["g6.xlarge"].onDemand has no source URL; fix: add source.url: the page or data file the figure was read from',
            "config/priceCatalog.ts fees.natGateway has no as-of date (YYYY-MM-DD); fix: add source.asOf: the day the figure is from",
        ]);
        expect(feeKeys.every((k) => priceCatalog.fees[k] !== undefined)).toBe(true);
    });
});

describe("plan exits 2 on bad pricing input", () => {
    let dir: string;
    beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-cost-"))));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dev = fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8");

    async function plan(text: string): Promise<{ code: number; stderr: string[] }> {
        const file = path.join(dir, `Pulumi.cost${(serial += 1)}.yaml`);
        fs.writeFileSync(file, text);
        const stderr: string[] = [];
        const code = await main(["--config-file", file, "--out", path.join(dir, `out${serial}`)], {
            stdout: () => undefined,
            stderr: (l) => stderr.push(l),
        });
        return { code, stderr };
    }

    it.each([
        [
            "a negative price",
            "  modelfleet:pricing:\n    fees:\n      natGateway: -0.045\n",
            "modelfleet:pricing.fees.natGateway must be 0 or more (USD); fix: pulumi config set --path 'pricing.fees.natGateway' 0",
        ],
        [
            "an override for a type the stack does not use",
            '  modelfleet:pricing:\n    instances:\n      "p5.48xlarge":\n        onDemand: 40\n',
            `modelfleet:pricing.instances["p5.48xlarge"] overrides the price of 'p5.48xlarge', which no pool of this stack runs (it runs g6.xlarge, m7i.large); fix: remove it: pulumi config rm --path 'pricing.instances["p5.48xlarge"]', or name a type a pool runs`,
        ],
    ])("%s", async (_what, yaml, line) => {
        const result = await plan(`${dev}${yaml}`);
        expect(result.code).toBe(2);
        expect(result.stderr).toEqual([line]);
    });

    it("a catalog entry without a date", async () => {
        const saved = priceCatalog.fees.alb.source;
        priceCatalog.fees.alb.source = { ...saved, asOf: "" };
        try {
            const result = await plan(dev);
            expect(result.code).toBe(2);
            expect(result.stderr).toEqual([
                "config/priceCatalog.ts fees.alb has no as-of date (YYYY-MM-DD); fix: add source.asOf: the day the figure is from",
            ]);
        } finally {
            priceCatalog.fees.alb.source = saved;
        }
    });
});
