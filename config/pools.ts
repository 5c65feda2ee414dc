/**
 * Node-count rules of the system pools, which zod's per-field schema cannot express. The GPU
 * pools' are in crossCheck (config/validate.ts); the cluster components take these values as
 * given.
 */
import { ConfigProblem, setCommand } from "./errors";
import type { FleetSettings } from "./schema";

export function systemPoolProblems(s: FleetSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    s.regions.forEach((region, ri) => {
        if (region.cloud === "existing") return;
        const at = `regions[${ri}].systemPool`;
        const pool = region.systemPool;
        if (pool.minNodes > pool.maxNodes) {
            problems.push({
                path: `${at}.maxNodes`,
                message: `must be >= minNodes (${pool.minNodes})`,
                fix: setCommand(`${at}.maxNodes`, pool.minNodes),
            });
        }
        if ("desiredNodes" in pool && (pool.desiredNodes < pool.minNodes || pool.desiredNodes > pool.maxNodes)) {
            problems.push({
                path: `${at}.desiredNodes`,
                message: `must be between minNodes (${pool.minNodes}) and maxNodes (${pool.maxNodes})`,
                fix: setCommand(`${at}.desiredNodes`, pool.minNodes),
            });
        }
    });
    return problems;
}
