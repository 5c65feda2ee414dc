import { validateSettings } from "../config";
import { catalogAsOf, catalogProblems, formatCatalogProblem, pricingProblems, usedInstanceTypes } from "../config/pricing";
import { feeKeys, type FeeKey, type FeePrice, type PriceCatalog, type PriceSource } from "../config/priceCatalog";
import { stackSettings } from "./mocks";

/** The prod stack's settings: two AWS regions, one GCP region and an edge cluster. */
const prod = () => validateSettings(stackSettings("prod"));

describe("the types a stack pays for", () => {
    it("lists the system and GPU pools' types of AWS and GCP regions, not the edge cluster's", () => {
        expect([...usedInstanceTypes(prod())].sort()).toEqual([
            "e2-standard-4",
            "g2-standard-8",
            "g5.2xlarge",
            "g5.xlarge",
            "g6.2xlarge",
            "g6.xlarge",
            "m7i.large",
        ]);
    });

    it("adds the accelerator type of a GCE pool billed for its GPUs apart, and only then", () => {
        const raw = stackSettings("prod");
        const regions = raw.regions as Array<{ gpuPools: Array<Record<string, unknown>> }>;
        regions[2].gpuPools[0].machineType = "n1-standard-8";
        const used = usedInstanceTypes(validateSettings(raw));
        expect(used.has("nvidia-tesla-t4")).toBe(true);
        expect(used.has("n1-standard-8")).toBe(true);
        expect(used.has("nvidia-l4")).toBe(false);
    });

    it("counts a GCE machine type neither catalog knows as itself, with no accelerator", () => {
        const settings = prod();
        const gcp = settings.regions.find((r) => r.cloud === "gcp");
        if (gcp?.cloud !== "gcp") throw new Error("the prod stack has a GCP region");
        gcp.gpuPools[0].machineType = "n2-standard-8";
        expect([...usedInstanceTypes({ regions: [gcp] })].sort()).toEqual(["e2-standard-4", "n2-standard-8"]);
    });
});

describe("fee overrides need a region of the fee's cloud", () => {
    const allFees = Object.fromEntries(feeKeys.map((key) => [key, 1])) as Record<FeeKey, number>;
    const refused = (cloud: "aws" | "gcp") => {
        const settings = prod();
        const regions = settings.regions.filter((r) => r.cloud === cloud);
        return pricingProblems({ regions, pricing: { ...settings.pricing, instances: {}, fees: allFees } });
    };

    it("refuses the GCP fees in a stack of AWS regions, and accepts the AWS and the global ones", () => {
        expect(refused("aws")).toEqual(
            ["gkeControlPlane", "gceForwardingRule", "gcsStorage", "internetEgress"].map((fee) => ({
                path: `pricing.fees.${fee}`,
                message: "overrides a GCP fee, but the stack has no gcp region",
                fix: `remove it: pulumi config rm --path 'pricing.fees.${fee}'`,
            })),
        );
    });

    it("refuses the AWS fees in a stack of GCP regions, and accepts the GCP and the global ones", () => {
        expect(refused("gcp")).toEqual(
            [
                "eksControlPlane",
                "eksExtendedSupport",
                "natGateway",
                "alb",
                "s3Storage",
                "s3ReplicationTransfer",
                "s3ReplicationTimeControl",
            ].map((fee) => ({
                path: `pricing.fees.${fee}`,
                message: "overrides a AWS fee, but the stack has no aws region",
                fix: `remove it: pulumi config rm --path 'pricing.fees.${fee}'`,
            })),
        );
    });

    it("accepts an override of a type a pool runs, and lists the types it runs in order for one it does not", () => {
        const settings = prod();
        const instances = { "g6.xlarge": { onDemand: 1 }, "p5.48xlarge": { onDemand: 40 } };
        expect(pricingProblems({ regions: settings.regions, pricing: { ...settings.pricing, instances, fees: {} } })).toEqual([
            {
                path: 'pricing.instances["p5.48xlarge"]',
                message:
                    "overrides the price of 'p5.48xlarge', which no pool of this stack runs (it runs e2-standard-4, g2-standard-8, g5.2xlarge, g5.xlarge, g6.2xlarge, g6.xlarge, m7i.large)",
                fix: `remove it: pulumi config rm --path 'pricing.instances["p5.48xlarge"]', or name a type a pool runs`,
            },
        ]);
    });

    it("names 'no cloud pools' when a stack runs none", () => {
        const settings = prod();
        const regions = settings.regions.filter((r) => r.cloud === "existing");
        expect(
            pricingProblems({ regions, pricing: { ...settings.pricing, instances: { "g6.xlarge": { onDemand: 1 } }, fees: {} } }),
        ).toEqual([
            {
                path: 'pricing.instances["g6.xlarge"]',
                message: "overrides the price of 'g6.xlarge', which no pool of this stack runs (it runs no cloud pools)",
                fix: `remove it: pulumi config rm --path 'pricing.instances["g6.xlarge"]', or name a type a pool runs`,
            },
        ]);
    });
});

const source: PriceSource = { url: "https://example.com/prices", asOf: "2026-06-01" };

/** A catalog of one AWS type, one GCE type with a spot price, and every fee. */
function catalog(): PriceCatalog {
    const fees = Object.fromEntries(
        feeKeys.map((key): [FeeKey, FeePrice] => [key, { label: key, unit: "hour", usd: 1, region: "us-east-1", source }]),
    ) as Record<FeeKey, FeePrice>;
    return {
        instances: {
            "g6.xlarge": { cloud: "aws", onDemand: { usd: 1, region: "us-east-1", byRegion: { "eu-west-1": 1.2 }, source } },
            "g2-standard-8": {
                cloud: "gcp",
                onDemand: { usd: 0.8, region: "us-central1", source },
                spot: { usd: 0.4, region: "us-central1", source },
            },
        },
        fees,
    };
}

describe("price catalog checks", () => {
    const lines = (c: PriceCatalog) => catalogProblems(c).map(formatCatalogProblem);
    const noUrl =
        'config/priceCatalog.ts instances["g6.xlarge"].onDemand has no source URL; fix: add source.url: the page or data file the figure was read from';
    const noDate =
        'config/priceCatalog.ts instances["g6.xlarge"].onDemand has no as-of date (YYYY-MM-DD); fix: add source.asOf: the day the figure is from';
    const withSource = (s: Partial<PriceSource> | undefined) => {
        const c = catalog();
        c.instances["g6.xlarge"].onDemand.source = s as PriceSource;
        return lines(c);
    };

    it("accepts a catalog whose every figure has an https URL, a date and a price of 0 or more", () => {
        expect(lines(catalog())).toEqual([]);
        const free = catalog();
        free.instances["g6.xlarge"].onDemand.usd = 0;
        free.instances["g6.xlarge"].onDemand.byRegion = { "eu-west-1": 0 };
        expect(lines(free)).toEqual([]);
    });

    it.each([
        ["http://example.com"],
        ["https://"],
        ["https://example.com/a b"],
        [" https://example.com"],
        ["https://example.com "],
        ["see https://example.com"],
    ])("refuses the source URL %j", (url) => {
        expect(withSource({ ...source, url })).toEqual([noUrl]);
    });

    it.each([
        ["2026-6-01"],
        ["2026-06-1"],
        ["26-06-01"],
        ["x2026-06-01"],
        ["2026-06-01x"],
        ["2026-13-45"],
        ["2026/06/01"],
        ["12026-06-01"],
        ["2026-06-01T00:00:00Z"],
    ])("refuses the as-of date %j", (asOf) => {
        expect(withSource({ ...source, asOf })).toEqual([noDate]);
    });

    it("refuses a figure without a source, or with a source missing its URL or its date", () => {
        expect(withSource(undefined)).toEqual([noUrl, noDate]);
        expect(withSource({ asOf: "2026-06-01" })).toEqual([noUrl]);
        expect(withSource({ url: "https://example.com" })).toEqual([noDate]);
    });

    it("refuses a URL or a date that is not text, even one that reads as valid text", () => {
        expect(withSource({ ...source, url: new URL("https://example.com/prices") as unknown as string })).toEqual([noUrl]);
        expect(withSource({ ...source, asOf: ["2026-06-01"] as unknown as string })).toEqual([noDate]);
    });

    it("refuses an instance entry without an on-demand price", () => {
        const c = catalog();
        delete (c.instances["g6.xlarge"] as Partial<PriceCatalog["instances"][string]>).onDemand;
        expect(lines(c)).toEqual([
            noUrl,
            noDate,
            'config/priceCatalog.ts instances["g6.xlarge"].onDemand has a price that is not a number of 0 or more; fix: give the price in USD',
        ]);
    });

    it("refuses a negative, infinite or missing price, naming the region of a regional one", () => {
        const c = catalog();
        c.instances["g6.xlarge"].onDemand.usd = -0.01;
        c.instances["g6.xlarge"].onDemand.byRegion = { "eu-west-1": Number.POSITIVE_INFINITY, "eu-west-2": 1, "eu-north-1": -1 };
        c.instances["g2-standard-8"].spot = { usd: Number.NaN, region: "us-central1", source: { url: "ftp://x", asOf: "2026-06-01" } };
        const fix = "give the price in USD";
        expect(catalogProblems(c)).toEqual([
            { entry: 'instances["g6.xlarge"].onDemand', message: "has a price that is not a number of 0 or more", fix },
            { entry: 'instances["g6.xlarge"].onDemand', message: "has a price in eu-west-1 that is not a number of 0 or more", fix },
            { entry: 'instances["g6.xlarge"].onDemand', message: "has a price in eu-north-1 that is not a number of 0 or more", fix },
            {
                entry: 'instances["g2-standard-8"].spot',
                message: "has no source URL",
                fix: "add source.url: the page or data file the figure was read from",
            },
            { entry: 'instances["g2-standard-8"].spot', message: "has a price that is not a number of 0 or more", fix },
        ]);
    });

    it("checks every fee, and names a missing one", () => {
        const c = catalog();
        delete (c.fees as Partial<Record<FeeKey, FeePrice>>).alb;
        c.fees.gcsStorage.byRegion = { "us-east4": -1 };
        c.fees.internetEgress.source = { url: "https://example.com", asOf: "2026-02-30x" };
        expect(lines(c)).toEqual([
            "config/priceCatalog.ts fees.alb is missing; fix: add the fee with its price, source and as-of date",
            "config/priceCatalog.ts fees.gcsStorage has a price in us-east4 that is not a number of 0 or more; fix: give the price in USD",
            "config/priceCatalog.ts fees.internetEgress has no as-of date (YYYY-MM-DD); fix: add source.asOf: the day the figure is from",
        ]);
    });
});

describe("the catalog's date", () => {
    it("is its oldest figure's, spot prices and fees included", () => {
        const c = catalog();
        expect(catalogAsOf(c)).toBe("2026-06-01");
        c.fees.natGateway.source = { ...source, asOf: "2026-05-31" };
        expect(catalogAsOf(c)).toBe("2026-05-31");
        c.instances["g2-standard-8"].spot = { usd: 0.4, region: "us-central1", source: { ...source, asOf: "2025-12-31" } };
        expect(catalogAsOf(c)).toBe("2025-12-31");
        c.instances["g6.xlarge"].onDemand.source = { ...source, asOf: "2025-01-02" };
        expect(catalogAsOf(c)).toBe("2025-01-02");
    });
});
