import type { PlanResource } from "../../contracts";

/**
 * Worst-case failover time of each routed region, from the Route 53 records and health
 * checks as the program rendered them into the plan. The arithmetic follows the Route 53
 * Developer Guide:
 *
 * - "How Amazon Route 53 determines whether a health check is healthy"
 *   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html):
 *   each health checker sends a request every RequestInterval seconds, counted from the
 *   response to the previous one (HealthCheckConfig.RequestInterval in the API reference);
 *   an HTTP(S) check fails when the TCP connection takes more than 4 s or the status more
 *   than 2 s after it, a string-match check also when the body takes 2 s more, a TCP check
 *   after 10 s; a checker changes its verdict after FailureThreshold consecutive results
 *   the other way (the threshold counts both ways); Route 53 calls the endpoint healthy
 *   while more than 18% of the checkers say so. Checkers do not coordinate, so the bound is
 *   that of the slowest checker whose vote is needed, which is one checker's worst case.
 * - Calculated health checks (same page): healthy while at least HealthThreshold children
 *   are. The guide states no delay of its own for the parent; none is added.
 * - Latency and failover records (resource-record-sets-values-latency.html,
 *   resource-record-sets-values-failover.html): an answer tied to an unhealthy check is left
 *   out, and recursive resolvers keep an answer for the record's TTL.
 *
 * Resolver assumption: resolvers and clients cache an answer no longer than its TTL. The
 * answer for `<domain>` is a CNAME to `<region>.<domain>`; once the CNAME expires the next
 * lookup names another region, so the regional record's own TTL (an ALB alias's 60 s) does
 * not lengthen the failover. A resolver that clamps TTLs upwards, or a client that caches
 * addresses itself (a JVM without networkaddress.cache.ttl), adds its own time.
 */

/** Seconds one health checker waits for a request of each type before it counts as failed. */
export const CHECK_TIMEOUT_SECONDS: Record<string, number> = {
    // 4 s to connect, 2 s for the status code.
    HTTP: 6,
    HTTPS: 6,
    // The same, plus 2 s for the body the search string is looked for in.
    HTTP_STR_MATCH: 8,
    HTTPS_STR_MATCH: 8,
    // 10 s to connect.
    TCP: 10,
};

/** Route 53's default request interval and failure threshold, when a check leaves them out. */
const DEFAULT_INTERVAL_SECONDS = 30;
const DEFAULT_FAILURE_THRESHOLD = 3;

export interface RegionFailover {
    /** Worst-case seconds from the region failing until no resolver sends new requests there. */
    stopSeconds: number;
    /** Worst-case seconds from the region recovering until every resolver may send it requests again. */
    resumeSeconds: number;
}

export interface FailoverEstimate {
    regions: Record<string, RegionFailover>;
    /** The largest of each figure over the routed regions (0 when none is routed). */
    worst: RegionFailover;
    /** globalEntry.maxFailoverSeconds, the bound stopSeconds is held to, or null. */
    maxFailoverSeconds: number | null;
}

interface CheckTimes {
    /** Worst-case seconds until a failure turns this check unhealthy. */
    down: number;
    /** Worst-case seconds until a recovery turns it healthy. */
    up: number;
}

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";

const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);

/**
 * One endpoint check. Down: the endpoint fails just after a checker's last good answer; the
 * checker asks again an interval later and waits the full timeout, FailureThreshold times:
 * threshold x (interval + timeout). Up: a request already on its way when the endpoint
 * recovers may still fail (one timeout), then FailureThreshold good answers, each an
 * interval after the last and as slow as the timeout allows: timeout + threshold x (interval + timeout).
 */
function endpointCheckTimes(inputs: Record<string, unknown>): CheckTimes {
    const type = String(inputs["type"]);
    const timeout = CHECK_TIMEOUT_SECONDS[type] ?? CHECK_TIMEOUT_SECONDS["TCP"];
    const interval = num(inputs["requestInterval"], DEFAULT_INTERVAL_SECONDS);
    const threshold = num(inputs["failureThreshold"], DEFAULT_FAILURE_THRESHOLD);
    const cycle = interval + timeout;
    return { down: threshold * cycle, up: timeout + threshold * cycle };
}

/**
 * A calculated check healthy while at least k of its n children are. Down: it turns
 * unhealthy once n - k + 1 children have, and the worst case is the slowest of them failing,
 * so the slowest child's time (with k = n, as here, one failing server is enough). Up: it
 * turns healthy once k children have recovered: the k-th fastest.
 */
function checkTimes(urn: string, byUrn: Map<string, PlanResource>, depth = 0): CheckTimes | undefined {
    const check = byUrn.get(urn);
    if (!check || check.type !== HEALTH_CHECK || depth > 4) return undefined;
    if (check.inputs["type"] !== "CALCULATED") return endpointCheckTimes(check.inputs);
    const children = (check.dependencies ?? []).map((u) => checkTimes(u, byUrn, depth + 1)).filter((t): t is CheckTimes => t !== undefined);
    if (children.length === 0) return undefined;
    const n = children.length;
    const k = Math.min(n, Math.max(1, num(check.inputs["childHealthThreshold"], n)));
    const ups = children.map((c) => c.up).sort((a, b) => a - b);
    return { down: Math.max(...children.map((c) => c.down)), up: ups[k - 1] };
}

/** What the figures of one routed region are made of. */
interface RegionParts {
    name: string;
    times: CheckTimes;
    ttl: number;
}

/**
 * Every region whose routing record (a latency or failover record with a set identifier,
 * the region's name) carries a health check; the check is found through the record's
 * dependencies, as the engine orders them.
 */
function routedRegionParts(resources: PlanResource[]): RegionParts[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const parts: RegionParts[] = [];
    for (const record of resources) {
        if (record.type !== RECORD || record.inputs["healthCheckId"] === undefined) continue;
        const name = record.inputs["setIdentifier"];
        const ttl = record.inputs["ttl"];
        if (typeof name !== "string" || typeof ttl !== "number") continue;
        const times = (record.dependencies ?? []).map((u) => checkTimes(u, byUrn)).find((t) => t !== undefined);
        if (times) parts.push({ name, times, ttl });
    }
    return parts;
}

/** Stop and resume figures per routed region, the worst of each, and the bound. */
export function failoverEstimate(resources: PlanResource[], maxFailoverSeconds: number | undefined): FailoverEstimate {
    const regions: Record<string, RegionFailover> = {};
    for (const { name, times, ttl } of routedRegionParts(resources)) {
        regions[name] = { stopSeconds: times.down + ttl, resumeSeconds: times.up + ttl };
    }
    const all = Object.values(regions);
    return {
        regions,
        worst: {
            stopSeconds: Math.max(0, ...all.map((r) => r.stopSeconds)),
            resumeSeconds: Math.max(0, ...all.map((r) => r.resumeSeconds)),
        },
        maxFailoverSeconds: maxFailoverSeconds ?? null,
    };
}

/** The health-check settings a stack file gives every region (globalEntry.healthCheck). */
export interface HealthCheckSettings {
    requestIntervalSeconds: number;
    failureThreshold: number;
}

/**
 * The line that says the rendered settings cannot meet globalEntry.maxFailoverSeconds, with
 * a change that would (the largest failure threshold that fits at the fast interval, or a
 * larger bound), or undefined when they meet it.
 */
export function failoverBoundProblem(resources: PlanResource[], estimate: FailoverEstimate, hc: HealthCheckSettings): string | undefined {
    const max = estimate.maxFailoverSeconds;
    if (max === null || estimate.worst.stopSeconds <= max) return undefined;
    const parts = routedRegionParts(resources);
    const slowest = parts.filter((p) => p.times.down + p.ttl === estimate.worst.stopSeconds).map((p) => p.name);
    // Each region's detection is threshold x (interval + timeout): recover its timeout to try
    // other settings with the same checks and TTLs.
    const stopWith = (interval: number, threshold: number) =>
        Math.max(...parts.map((p) => threshold * (interval + p.times.down / hc.failureThreshold - hc.requestIntervalSeconds) + p.ttl));
    const fits = [...Array(hc.failureThreshold).keys()]
        .map((i) => hc.failureThreshold - i)
        .find((t) => (t < hc.failureThreshold || hc.requestIntervalSeconds !== 10) && stopWith(10, t) <= max);
    const raise = `pulumi config set --path 'globalEntry.maxFailoverSeconds' ${estimate.worst.stopSeconds}`;
    const faster =
        fits === undefined
            ? undefined
            : [
                  hc.requestIntervalSeconds !== 10
                      ? "pulumi config set --path 'globalEntry.healthCheck.requestIntervalSeconds' 10"
                      : undefined,
                  fits !== hc.failureThreshold ? `pulumi config set --path 'globalEntry.healthCheck.failureThreshold' ${fits}` : undefined,
              ]
                  .filter((c) => c !== undefined)
                  .join(" && ");
    return (
        `modelfleet:globalEntry.maxFailoverSeconds is ${max} but ${slowest.join(", ")} may receive new requests for up to ` +
        `${estimate.worst.stopSeconds} s after failing (request interval ${hc.requestIntervalSeconds} s, failure threshold ${hc.failureThreshold}, ` +
        `record TTL included); fix: ${faster ? `${faster} (${stopWith(10, fits ?? 1)} s), or ${raise}` : raise}`
    );
}
