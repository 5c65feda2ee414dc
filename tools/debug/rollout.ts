/**
 * The rollout check of `npm run debug -- --stack S --rollout`: reads each track's serving
 * figures (the recording rules of components/k8s/render/slo.ts) from Prometheus, or from a
 * saved Prometheus text-format answer, compares the canary with the SLO and with the
 * baseline, and says promote, hold or roll back, with the `pulumi config set` commands of
 * the next step. It never changes the stack.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { primaryTrack, TRACK_NAMES, trackWeights, type FleetSettings, type TrackName } from "../../config";
import { sloSeries, TRACK_SERIES_LABEL } from "../../components/k8s/render/slo";

/** The canary's traffic share steps (%); promote moves to the next one. */
export const PROMOTION_STEPS = [10, 25, 50, 100] as const;
/** Below this many responses per second a track's figures are too thin to promote on. */
export const MIN_REQUESTS_PER_SECOND = 0.5;
/** Within the SLO, a canary this much slower (p95) than the baseline is held. */
export const LATENCY_HOLD_RATIO = 1.2;
/** Within the SLO, a canary this many points of error rate above the baseline is held. */
export const ERROR_HOLD_POINTS = 0.5;

export interface TrackFigures {
    errorRatePercent?: number;
    p95LatencyMs?: number;
    requestsPerSecond?: number;
}

export type Verdict = "promote" | "hold" | "roll back";

export interface RolloutReport {
    baseline: TrackName;
    canary: TrackName;
    weights: Record<TrackName, number>;
    slo: { errorRatePercent: number; p95LatencyMs: number };
    figures: Record<TrackName, TrackFigures>;
    verdict: Verdict;
    reasons: string[];
    /** The commands of the next step; empty when holding. */
    commands: string[];
}

/** Figures per track from the recorded series in Prometheus text format (e.g. a `/federate` answer). */
export function figuresFromText(text: string): Record<TrackName, TrackFigures> {
    const figures: Record<TrackName, TrackFigures> = { blue: {}, green: {} };
    const keyOf = Object.fromEntries(Object.entries(sloSeries).map(([key, name]) => [name, key])) as Record<string, keyof TrackFigures>;
    for (const family of parsePrometheusTextFormat(text)) {
        const key = keyOf[family.name];
        if (key === undefined) continue;
        for (const sample of family.metrics) {
            const track = sample.labels?.[TRACK_SERIES_LABEL];
            const value = Number(sample.value);
            if ((track === "blue" || track === "green") && Number.isFinite(value)) figures[track][key] = value;
        }
    }
    return figures;
}

interface QueryResponse {
    status: string;
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    error?: string;
}

/** Figures per track from a Prometheus server's query API (`<url>/api/v1/query`). */
export async function figuresFromPrometheus(
    baseUrl: string,
    namespace: string,
    fetchFn: typeof fetch = fetch,
    timeoutMs = 10_000,
): Promise<Record<TrackName, TrackFigures>> {
    const figures: Record<TrackName, TrackFigures> = { blue: {}, green: {} };
    for (const [key, series] of Object.entries(sloSeries) as Array<[keyof TrackFigures, string]>) {
        const url = new URL("api/v1/query", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
        url.searchParams.set("query", `${series}{namespace="${namespace}"}`);
        const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await response.json()) as QueryResponse;
        if (!response.ok || body.status !== "success" || body.data === undefined) {
            throw new Error(`${url.origin}: query ${series} failed: ${body.error ?? `HTTP ${response.status}`}`);
        }
        for (const sample of body.data.result) {
            const track = sample.metric[TRACK_SERIES_LABEL];
            const value = Number(sample.value[1]);
            if ((track === "blue" || track === "green") && Number.isFinite(value)) figures[track][key] = value;
        }
    }
    return figures;
}

/** The canary: the track other than the primary one (the one taking the smaller share). */
export function tracksOf(serving: FleetSettings["serving"]): { baseline: TrackName; canary: TrackName } {
    const baseline = primaryTrack(serving);
    const canary = TRACK_NAMES.find((t) => t !== baseline) ?? "green";
    return { baseline, canary };
}

function setTraffic(stack: string, weights: Record<TrackName, number>): string[] {
    return TRACK_NAMES.map((t) => `pulumi config set --stack ${stack} --path 'serving.traffic.${t}' ${weights[t]}`);
}

/** Decides the next step from the figures; pure, so recorded samples test it. */
export function decide(settings: FleetSettings, stack: string, figures: Record<TrackName, TrackFigures>): RolloutReport {
    const serving = settings.serving;
    const weights = trackWeights(serving);
    const { baseline, canary } = tracksOf(serving);
    const slo = { errorRatePercent: serving.slo.errorRatePercent, p95LatencyMs: serving.slo.p95LatencyMs };
    const c = figures[canary];
    const b = figures[baseline];
    const reasons: string[] = [];
    const report = (verdict: Verdict, commands: string[]): RolloutReport => ({
        baseline,
        canary,
        weights,
        slo,
        figures,
        verdict,
        reasons,
        commands,
    });
    const rollBack = () =>
        report("roll back", [...setTraffic(stack, { ...weights, [baseline]: 100, [canary]: 0 } as Record<TrackName, number>)]);

    if (c.errorRatePercent !== undefined && c.errorRatePercent > slo.errorRatePercent) {
        reasons.push(`canary ${canary} error rate ${fmt(c.errorRatePercent)}% is above the SLO of ${fmt(slo.errorRatePercent)}%`);
    }
    if (c.p95LatencyMs !== undefined && c.p95LatencyMs > slo.p95LatencyMs) {
        reasons.push(`canary ${canary} p95 latency ${fmt(c.p95LatencyMs)} ms is above the SLO of ${fmt(slo.p95LatencyMs)} ms`);
    }
    if (reasons.length > 0) return rollBack();

    if (c.errorRatePercent === undefined || c.p95LatencyMs === undefined || c.requestsPerSecond === undefined) {
        const missing = (Object.keys(sloSeries) as Array<keyof TrackFigures>).filter((k) => c[k] === undefined).map((k) => sloSeries[k]);
        reasons.push(`no figures for canary ${canary}: ${missing.join(", ")} (is it taking traffic, and are the recording rules loaded?)`);
        return report("hold", []);
    }
    if (c.requestsPerSecond < MIN_REQUESTS_PER_SECOND) {
        reasons.push(
            `canary ${canary} served ${fmt(c.requestsPerSecond)} requests/s, below the ${MIN_REQUESTS_PER_SECOND} requests/s a verdict needs`,
        );
        return report("hold", []);
    }
    if (b.p95LatencyMs !== undefined && c.p95LatencyMs > b.p95LatencyMs * LATENCY_HOLD_RATIO) {
        reasons.push(
            `canary ${canary} p95 latency ${fmt(c.p95LatencyMs)} ms is within the SLO but more than ${LATENCY_HOLD_RATIO}x baseline ${baseline}'s ${fmt(b.p95LatencyMs)} ms`,
        );
    }
    if (b.errorRatePercent !== undefined && c.errorRatePercent > b.errorRatePercent + ERROR_HOLD_POINTS) {
        reasons.push(
            `canary ${canary} error rate ${fmt(c.errorRatePercent)}% is within the SLO but more than ${ERROR_HOLD_POINTS} points above baseline ${baseline}'s ${fmt(b.errorRatePercent)}%`,
        );
    }
    if (reasons.length > 0) return report("hold", []);

    reasons.push(
        `canary ${canary}: ${fmt(c.errorRatePercent)}% errors, p95 ${fmt(c.p95LatencyMs)} ms at ${fmt(c.requestsPerSecond)} requests/s, within the SLO (${fmt(slo.errorRatePercent)}%, ${fmt(slo.p95LatencyMs)} ms)`,
    );
    const next = PROMOTION_STEPS.find((step) => step > weights[canary]) ?? 100;
    if (next >= 100) {
        // All traffic on the canary: it becomes the active colour and the split is dropped.
        return report("promote", [
            `pulumi config set --stack ${stack} --path 'serving.torchserve.previewMinReplicas' ${serving.torchserve.replicas.min}`,
            `pulumi config set --stack ${stack} --path 'serving.activeColor' ${canary}`,
            `pulumi config rm --stack ${stack} --path 'serving.traffic'`,
        ]);
    }
    return report("promote", setTraffic(stack, { [baseline]: 100 - next, [canary]: next } as Record<TrackName, number>));
}

function fmt(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The report as text: verdict, the figures, the reasons and the commands. */
export function renderRollout(r: RolloutReport): string[] {
    const row = (t: TrackName) => {
        const f = r.figures[t];
        const v = (x: number | undefined, unit: string) => (x === undefined ? "-" : `${fmt(x)}${unit}`);
        return `  ${t.padEnd(6)} ${String(r.weights[t]).padStart(3)}%  errors ${v(f.errorRatePercent, "%").padEnd(8)} p95 ${v(f.p95LatencyMs, " ms").padEnd(10)} ${v(f.requestsPerSecond, " req/s")}`;
    };
    return [
        `rollout: ${r.verdict} (canary ${r.canary}, baseline ${r.baseline}; SLO ${fmt(r.slo.errorRatePercent)}% errors, p95 ${fmt(r.slo.p95LatencyMs)} ms)`,
        row(r.baseline),
        row(r.canary),
        ...r.reasons.map((reason) => `  - ${reason}`),
        ...(r.commands.length > 0
            ? ["next step (this tool changes nothing; run these, then pulumi up):", ...r.commands.map((c) => `  ${c}`)]
            : ["next step: none yet; check again after more traffic, or roll back by hand"]),
    ];
}
