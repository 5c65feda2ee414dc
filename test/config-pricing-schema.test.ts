import { pricingSchema } from "../config/pricingSchema";

/** `modelfleet:pricing` on its own: the store size, the replicated volume and the price overrides. */

function problemsOf(input: unknown): string[] {
    const parsed = pricingSchema.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("pricingSchema", () => {
    test("left out, the estimate prices a 100 GB store at catalog prices", () => {
        expect(pricingSchema.parse(undefined)).toEqual({ modelStoreGb: 100, instances: {}, fees: {} });
        expect(pricingSchema.parse({})).toEqual({ modelStoreGb: 100, instances: {}, fees: {} });
    });

    test("every setting given comes back as given", () => {
        const pricing = {
            modelStoreGb: 250,
            replicatedGbPerMonth: 40,
            instances: { "g6.xlarge": { onDemand: 0.8, spot: 0.3 }, "g2-standard-8": { spot: 0 } },
            fees: { natGateway: 0.04, s3Storage: 0 },
        };
        expect(pricingSchema.parse(pricing)).toEqual(pricing);
    });

    test("sizes may be 0 but not negative", () => {
        expect(problemsOf({ modelStoreGb: 0, replicatedGbPerMonth: 0 })).toEqual([]);
        expect(problemsOf({ modelStoreGb: -1, replicatedGbPerMonth: -0.5 })).toEqual([
            "modelStoreGb: must be 0 or more (GB)",
            "replicatedGbPerMonth: must be 0 or more (GB per month)",
        ]);
    });

    test("prices may be 0 but not negative", () => {
        expect(problemsOf({ instances: { "g6.xlarge": { onDemand: 0, spot: 0 } }, fees: { alb: 0 } })).toEqual([]);
        expect(problemsOf({ instances: { "g6.xlarge": { onDemand: -0.01, spot: -1 } }, fees: { alb: -0.02 } })).toEqual([
            "instances.g6.xlarge.onDemand: must be 0 or more (USD)",
            "instances.g6.xlarge.spot: must be 0 or more (USD)",
            "fees.alb: must be 0 or more (USD)",
        ]);
    });

    test("unknown keys, instance price kinds and fees are refused", () => {
        expect(problemsOf({ storeGb: 10 })).toEqual([': Unrecognized key: "storeGb"']);
        expect(problemsOf({ instances: { "g6.xlarge": { reserved: 0.5 } } })).toEqual([
            'instances.g6.xlarge: Unrecognized key: "reserved"',
        ]);
        expect(problemsOf({ fees: { natGateways: 0.04 } })).toEqual(['fees: Unrecognized key: "natGateways"']);
    });
});
