/**
 * Shapes of the files the offline plan and the guard write. Other tools and CI read
 * these, so fields are only ever added, never renamed (see the README).
 */

/** Resource options that matter for data safety and ordering. */
export interface PlanResourceOpts {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** URNs of explicit dependencies. */
    dependsOn?: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    /**
     * The resource's own `aliases`, as the SDK sends them to the engine: a URN, or a spec whose
     * absent fields default to the resource's own name and type and whose `parent` is the
     * resource's parent URN ("" for no parent). Aliases a parent passes on are not listed; the
     * engine derives them (tools/plan/aliases.ts).
     */
    aliases?: PlanAlias[];
}

/** One alias of a resource: an old URN, or the parts the engine builds it from. */
export interface PlanAlias {
    urn?: string;
    name?: string;
    type?: string;
    /** URN of the parent the alias names; "" for none (the root stack). */
    parent?: string;
}

/** One registered resource, custom or component. */
export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** URN of the parent resource, if any. */
    parent?: string;
    /** URN of the explicit provider resource, if any. */
    provider?: string;
    /** Inputs as the program passed them, with secrets redacted to "[secret]". */
    inputs: Record<string, unknown>;
    opts: PlanResourceOpts;
    /**
     * URNs of every resource the engine waits for before this one: `opts.dependsOn` and the
     * resources its inputs' Outputs come from (what the state file's `dependencies` holds).
     */
    dependencies?: string[];
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    /** What the plan estimates before anything is deployed: cost, failover time and headroom. */
    estimates?: PlanEstimates;
}

/** Worst-case seconds a failed region keeps getting new requests, and a recovered one waits for them. */
export interface FailoverFigures {
    stopSeconds: number;
    resumeSeconds: number;
}

export interface PlanEstimates {
    /** Monthly cost at every pool's floor and ceiling, plus fixed costs (tools/plan/estimates/cost.ts). */
    cost?: PlanCostEstimate;
    /** Per routed region, from its Route 53 health checks and record TTLs (tools/plan/estimates/failover.ts). */
    failover?: {
        regions: Record<string, FailoverFigures>;
        worst: FailoverFigures;
        /** globalEntry.maxFailoverSeconds, or null when the stack sets none. */
        maxFailoverSeconds: number | null;
    };
    /** Per GPU pool of the cloud regions: TorchServe pods needed during a rollout against those that fit at maxNodes. */
    capacity?: {
        pools: Array<{ region: string; pool: string; usedPods: number; availablePods: number }>;
    };
}

/** One priced line: a fixed fee, storage, or a pool at its floor and ceiling. USD per month, rounded to cents. */
export interface PlanCostItem {
    /** Stable within its region across plans (the pool's or the fee's name), so --compare pairs the same line. */
    id: string;
    what: string;
    /** How many units at the floor (for fixed items, also at the ceiling). */
    quantity: number;
    /** Units at the ceiling; set on pools only. */
    ceilingQuantity?: number;
    unit: string;
    /** USD per unit at the floor (and for fixed items). */
    usdPerUnit: number;
    /** USD per unit at the ceiling; set on pools only. */
    ceilingUsdPerUnit?: number;
    fixed: boolean;
    floorMonthly: number;
    ceilingMonthly: number;
    /** Where the price came from: the catalog entry's URL and date, or the stack's override. */
    source: string;
    note?: string;
    /** True when no price was found: the item counts 0 and the summary says so. */
    unpriced?: boolean;
}

export interface PlanCostRegion {
    fixedMonthly: number;
    floorMonthly: number;
    ceilingMonthly: number;
    items: PlanCostItem[];
}

/** Monthly cost (hoursPerMonth hours) at every pool's minimum (floor) and maximum (ceiling), plus fixed costs. */
export interface PlanCostEstimate {
    currency: "USD";
    hoursPerMonth: number;
    catalog: { asOf: string; ageDays: number; stale: boolean };
    /** What the estimate assumed that the plan cannot know. */
    assumptions: { modelStoreGb: number; replicatedGbPerMonth: number; overrides: string[] };
    regions: Record<string, PlanCostRegion>;
    global: { fixedMonthly: number; items: PlanCostItem[] };
    total: { fixedMonthly: number; floorMonthly: number; ceilingMonthly: number };
    /** Items without a price, as `region: what`. */
    unpriced: string[];
}

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface PolicyViolation {
    policy: string;
    level: EnforcementLevel;
    /** Absent for stack policies that report on the stack as a whole. */
    urn?: string;
    type?: string;
    message: string;
}

export interface PolicyReport {
    /** Number of policies evaluated. */
    policies: number;
    /** Number of resources they were evaluated over. */
    resources: number;
    violations: PolicyViolation[];
}

/** The redaction marker for secret values in every file the tools write. */
export const SECRET_MARKER = "[secret]";
