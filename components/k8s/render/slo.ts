import { TRACK_LABEL } from "./names";

/**
 * The per-track serving figures the SLO alerts and the rollout check read: recording rules
 * over TorchServe's Prometheus metrics, one series per track (the track label every series
 * carries from the pod, see monitoring.ts). Recorded rather than computed by each reader so
 * the alerts, a dashboard and `npm run debug -- --rollout` compare the same numbers, and a
 * saved `/federate` answer is enough to re-run a verdict.
 */

/** The track label as Prometheus spells it on scraped series (`modelfleet.io/track` sanitised). */
export const TRACK_SERIES_LABEL = TRACK_LABEL.replace(/[^A-Za-z0-9_]/g, "_");
/** Recorded series, one per track. */
export const sloSeries = {
    /** 5xx responses as a percentage of all TorchServe responses, over 5 minutes. */
    errorRatePercent: "modelfleet_track_error_rate_percent",
    /** p95 of TorchServe's PredictionTime (ms) over 10 minutes, the worst model. */
    p95LatencyMs: "modelfleet_track_latency_p95_ms",
    /** Responses per second, over 5 minutes: whether the figures rest on enough requests. */
    requestsPerSecond: "modelfleet_track_requests_per_second",
} as const;

export interface RecordingRule {
    record: string;
    expr: string;
}

/** The recording rules, scoped to the serving namespace. */
export function sloRecordingRules(namespace: string): RecordingRule[] {
    const ns = `namespace="${namespace}"`;
    const by = `sum by (${TRACK_SERIES_LABEL})`;
    const responses = `${by} (rate({__name__=~"Requests[245]XX",${ns}}[5m]))`;
    return [
        { record: sloSeries.requestsPerSecond, expr: responses },
        {
            record: sloSeries.errorRatePercent,
            expr: `100 * ${by} (rate(Requests5XX{${ns}}[5m])) / clamp_min(${responses}, 1e-9)`,
        },
        {
            record: sloSeries.p95LatencyMs,
            expr: `max by (${TRACK_SERIES_LABEL}) (quantile_over_time(0.95, PredictionTime{${ns}}[10m]))`,
        },
    ];
}
