import { setCommand, type ConfigProblem } from "./errors";
import type { FleetSettings } from "./schema";

/** The serving tracks, in the order the stack file's `serving.tracks` lists them. */
export const TRACK_NAMES = ["blue", "green"] as const;
export type TrackName = (typeof TRACK_NAMES)[number];

type Serving = Pick<FleetSettings["serving"], "activeColor" | "traffic">;
type TorchServeReplicas = Pick<FleetSettings["serving"]["torchserve"], "replicas" | "previewMinReplicas">;

/**
 * The share of requests (%) each track takes: `serving.traffic` when set, else
 * `activeColor` takes 100 and the other track 0 (the all-or-nothing switch).
 */
export function trackWeights(serving: Serving): Record<TrackName, number> {
    if (serving.traffic !== undefined) {
        return { blue: serving.traffic.blue ?? 0, green: serving.traffic.green ?? 0 };
    }
    return { blue: serving.activeColor === "blue" ? 100 : 0, green: serving.activeColor === "green" ? 100 : 0 };
}

/** The track taking the larger share; `activeColor` on a tie. It fronts the stable Service. */
export function primaryTrack(serving: Serving): TrackName {
    const w = trackWeights(serving);
    if (w.blue === w.green) return serving.activeColor;
    return w.blue > w.green ? "blue" : "green";
}

/**
 * HPA bounds per track. The primary track scales between `replicas.min` and `replicas.max`.
 * A canary (a share between 0 and 100) keeps at least `previewMinReplicas` and grows to its
 * share of `replicas.max`, rounded up. A track at 0% keeps `previewMinReplicas` warm and may
 * grow to `replicas.max`, so it can be warmed to full size before it takes traffic.
 */
export function trackReplicas(serving: Serving, torchserve: TorchServeReplicas, track: TrackName): { min: number; max: number } {
    const weight = trackWeights(serving)[track];
    const { replicas, previewMinReplicas } = torchserve;
    if (track === primaryTrack(serving)) return { min: replicas.min, max: replicas.max };
    if (weight === 0) return { min: previewMinReplicas, max: replicas.max };
    const min = Math.max(1, Math.min(previewMinReplicas, replicas.max));
    return { min, max: Math.max(min, Math.ceil((replicas.max * weight) / 100)) };
}

/** TorchServe pods both tracks may run at once at their shares (the pool must hold these plus a surge pod). */
export function podsAtShares(serving: Serving, torchserve: TorchServeReplicas): number {
    const weights = trackWeights(serving);
    return TRACK_NAMES.reduce((sum, track) => {
        const r = trackReplicas(serving, torchserve, track);
        return sum + (weights[track] > 0 ? r.max : r.min);
    }, 0);
}

/** Problems with `serving.traffic`: unknown tracks, and weights that do not sum to 100. */
export function trafficProblems(serving: Serving): ConfigProblem[] {
    const traffic = serving.traffic;
    if (traffic === undefined) return [];
    const problems: ConfigProblem[] = [];
    const known = new Set<string>(TRACK_NAMES);
    for (const track of Object.keys(traffic)) {
        if (!known.has(track)) {
            problems.push({
                path: `serving.traffic.${track}`,
                message: `names track '${track}', which does not exist (tracks: ${TRACK_NAMES.join(", ")})`,
                fix: `pulumi config rm --path 'serving.traffic.${track}'`,
            });
        }
    }
    const sum = Object.entries(traffic)
        .filter(([track]) => known.has(track))
        .reduce((total, [, weight]) => total + weight, 0);
    if (sum !== 100) {
        const blue = traffic.blue ?? 0;
        problems.push({
            path: "serving.traffic",
            message: `weights sum to ${sum} but must sum to 100 (a percentage of requests per track)`,
            fix: `${setCommand("serving.traffic.blue", Math.min(100, blue))} && ${setCommand("serving.traffic.green", 100 - Math.min(100, blue))}`,
        });
    }
    return problems;
}
