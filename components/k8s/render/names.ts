import { defaults } from "../../../config/defaults";

/**
 * Names, labels and ports of the serving stack's Kubernetes objects. Object names are fixed
 * (not auto-named) because other things address them: the model-store identity is bound
 * to the TorchServe service account by name, the gateway reaches TorchServe by Service DNS
 * name, and the Ingress names its backends.
 */

export const TRACKS = ["blue", "green"] as const;
export type Track = (typeof TRACKS)[number];

export const ports = {
    inference: defaults.serving.torchserve.ports.inference,
    /** Bound to 127.0.0.1 inside the pod; never in a Service, a NetworkPolicy or the Ingress. */
    management: defaults.serving.torchserve.ports.management,
    metrics: defaults.serving.torchserve.ports.metrics,
    gateway: defaults.serving.gateway.port,
} as const;

/** Named container ports; Services and probes refer to these names, not numbers. */
export const portNames = { http: "http", metrics: "metrics" } as const;

export const names = {
    torchserveDeployment: (track: Track) => `torchserve-${track}`,
    /** Selects the active track; the Ingress and the gateway use it. */
    torchserveStable: "torchserve",
    /** Selects the other track, for smoke tests before a switch. */
    torchservePreview: "torchserve-preview",
    /** One track's pods: the backends weighted routing splits requests between. */
    torchserveTrack: (track: Track) => `torchserve-${track}`,
    /** ALB: the Ingress backend whose `actions.` annotation forwards by weight to the track Services. */
    albWeightedAction: "torchserve-weighted",
    /** nginx: the canary Ingress that sends the second track its share. */
    canaryIngress: "serving-canary",
    /** Headless, both tracks: the metrics scrape target. */
    torchserveMetrics: "torchserve-metrics",
    torchserveConfig: "torchserve-config",
    gateway: "tensorzero-gateway",
    gatewayConfig: "tensorzero-config",
    gatewayBackends: "tensorzero-backends",
    modelStoreCredentials: "model-store-credentials",
    imagePullSecret: "torchserve-image-pull",
    ingress: "serving",
    frontendConfig: "serving-frontend",
    torchserveBackendConfig: "torchserve-backend",
    gatewayBackendConfig: "tensorzero-gateway-backend",
    quota: "serving-quota",
    limitRange: "serving-limits",
    prometheusRule: "modelfleet-serving",
    dashboard: "modelfleet-serving-dashboard",
} as const;

export const components = { torchserve: "inference", gateway: "gateway" } as const;
export const appNames = { torchserve: "torchserve", gateway: "tensorzero-gateway" } as const;
export const TRACK_LABEL = "modelfleet.io/track";
export const REGION_LABEL = "modelfleet.io/region";

/** Labels every object carries (Kubernetes recommended labels). */
export function commonLabels(regionName: string): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "modelfleet",
        "app.kubernetes.io/managed-by": "pulumi",
        [REGION_LABEL]: regionName,
    };
}

/** The immutable selector of a TorchServe track's pods. */
export function torchserveSelector(track: Track): Record<string, string> {
    return { "app.kubernetes.io/name": appNames.torchserve, [TRACK_LABEL]: track };
}

/** Every TorchServe pod, whichever track. */
export function torchserveAnyTrackSelector(): Record<string, string> {
    return { "app.kubernetes.io/name": appNames.torchserve };
}

export function gatewaySelector(): Record<string, string> {
    return { "app.kubernetes.io/name": appNames.gateway };
}

/** Full label set of a TorchServe track's objects and pods. */
export function torchserveLabels(regionName: string, track: Track, image: string): Record<string, string> {
    return {
        ...commonLabels(regionName),
        ...torchserveSelector(track),
        "app.kubernetes.io/instance": names.torchserveDeployment(track),
        "app.kubernetes.io/component": components.torchserve,
        "app.kubernetes.io/version": imageVersion(image),
    };
}

export function gatewayLabels(regionName: string, image: string): Record<string, string> {
    return {
        ...commonLabels(regionName),
        ...gatewaySelector(),
        "app.kubernetes.io/instance": names.gateway,
        "app.kubernetes.io/component": components.gateway,
        "app.kubernetes.io/version": imageVersion(image),
    };
}

/**
 * The tag (or short digest) of an image, as a valid label value: at most 63 characters of
 * alphanumerics, '-', '_' and '.', starting and ending with an alphanumeric.
 */
export function imageVersion(image: string): string {
    const digest = /@sha256:([a-f0-9]{64})$/.exec(image);
    const raw = digest ? `sha256-${digest[1].slice(0, 12)}` : (image.split("/").pop() ?? "").split(":").slice(1).join(":");
    const cleaned = raw
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
    return cleaned.length > 0 ? cleaned : "unknown";
}

export function otherTrack(track: Track): Track {
    return track === "blue" ? "green" : "blue";
}
