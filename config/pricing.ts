import { ConfigProblem, keyPath } from "./errors";
import { gcpGpuMachines } from "./catalog";
import { feeKeys, priceCatalog, type FeeKey, type PriceCatalog, type PriceSource } from "./priceCatalog";
import type { ParsedSettings } from "./schema";

/**
 * Rules for `modelfleet:pricing` and the price catalog. An override names something the
 * stack pays for; the catalog names a source and a date for every figure.
 */

/** Instance and machine types the stack's pools run, system pools included. */
export function usedInstanceTypes(settings: Pick<ParsedSettings, "regions">): Set<string> {
    const used = new Set<string>();
    for (const region of settings.regions) {
        if (region.cloud === "aws") {
            region.systemPool.instanceTypes.forEach((t) => used.add(t));
            region.gpuPools.forEach((p) => p.instanceTypes.forEach((t) => used.add(t)));
        } else if (region.cloud === "gcp") {
            used.add(region.systemPool.machineType);
            for (const pool of region.gpuPools) {
                used.add(pool.machineType);
                // GPUs billed apart from their machine (N1's T4s) are priced by accelerator type.
                const accelerator = gcpGpuMachines[pool.machineType]?.acceleratorType;
                if (accelerator && priceCatalog.instances[pool.machineType]?.includesGpus === false) used.add(accelerator);
            }
        }
    }
    return used;
}

/** Which cloud's regions a fee needs before the stack pays it. */
const feeCloud: Record<FeeKey, "aws" | "gcp" | "any"> = {
    eksControlPlane: "aws",
    eksExtendedSupport: "aws",
    gkeControlPlane: "gcp",
    natGateway: "aws",
    alb: "aws",
    gceForwardingRule: "gcp",
    route53HealthCheckAws: "any",
    route53HealthCheckOther: "any",
    route53HealthCheckOptionAws: "any",
    route53HealthCheckOptionOther: "any",
    route53HostedZone: "any",
    s3Storage: "aws",
    gcsStorage: "gcp",
    s3ReplicationTransfer: "aws",
    s3ReplicationTimeControl: "aws",
    internetEgress: "gcp",
};

/** Overrides for what the stack does not pay for: a stale or misspelt key would silently price nothing. */
export function pricingProblems(settings: Pick<ParsedSettings, "regions" | "pricing">): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const used = usedInstanceTypes(settings);
    for (const type of Object.keys(settings.pricing.instances)) {
        if (used.has(type)) continue;
        const path = keyPath(["pricing", "instances", type]);
        problems.push({
            path,
            message: `overrides the price of '${type}', which no pool of this stack runs (it runs ${[...used].sort().join(", ") || "no cloud pools"})`,
            fix: `remove it: pulumi config rm --path 'pricing.instances["${type}"]', or name a type a pool runs`,
        });
    }
    const clouds = new Set(settings.regions.map((r) => r.cloud));
    for (const fee of Object.keys(settings.pricing.fees) as FeeKey[]) {
        const cloud = feeCloud[fee];
        if (cloud === "any" || clouds.has(cloud)) continue;
        problems.push({
            path: keyPath(["pricing", "fees", fee]),
            message: `overrides a ${cloud.toUpperCase()} fee, but the stack has no ${cloud} region`,
            fix: `remove it: pulumi config rm --path 'pricing.fees.${fee}'`,
        });
    }
    return problems;
}

/** One catalog entry without what makes its figure checkable: where it is, what is missing, the fix. */
export interface CatalogProblem {
    /** Entry path in config/priceCatalog.ts, e.g. `instances["g6.xlarge"].onDemand`. */
    entry: string;
    message: string;
    fix: string;
}

/** One line per problem, in the shape of a config problem. */
export function formatCatalogProblem(p: CatalogProblem): string {
    return `config/priceCatalog.ts ${p.entry} ${p.message}; fix: ${p.fix}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every figure needs a source URL, a valid as-of date and a price of 0 or more. */
export function catalogProblems(catalog: PriceCatalog): CatalogProblem[] {
    const problems: CatalogProblem[] = [];
    const check = (entry: string, usd: number, byRegion: Record<string, number> | undefined, source: PriceSource | undefined) => {
        if (!source || typeof source.url !== "string" || !/^https:\/\/\S+$/.test(source.url))
            problems.push({ entry, message: "has no source URL", fix: "add source.url: the page or data file the figure was read from" });
        if (!source || typeof source.asOf !== "string" || !DATE.test(source.asOf) || Number.isNaN(Date.parse(source.asOf)))
            problems.push({ entry, message: "has no as-of date (YYYY-MM-DD)", fix: "add source.asOf: the day the figure is from" });
        for (const [where, value] of [["", usd] as const, ...Object.entries(byRegion ?? {}).map(([r, v]) => [` in ${r}`, v] as const)]) {
            if (!Number.isFinite(value) || value < 0)
                problems.push({ entry, message: `has a price${where} that is not a number of 0 or more`, fix: "give the price in USD" });
        }
    };
    for (const [type, price] of Object.entries(catalog.instances)) {
        check(`instances["${type}"].onDemand`, price.onDemand?.usd, price.onDemand?.byRegion, price.onDemand?.source);
        if (price.spot) check(`instances["${type}"].spot`, price.spot.usd, price.spot.byRegion, price.spot.source);
    }
    for (const fee of feeKeys) {
        const price = catalog.fees[fee];
        if (!price)
            problems.push({ entry: `fees.${fee}`, message: "is missing", fix: "add the fee with its price, source and as-of date" });
        else check(`fees.${fee}`, price.usd, price.byRegion, price.source);
    }
    return problems;
}

/** The oldest as-of date in the catalog: the estimate is only as fresh as its stalest figure. */
export function catalogAsOf(catalog: PriceCatalog): string {
    const dates: string[] = [];
    for (const price of Object.values(catalog.instances)) {
        dates.push(price.onDemand.source.asOf);
        if (price.spot) dates.push(price.spot.source.asOf);
    }
    for (const price of Object.values(catalog.fees)) dates.push(price.source.asOf);
    return dates.sort()[0];
}

/** Days after which the summary calls the catalog stale. */
export const CATALOG_STALE_DAYS = 180;
