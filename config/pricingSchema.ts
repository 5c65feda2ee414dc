import { z } from "zod";
import { defaults } from "./defaults";
import { feeKeys } from "./priceCatalog";

/** A price in USD; a negative one is a typo, never a discount. */
const usd = z.number().min(0, { message: "must be 0 or more (USD)" });

/** One instance or machine type's prices, USD per node-hour. */
const instanceOverride = z.strictObject({ onDemand: usd.optional(), spot: usd.optional() });

/**
 * `modelfleet:pricing`: what the cost estimate assumes for this stack. Prices override the
 * catalog (config/priceCatalog.ts) for every region, e.g. after an enterprise discount.
 */
export const pricingSchema = z
    .strictObject({
        /** Size of the model store the estimate prices storage for, GB per bucket (default 100). */
        modelStoreGb: z.number().min(0, { message: "must be 0 or more (GB)" }).default(defaults.pricing.modelStoreGb),
        /** GB written to the primary store per month, copied to every replica (default: modelStoreGb). */
        replicatedGbPerMonth: z.number().min(0, { message: "must be 0 or more (GB per month)" }).optional(),
        /** Per instance or machine type: onDemand and spot, USD per node-hour. */
        instances: z.record(z.string(), instanceOverride).default({}),
        /** Per fee (names in config/priceCatalog.ts feeKeys), USD per the fee's unit. */
        fees: z.partialRecord(z.enum(feeKeys), usd).default({}),
    })
    .prefault({});

export type PricingSettings = z.output<typeof pricingSchema>;
