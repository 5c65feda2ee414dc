import type { PlanEstimates } from "../../contracts";

/** The summary's lines for the failover and headroom estimates. */
export function estimateLines(estimates: PlanEstimates): string[] {
    const lines: string[] = [];
    const failover = estimates.failover;
    if (failover) {
        const names = Object.keys(failover.regions);
        const width = Math.max(0, ...names.map((n) => n.length));
        lines.push("failover, worst case (Route 53 health checks plus the record TTL, resolvers honouring TTLs):");
        if (names.length === 0) lines.push("  no region is routed by a health-checked record");
        for (const name of names) {
            const r = failover.regions[name];
            lines.push(
                `  ${name.padEnd(width)}  stops getting new requests within ${r.stopSeconds} s, gets them again within ${r.resumeSeconds} s`,
            );
        }
        const bound = failover.maxFailoverSeconds;
        const verdict =
            bound === null
                ? "no globalEntry.maxFailoverSeconds set"
                : `globalEntry.maxFailoverSeconds ${bound}: ${failover.worst.stopSeconds <= bound ? "met" : "NOT met"}`;
        lines.push(`  worst: stop ${failover.worst.stopSeconds} s, resume ${failover.worst.resumeSeconds} s; ${verdict}`);
    }
    const capacity = estimates.capacity;
    if (capacity && capacity.pools.length > 0) {
        const labels = capacity.pools.map((p) => `${p.region}/${p.pool}`);
        const width = Math.max(...labels.map((l) => l.length));
        lines.push("headroom (TorchServe pods during a rollout at the tracks' maxima, used/available at maxNodes):");
        capacity.pools.forEach((p, i) => {
            const spare = p.availablePods - p.usedPods;
            lines.push(
                `  ${labels[i].padEnd(width)}  ${p.usedPods}/${p.availablePods}${p.usedPods > 0 ? `, ${spare} spare` : ", serves no track"}`,
            );
        });
    }
    return lines;
}
