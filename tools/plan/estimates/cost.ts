import { eksStandardSupportEnds } from "../../../config/catalog";
import { CATALOG_STALE_DAYS, catalogAsOf } from "../../../config/pricing";
import type { FeeKey, FeePrice, PriceCatalog, RegionalPrice } from "../../../config/priceCatalog";
import type { FleetSettings } from "../../../config/schema";
import type { PlanCostEstimate, PlanCostItem, PlanCostRegion, PlanResource } from "../../contracts";

/**
 * The monthly cost of a plan: every pool at its minimum (floor) and maximum (ceiling) node
 * count, plus the fixed costs of what the plan creates (control planes, NAT gateways, load
 * balancers, health checks, model-store storage and replication). Reads the plan's resources,
 * so it counts what the program creates, not what the settings suggest.
 */

export const HOURS_PER_MONTH = 730;

export interface CostInput {
    resources: PlanResource[];
    regionOf: Map<string, string>;
    settings: Pick<FleetSettings, "regions" | "pricing" | "modelStore">;
    catalog: PriceCatalog;
    today: Date;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
const DAY_MS = 86_400_000;

/** A price as the estimate uses it: the figure for one region and where it came from. */
interface Resolved {
    usd: number;
    source: string;
    note?: string;
}

function regional(price: RegionalPrice, cloudRegion: string): Resolved {
    const own = price.byRegion?.[cloudRegion];
    const source = `${price.source.url} (${price.source.asOf}${price.source.verified === false ? ", unverified" : ""})`;
    if (own !== undefined) return { usd: own, source };
    if (price.region === cloudRegion || price.region === "global") return { usd: price.usd, source };
    return { usd: price.usd, source, note: `priced at ${price.region} rates (the catalog has no ${cloudRegion} price)` };
}

export function estimateCost(input: CostInput): PlanCostEstimate {
    const { resources, regionOf, settings, catalog } = input;
    const pricing = settings.pricing;
    const overrides: string[] = [];
    const regionSettings = new Map(settings.regions.map((r) => [r.name, r]));
    const regions: Record<string, PlanCostRegion> = {};
    const globalItems: PlanCostItem[] = [];
    const unpriced: string[] = [];
    for (const r of settings.regions) regions[r.name] = { fixedMonthly: 0, floorMonthly: 0, ceilingMonthly: 0, items: [] };

    const fee = (key: FeeKey, cloudRegion: string): Resolved & { price: FeePrice } => {
        const price = catalog.fees[key];
        const override = pricing.fees[key];
        if (override !== undefined) return { usd: override, source: `modelfleet:pricing.fees.${key}`, price };
        return { ...regional(price, cloudRegion), price };
    };
    const perMonth = (price: FeePrice) => (price.unit === "hour" ? HOURS_PER_MONTH : 1);
    const addFixed = (region: string | undefined, key: FeeKey, quantity: number, cloudRegion: string, what?: string, note?: string) => {
        if (quantity <= 0) return;
        const f = fee(key, cloudRegion);
        const unit = f.price.unit === "hour" ? "hour" : f.price.unit;
        const monthly = cents(quantity * f.usd * perMonth(f.price));
        const item: PlanCostItem = {
            id: what ?? key,
            what: what ?? f.price.label,
            quantity,
            unit,
            usdPerUnit: f.usd,
            fixed: true,
            floorMonthly: monthly,
            ceilingMonthly: monthly,
            source: f.source,
            ...((note ?? f.note) !== undefined ? { note: [note, f.note].filter(Boolean).join("; ") } : {}),
        };
        if (region === undefined) globalItems.push(item);
        else regions[region]?.items.push(item);
    };

    const instancePrice = (type: string, spot: boolean, cloudRegion: string): Resolved | undefined => {
        const override = pricing.instances[type];
        const wanted = spot ? override?.spot : override?.onDemand;
        if (wanted !== undefined) return { usd: wanted, source: `modelfleet:pricing.instances["${type}"].${spot ? "spot" : "onDemand"}` };
        const entry = catalog.instances[type];
        if (!entry) return undefined;
        if (spot && entry.spot) return regional(entry.spot, cloudRegion);
        if (spot && override?.onDemand !== undefined)
            return {
                usd: override.onDemand,
                source: `modelfleet:pricing.instances["${type}"].onDemand`,
                note: "no spot price: priced at on-demand, spot's ceiling",
            };
        const onDemand = regional(entry.onDemand, cloudRegion);
        return spot
            ? { ...onDemand, note: [onDemand.note, "no spot price: priced at on-demand, spot's ceiling"].filter(Boolean).join("; ") }
            : onDemand;
    };

    const addPool = (
        region: string,
        what: string,
        types: string[],
        spot: boolean,
        min: number,
        max: number,
        cloudRegion: string,
        /** GPUs billed apart from the machine, per node. */
        accelerators: Array<{ type: string; count: number }> = [],
    ) => {
        const gpus = accelerators.map((a) => ({ ...a, price: instancePrice(a.type, spot, cloudRegion) }));
        const gpuPerNode = gpus.reduce((sum, g) => sum + g.count * (g.price?.usd ?? 0), 0);
        const priced = types.map((t) => {
            const machine = instancePrice(t, spot, cloudRegion);
            if (machine === undefined || gpus.length === 0) return { type: t, price: machine };
            const sources = [machine.source, ...gpus.map((g) => g.price?.source)].filter((x): x is string => x !== undefined);
            const note = [machine.note, `plus ${gpus.map((g) => `${g.count} × ${g.type}`).join(", ")} per node`].filter(Boolean).join("; ");
            return { type: t, price: { usd: machine.usd + gpuPerNode, source: sources.join("; "), note } };
        });
        const missing = [
            ...priced.filter((p) => p.price === undefined).map((p) => p.type),
            ...gpus.filter((g) => !g.price).map((g) => g.type),
        ];
        const lane = spot ? "spot" : "on-demand";
        if (missing.length > 0) {
            unpriced.push(`${region}: ${what} (${missing.join(", ")})`);
            regions[region]?.items.push({
                id: what,
                what: `${what}, ${min}-${max} × ${types.join("|")} (${lane})`,
                quantity: min,
                ceilingQuantity: max,
                unit: "node-hour",
                usdPerUnit: 0,
                fixed: false,
                floorMonthly: 0,
                ceilingMonthly: 0,
                source: "none",
                unpriced: true,
                note: `no price for ${missing.join(", ")}: set modelfleet:pricing.instances["${missing[0]}"].${spot ? "spot" : "onDemand"}`,
            });
            return;
        }
        const sorted = [...priced].sort((a, b) => (a.price?.usd ?? 0) - (b.price?.usd ?? 0));
        const cheapest = sorted[0];
        const dearest = sorted[sorted.length - 1];
        const notes = [...new Set(priced.map((p) => p.price?.note).filter((n): n is string => n !== undefined))];
        if (types.length > 1) notes.unshift(`floor at the cheapest type (${cheapest.type}), ceiling at the dearest (${dearest.type})`);
        regions[region]?.items.push({
            id: what,
            what: `${what}, ${min}-${max} × ${types.join("|")} (${lane})`,
            quantity: min,
            ceilingQuantity: max,
            unit: "node-hour",
            usdPerUnit: cheapest.price?.usd ?? 0,
            ceilingUsdPerUnit: dearest.price?.usd ?? 0,
            fixed: false,
            floorMonthly: cents(min * (cheapest.price?.usd ?? 0) * HOURS_PER_MONTH),
            ceilingMonthly: cents(max * (dearest.price?.usd ?? 0) * HOURS_PER_MONTH),
            source: [...new Set(priced.map((p) => p.price?.source))].join("; "),
            ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
        });
    };

    const byType = (type: string) => resources.filter((r) => r.type === type);
    const cloudRegionOf = (region: string) => regionSettings.get(region)?.region ?? region;
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});

    for (const cluster of byType("aws:eks/cluster:Cluster")) {
        const region = regionOf.get(cluster.urn) ?? "global";
        const cloudRegion = cloudRegionOf(region);
        addFixed(region, "eksControlPlane", 1, cloudRegion);
        const version = str(cluster.inputs["version"]);
        const ends = version !== undefined ? eksStandardSupportEnds[version] : undefined;
        const supportType = str(obj(cluster.inputs["upgradePolicy"])["supportType"]);
        if (ends !== undefined && supportType !== "STANDARD" && Date.parse(ends) <= input.today.getTime())
            addFixed(region, "eksExtendedSupport", 1, cloudRegion, undefined, `Kubernetes ${version} left standard support on ${ends}`);
    }
    for (const cluster of byType("gcp:container/cluster:Cluster")) {
        const region = regionOf.get(cluster.urn) ?? "global";
        addFixed(region, "gkeControlPlane", 1, cloudRegionOf(region));
    }
    const countIn = (type: string, keep: (r: PlanResource) => boolean = () => true) => {
        const counts = new Map<string, number>();
        for (const r of byType(type).filter(keep)) {
            const region = regionOf.get(r.urn) ?? "global";
            counts.set(region, (counts.get(region) ?? 0) + 1);
        }
        return counts;
    };
    for (const [region, n] of countIn("aws:ec2/natGateway:NatGateway")) addFixed(region, "natGateway", n, cloudRegionOf(region));
    const albIngress = (r: PlanResource) => str(obj(r.inputs["spec"])["ingressClassName"]) === "alb";
    for (const [region, n] of countIn("kubernetes:networking.k8s.io/v1:Ingress", albIngress))
        addFixed(region, "alb", n, cloudRegionOf(region));
    for (const gateway of byType("kubernetes:gateway.networking.k8s.io/v1:Gateway")) {
        const region = regionOf.get(gateway.urn) ?? "global";
        if (regionSettings.get(region)?.cloud !== "gcp") continue;
        // A GKE Gateway gets one forwarding rule per listener port.
        const listeners = obj(gateway.inputs["spec"])["listeners"];
        const rules = Array.isArray(listeners) ? new Set(listeners.map((l) => num(obj(l)["port"]))).size : 1;
        addFixed(region, "gceForwardingRule", rules, cloudRegionOf(region), undefined, "one forwarding rule per listener port");
    }

    for (const group of byType("aws:eks/nodeGroup:NodeGroup")) {
        const region = regionOf.get(group.urn) ?? "global";
        const scaling = obj(group.inputs["scalingConfig"]);
        const types = Array.isArray(group.inputs["instanceTypes"]) ? (group.inputs["instanceTypes"] as unknown[]).map(String) : [];
        const spot = str(group.inputs["capacityType"]) === "SPOT";
        addPool(
            region,
            `node group ${group.name}`,
            types,
            spot,
            num(scaling["minSize"]) ?? 0,
            num(scaling["maxSize"]) ?? 0,
            cloudRegionOf(region),
        );
    }
    for (const pool of byType("gcp:container/nodePool:NodePool")) {
        const region = regionOf.get(pool.urn) ?? "global";
        const nodeConfig = obj(pool.inputs["nodeConfig"]);
        const autoscaling = obj(pool.inputs["autoscaling"]);
        const zones = Array.isArray(pool.inputs["nodeLocations"]) ? (pool.inputs["nodeLocations"] as unknown[]).length : 1;
        // total* counts span the pool's zones; the per-zone counts apply in each zone.
        const fixedCount = num(pool.inputs["nodeCount"]);
        const min = num(autoscaling["totalMinNodeCount"]) ?? (num(autoscaling["minNodeCount"]) ?? fixedCount ?? 0) * zones;
        const max = num(autoscaling["totalMaxNodeCount"]) ?? (num(autoscaling["maxNodeCount"]) ?? fixedCount ?? 0) * zones;
        const spot = nodeConfig["spot"] === true || nodeConfig["preemptible"] === true;
        const machine = str(nodeConfig["machineType"]) ?? "";
        const accelerators =
            catalog.instances[machine]?.includesGpus === false && Array.isArray(nodeConfig["guestAccelerators"])
                ? (nodeConfig["guestAccelerators"] as unknown[]).map((a) => ({
                      type: str(obj(a)["type"]) ?? "",
                      count: num(obj(a)["count"]) ?? 1,
                  }))
                : [];
        addPool(region, `node pool ${pool.name}`, [machine], spot, min, max, cloudRegionOf(region), accelerators);
    }

    // Model store: a bucket per region copy, sized by the stack's pricing setting.
    const storeGb = pricing.modelStoreGb;
    const replicatedGb = pricing.replicatedGbPerMonth ?? storeGb;
    const storeNote = `${storeGb} GB assumed (modelfleet:pricing.modelStoreGb)`;
    const copyNote = `${replicatedGb} GB a month assumed (modelfleet:pricing.replicatedGbPerMonth)`;
    const storeBuckets = byType("aws:s3/bucket:Bucket").filter((b) => obj(b.inputs["tags"])["modelfleet:component"] === "model-store");
    // Transfer is billed where the data leaves: the primary bucket's region.
    const primary = storeBuckets.find((b) => obj(b.inputs["tags"])["modelfleet:store-role"] === "primary");
    const sourceRegion = str(primary?.inputs["region"]) ?? "us-east-1";
    for (const bucket of storeBuckets) {
        const tags = obj(bucket.inputs["tags"]);
        const region = str(tags["modelfleet:region"]) ?? "global";
        const cloudRegion = str(bucket.inputs["region"]) ?? cloudRegionOf(region);
        const target = regions[region] ? region : undefined;
        addFixed(target, "s3Storage", storeGb, cloudRegion, `model store bucket (S3 Standard)`, storeNote);
        if (tags["modelfleet:store-role"] === "replica") {
            addFixed(target, "s3ReplicationTransfer", replicatedGb, sourceRegion, "model store replication into this region", copyNote);
            if (settings.modelStore.replicationTimeControl)
                addFixed(target, "s3ReplicationTimeControl", replicatedGb, cloudRegion, "model store Replication Time Control", copyNote);
        }
    }
    const transferJobs = byType("gcp:storage/transferJob:TransferJob").length;
    for (const bucket of byType("gcp:storage/bucket:Bucket")) {
        const labels = obj(bucket.inputs["labels"]);
        if (labels["modelfleet-component"] !== "model-store") continue;
        const region = str(labels["modelfleet-region"]) ?? "global";
        const cloudRegion = str(bucket.inputs["location"])?.toLowerCase() ?? cloudRegionOf(region);
        const target = regions[region] ? region : undefined;
        addFixed(target, "gcsStorage", storeGb, cloudRegion, "model store bucket (Cloud Storage Standard)", storeNote);
        if (transferJobs > 0)
            addFixed(target, "internetEgress", replicatedGb, sourceRegion, "model store transfer from S3 into this region", copyNote);
    }

    // Route 53: health checks per region endpoint, and any zone the program creates.
    const checkGroups = new Map<string, { key: FeeKey; what: string; n: number }>();
    const count = (key: FeeKey, what: string, n: number) => {
        const id = `${key}:${what}`;
        const group = checkGroups.get(id) ?? { key, what, n: 0 };
        group.n += n;
        checkGroups.set(id, group);
    };
    for (const check of byType("aws:route53/healthCheck:HealthCheck")) {
        const type = str(check.inputs["type"]) ?? "";
        if (type === "CALCULATED") {
            count("route53HealthCheckAws", "Route 53 calculated health checks", 1);
            continue;
        }
        const fqdn = str(check.inputs["fqdn"]) ?? "";
        const regionName = fqdn.split(".")[0];
        const onAws = regionSettings.get(regionName)?.cloud === "aws";
        const side = onAws ? "Aws" : "Other";
        count(`route53HealthCheck${side}`, `Route 53 health checks, ${onAws ? "AWS" : "non-AWS"} endpoints`, 1);
        const options =
            (type.startsWith("HTTPS") ? 1 : 0) +
            (type.endsWith("_STR_MATCH") ? 1 : 0) +
            (num(check.inputs["requestInterval"]) === 10 ? 1 : 0) +
            (check.inputs["measureLatency"] === true ? 1 : 0);
        count(
            `route53HealthCheckOption${side}`,
            `Route 53 health check options (HTTPS, string match, 10 s interval, latency), ${onAws ? "AWS" : "non-AWS"} endpoints`,
            options,
        );
    }
    for (const group of checkGroups.values()) addFixed(undefined, group.key, group.n, "global", group.what);
    addFixed(undefined, "route53HostedZone", byType("aws:route53/zone:Zone").length, "global");

    let fixedTotal = 0;
    let floorTotal = 0;
    let ceilingTotal = 0;
    for (const [name, region] of Object.entries(regions)) {
        const fixed = region.items.filter((i) => i.fixed).reduce((s, i) => s + i.floorMonthly, 0);
        const floor = region.items.reduce((s, i) => s + i.floorMonthly, 0);
        const ceiling = region.items.reduce((s, i) => s + i.ceilingMonthly, 0);
        regions[name] = { ...region, fixedMonthly: cents(fixed), floorMonthly: cents(floor), ceilingMonthly: cents(ceiling) };
        fixedTotal += fixed;
        floorTotal += floor;
        ceilingTotal += ceiling;
    }
    const globalFixed = globalItems.reduce((s, i) => s + i.floorMonthly, 0);
    for (const [type, price] of Object.entries(pricing.instances)) {
        if (price.onDemand !== undefined) overrides.push(`instances["${type}"].onDemand`);
        if (price.spot !== undefined) overrides.push(`instances["${type}"].spot`);
    }
    for (const key of Object.keys(pricing.fees)) overrides.push(`fees.${key}`);
    const asOf = catalogAsOf(catalog);
    const ageDays = Math.floor(
        (Date.UTC(input.today.getUTCFullYear(), input.today.getUTCMonth(), input.today.getUTCDate()) - Date.parse(asOf)) / DAY_MS,
    );
    return {
        currency: "USD",
        hoursPerMonth: HOURS_PER_MONTH,
        catalog: { asOf, ageDays, stale: ageDays > CATALOG_STALE_DAYS },
        assumptions: { modelStoreGb: storeGb, replicatedGbPerMonth: replicatedGb, overrides },
        regions,
        global: { fixedMonthly: cents(globalFixed), items: globalItems },
        total: {
            fixedMonthly: cents(fixedTotal + globalFixed),
            floorMonthly: cents(floorTotal + globalFixed),
            ceilingMonthly: cents(ceilingTotal + globalFixed),
        },
        unpriced,
    };
}

/** The summary's cost lines: per region and in total, what was assumed, and whether the catalog is stale. */
export function costSummaryLines(cost: PlanCostEstimate): string[] {
    const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const lines = [
        `estimated cost per month (${cost.hoursPerMonth} h, USD list prices; floor = pools at minNodes, ceiling = at maxNodes):`,
    ];
    const width = Math.max(6, ...Object.keys(cost.regions).map((r) => r.length));
    for (const [name, region] of Object.entries(cost.regions))
        lines.push(
            `  ${name.padEnd(width)}  fixed ${usd(region.fixedMonthly).padStart(11)}  floor ${usd(region.floorMonthly).padStart(11)}  ceiling ${usd(region.ceilingMonthly).padStart(11)}`,
        );
    lines.push(`  ${"global".padEnd(width)}  fixed ${usd(cost.global.fixedMonthly).padStart(11)}`);
    lines.push(
        `  ${"total".padEnd(width)}  fixed ${usd(cost.total.fixedMonthly).padStart(11)}  floor ${usd(cost.total.floorMonthly).padStart(11)}  ceiling ${usd(cost.total.ceilingMonthly).padStart(11)}`,
    );
    lines.push(
        `  assumed: model store ${cost.assumptions.modelStoreGb} GB per bucket, ${cost.assumptions.replicatedGbPerMonth} GB a month replicated (modelfleet:pricing); ${cost.assumptions.overrides.length > 0 ? `overrides: ${cost.assumptions.overrides.join(", ")}` : "no price overrides"}`,
    );
    lines.push(
        "  not counted: serving traffic to the internet, NAT/LB per-GB and LCU charges, EBS/PD disks, logs, KMS, ECR, edge clusters (docs/cost.md)",
    );
    for (const u of cost.unpriced)
        lines.push(`  unpriced: ${u}; fix: add it to config/priceCatalog.ts or set modelfleet:pricing.instances`);
    if (cost.catalog.stale)
        lines.push(
            `  warning: the price catalog is ${cost.catalog.ageDays} days old (as of ${cost.catalog.asOf}, over 180); refresh config/priceCatalog.ts (docs/cost.md)`,
        );
    else lines.push(`  prices as of ${cost.catalog.asOf} (${cost.catalog.ageDays} days old)`);
    return lines;
}
