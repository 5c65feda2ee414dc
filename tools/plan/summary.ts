import type { Plan, PolicyReport } from "../contracts";
import { costSummaryLines } from "./estimates/cost";

/** Counts per key, largest first. */
function tally(keys: string[]): Array<[string, number]> {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export interface SummaryInput {
    plan: Plan;
    report: PolicyReport;
    regionOf: Map<string, string>;
    manifestCount: number;
    outDir: string;
    /** Regions left out of global routing, with the reason. */
    skippedRegions: string[];
    /** Which policy config judged the plan, e.g. `policy/config/prod.json (the stack's own)`. */
    policyConfig: string;
    wallMs: number;
}

export function formatSummary(s: SummaryInput): string {
    const lines: string[] = [];
    const custom = s.plan.resources.filter((r) => r.custom);
    lines.push(`modelfleet offline plan of stack '${s.plan.stack}' (offline: mocked engine, nothing was deployed)`);
    lines.push(
        `${s.plan.resources.length} resources (${custom.length} cloud/Kubernetes, ${s.plan.resources.length - custom.length} components), ${s.manifestCount} Kubernetes manifests`,
    );
    lines.push("");
    lines.push("by type:");
    for (const [type, n] of tally(custom.map((r) => r.type))) lines.push(`  ${String(n).padStart(4)}  ${type}`);
    lines.push("");
    lines.push("by region:");
    for (const [region, n] of tally(custom.map((r) => s.regionOf.get(r.urn) ?? "global")))
        lines.push(`  ${String(n).padStart(4)}  ${region}`);
    if (s.skippedRegions.length > 0) {
        lines.push("");
        lines.push("left out of global routing:");
        for (const r of s.skippedRegions) lines.push(`  ${r}`);
    }
    lines.push("");
    const mandatory = s.report.violations.filter((v) => v.level === "mandatory");
    lines.push(
        `policies: ${s.report.policies} evaluated over ${s.report.resources} resources, ${mandatory.length} mandatory and ${s.report.violations.length - mandatory.length} advisory violation(s)`,
    );
    lines.push(`policy config: ${s.policyConfig}`);
    for (const v of s.report.violations) lines.push(`  [${v.level}] ${v.policy}: ${v.urn ?? "(stack)"}: ${v.message}`);
    if (s.plan.estimates?.cost) {
        lines.push("");
        lines.push(...costSummaryLines(s.plan.estimates.cost));
    }
    lines.push("");
    lines.push(`wrote ${s.outDir}/plan.json, policy-report.json, diagram.md, manifests/`);
    lines.push(`wall time ${(s.wallMs / 1000).toFixed(2)} s`);
    return lines.join("\n");
}
