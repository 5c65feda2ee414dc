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
    /** What the plan estimates before anything is deployed: failover time and headroom. */
    estimates?: PlanEstimates;
}

/** Worst-case seconds a failed region keeps getting new requests, and a recovered one waits for them. */
export interface FailoverFigures {
    stopSeconds: number;
    resumeSeconds: number;
}

export interface PlanEstimates {
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
