import { GPU_TAINT, POOL_LABEL } from "../../components/k8s/nodeLabels";
import type { Plan, PlanResource } from "../contracts";

/**
 * A Mermaid picture of a plan: regions by cloud with their cluster and GPU pools, the
 * model store's copies and the replication between them, and the global entry. Drawn from
 * the plan's resources, so a reviewer sees the shape a change really produces.
 */

interface Pool {
    name: string;
    machines: string;
    min: number;
    max: number;
    capacity: string;
}

/** GPU pools of existing clusters are declared in config, not created: passed in. */
export interface DeclaredPool {
    region: string;
    name: string;
    gpusPerNode: number;
    model: string;
}

const CLOUD_TITLES: Record<string, string> = { aws: "AWS", gcp: "Google Cloud", existing: "Existing clusters (edge)" };

const id = (...parts: string[]) => parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");
const label = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;

function inputs(r: PlanResource): Record<string, unknown> {
    return r.inputs;
}

function gpuPools(resources: PlanResource[], regionOf: Map<string, string>): Map<string, Pool[]> {
    const pools = new Map<string, Pool[]>();
    const add = (region: string, pool: Pool) => pools.set(region, [...(pools.get(region) ?? []), pool]);
    for (const r of resources) {
        const region = regionOf.get(r.urn) ?? "global";
        const i = inputs(r);
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            const taints = (i["taints"] as Array<Record<string, string>> | undefined) ?? [];
            if (!taints.some((t) => t["key"] === GPU_TAINT.key)) continue;
            const labels = (i["labels"] as Record<string, string> | undefined) ?? {};
            const scaling = (i["scalingConfig"] as Record<string, number> | undefined) ?? {};
            add(region, {
                name: labels[POOL_LABEL] ?? r.name,
                machines: ((i["instanceTypes"] as string[] | undefined) ?? []).join(", "),
                min: scaling["minSize"] ?? 0,
                max: scaling["maxSize"] ?? 0,
                capacity: String(i["capacityType"] ?? "ON_DEMAND")
                    .toLowerCase()
                    .replace("_", "-"),
            });
        } else if (r.type === "gcp:container/nodePool:NodePool") {
            const nodeConfig = (i["nodeConfig"] as Record<string, unknown> | undefined) ?? {};
            const accelerators = (nodeConfig["guestAccelerators"] as Array<Record<string, unknown>> | undefined) ?? [];
            if (accelerators.length === 0) continue;
            const labels = (nodeConfig["labels"] as Record<string, string> | undefined) ?? {};
            const autoscaling = (i["autoscaling"] as Record<string, number> | undefined) ?? {};
            add(region, {
                name: labels[POOL_LABEL] ?? r.name,
                machines: `${nodeConfig["machineType"]} (${accelerators.map((a) => `${a["count"]}x ${a["type"]}`).join(", ")})`,
                min: autoscaling["totalMinNodeCount"] ?? autoscaling["minNodeCount"] ?? 0,
                max: autoscaling["totalMaxNodeCount"] ?? autoscaling["maxNodeCount"] ?? 0,
                capacity: nodeConfig["spot"] === true ? "spot" : "on-demand",
            });
        }
    }
    return pools;
}

/** A region's monthly floor and ceiling, when the plan holds a cost estimate (estimates.cost). */
function monthlyRange(plan: Plan, region: string): string | undefined {
    const cost = (plan.estimates as { cost?: unknown } | undefined)?.cost;
    if (typeof cost !== "object" || cost === null) return undefined;
    const { currency, regions } = cost as {
        currency?: unknown;
        regions?: Record<string, { floorMonthly?: unknown; ceilingMonthly?: unknown }>;
    };
    const figures = regions?.[region];
    if (typeof figures?.floorMonthly !== "number" || typeof figures.ceilingMonthly !== "number") return undefined;
    const money = new Intl.NumberFormat("en-US", { style: "currency", currency: typeof currency === "string" ? currency : "USD" });
    return `${money.format(figures.floorMonthly)}-${money.format(figures.ceilingMonthly)} per month`;
}

/** What the plan estimates for one region, for its title: cost range and failover seconds. */
function regionFigures(plan: Plan, region: string): string[] {
    const figures: string[] = [];
    const cost = monthlyRange(plan, region);
    if (cost !== undefined) figures.push(cost);
    const failover = plan.estimates?.failover?.regions[region];
    if (failover !== undefined)
        figures.push(`failover: out of DNS within ${failover.stopSeconds} s, back within ${failover.resumeSeconds} s`);
    return figures;
}

/** What the diagram takes from the validated config rather than the plan. */
export interface DiagramContext {
    domain: string;
    /** Cloud region or location label per region entry name. */
    locations: Record<string, string>;
    declaredPools: DeclaredPool[];
}

export function renderDiagram(plan: Plan, regionOf: Map<string, string>, context: DiagramContext): string {
    const { domain, declaredPools } = context;
    const resources = plan.resources;
    const regions = resources
        .filter((r) => /^modelfleet:(aws|gcp|existing):Region$/.test(r.type))
        .map((r) => ({ name: r.name, cloud: r.type.split(":")[1] }));
    const clusterNames = (plan.outputs["clusterNames"] ?? {}) as Record<string, string>;
    const pools = gpuPools(resources, regionOf);
    const lines: string[] = ["```mermaid", "flowchart LR"];

    const routing = resources.filter((r) => r.type === "aws:route53/record:Record" && typeof inputs(r)["setIdentifier"] === "string");
    const policy = routing.some((r) => inputs(r)["failoverRoutingPolicies"] !== undefined) ? "failover" : "latency";
    lines.push(`  clients(["Clients"]) --> entry{{${label(`${domain}: Route 53 ${policy} routing, health-checked`)}}}`);

    for (const cloud of ["aws", "gcp", "existing"]) {
        const inCloud = regions.filter((r) => r.cloud === cloud);
        if (inCloud.length === 0) continue;
        lines.push(`  subgraph ${id("cloud", cloud)}[${label(CLOUD_TITLES[cloud])}]`);
        for (const region of inCloud) {
            const location = context.locations[region.name];
            const title = [location ? `${region.name}: ${location}` : region.name, ...regionFigures(plan, region.name)].join(" | ");
            lines.push(`    subgraph ${id("region", region.name)}[${label(title)}]`);
            const kind = cloud === "aws" ? "EKS" : cloud === "gcp" ? "GKE" : "Kubernetes";
            lines.push(`      ${id("cluster", region.name)}[${label(`${kind} ${clusterNames[region.name] ?? region.name}`)}]`);
            const regionPools: Pool[] =
                cloud === "existing"
                    ? declaredPools
                          .filter((p) => p.region === region.name)
                          .map((p) => ({
                              name: p.name,
                              machines: `${p.gpusPerNode}x ${p.model} per node`,
                              min: 0,
                              max: 0,
                              capacity: "declared",
                          }))
                    : (pools.get(region.name) ?? []);
            for (const pool of regionPools) {
                const size = pool.capacity === "declared" ? "operator-managed" : `${pool.min}-${pool.max} nodes, ${pool.capacity}`;
                lines.push(`      ${id("pool", region.name, pool.name)}[${label(`GPU pool ${pool.name}: ${pool.machines}, ${size}`)}]`);
                lines.push(`      ${id("cluster", region.name)} --- ${id("pool", region.name, pool.name)}`);
            }
            lines.push("    end");
        }
        lines.push("  end");
    }

    // The model store: every copy, and how archives reach it.
    const buckets = new Map<string, { label: string }>();
    for (const r of resources) {
        if (r.type === "aws:s3/bucket:Bucket" && regionOf.get(r.urn) === "global")
            buckets.set(String(inputs(r)["bucket"]), { label: `S3 ${inputs(r)["bucket"]} (${inputs(r)["region"]})` });
        if (r.type === "gcp:storage/bucket:Bucket")
            buckets.set(String(inputs(r)["name"]), { label: `GCS ${inputs(r)["name"]} (${inputs(r)["location"]})` });
    }
    if (buckets.size > 0) {
        lines.push(`  subgraph store[${label("Model store")}]`);
        for (const [name, b] of buckets) lines.push(`    ${id("bucket", name)}[(${label(b.label)})]`);
        lines.push("  end");
    }
    for (const r of resources.filter((x) => x.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
        const source = String(inputs(r)["bucket"]);
        for (const rule of (inputs(r)["rules"] as Array<Record<string, Record<string, unknown>>> | undefined) ?? []) {
            const destination = String(rule["destination"]?.["bucket"] ?? "").replace(/^arn:aws:s3:::/, "");
            lines.push(`  ${id("bucket", source)} -- ${label("S3 replication")} --> ${id("bucket", destination)}`);
        }
    }
    for (const r of resources.filter((x) => x.type === "gcp:storage/transferJob:TransferJob")) {
        const spec = (inputs(r)["transferSpec"] ?? {}) as Record<string, Record<string, unknown>>;
        const source = spec["awsS3DataSource"]?.["bucketName"];
        const sink = spec["gcsDataSink"]?.["bucketName"];
        if (source && sink)
            lines.push(`  ${id("bucket", String(source))} -- ${label("Storage Transfer")} --> ${id("bucket", String(sink))}`);
    }

    // Who reads which copy, and who is behind the global name.
    const storeUris = (plan.outputs["modelStoreBuckets"] ?? {}) as Record<string, string>;
    for (const [region, uri] of Object.entries(storeUris)) {
        const bucket = uri.replace(/^(s3|gs):\/\//, "");
        if (buckets.has(bucket)) lines.push(`  ${id("bucket", bucket)} -.-> ${id("cluster", region)}`);
    }
    // The routing records point at `<region>.<domain>`; their set identifiers keep a renamed region's former name.
    const routed = new Set(
        routing.flatMap((r) =>
            (Array.isArray(inputs(r)["records"]) ? (inputs(r)["records"] as unknown[]) : []).map((h) =>
                String(h).replace(`.${domain}`, ""),
            ),
        ),
    );
    for (const region of regions) {
        if (routed.has(region.name)) lines.push(`  entry --> ${id("cluster", region.name)}`);
    }
    lines.push("```");
    const skipped = (plan.outputs["skippedRegions"] ?? []) as string[];
    const notes = skipped.length > 0 ? `\nLeft out of global routing: ${skipped.join("; ")}.\n` : "";
    return `# ${plan.project} / ${plan.stack}\n\nDrawn from the offline plan: regions by cloud (with their estimated monthly cost and worst-case failover seconds, when the plan holds them), their clusters and GPU pools, the model store's copies with replication, and the global entry.\n\n${lines.join("\n")}\n${notes}`;
}
