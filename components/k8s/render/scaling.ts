import type * as k8s from "@pulumi/kubernetes";
import { GPU_RESOURCE } from "../nodeLabels";
import type { ServingContext } from "./context";
import { gatewayResources } from "./gatewayWorkload";
import { commonLabels, gatewaySelector, names, torchserveSelector, TRACKS, type Track } from "./names";
import { bytes, formatCpu, formatMemory, milliCpu } from "./quantity";
import { MODEL_SYNC_RESOURCES, torchserveResources } from "./torchserveWorkload";

type Hpa = k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler;
type Pdb = k8s.types.input.policy.v1.PodDisruptionBudget;

/** Seconds of low load before an HPA removes pods; GPU pods are slow to come back. */
export const SCALE_DOWN_WINDOW_SECONDS = 300;
/** LimitRange defaults for containers that state no resources (debug pods, jobs). */
export const CONTAINER_DEFAULTS = { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } } as const;
/** Pods at the LimitRange defaults the quota leaves room for (debug pods, one-off jobs). */
export const QUOTA_HEADROOM_PODS = 2;

function hpa(
    ctx: ServingContext,
    name: string,
    replicas: { min: number; max: number },
    cpuTargetPercent: number,
    scaleDownPodsPerMinute: number,
): Hpa {
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
            minReplicas: replicas.min,
            maxReplicas: replicas.max,
            metrics: [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpuTargetPercent } } },
            ],
            behavior: {
                scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
                scaleDown: {
                    stabilizationWindowSeconds: SCALE_DOWN_WINDOW_SECONDS,
                    policies: [{ type: "Pods", value: scaleDownPodsPerMinute, periodSeconds: 60 }],
                },
            },
        },
    };
}

/**
 * One HPA per TorchServe track, then the gateway's. The active track scales between
 * `replicas.min` and `replicas.max`; the preview track shares the maximum but keeps only
 * `previewMinReplicas` warm, so GPUs are not held idle between switches. The same update
 * that moves the Service selectors also swaps the minimums, so a switch is safe only once
 * `previewMinReplicas` has been raised to `replicas.min` and those pods are ready: the
 * newly active track then already has its minimum (docs/runbooks/blue-green.md).
 */
export function renderHpas(ctx: ServingContext): Record<string, Hpa> {
    const ts = ctx.serving.torchserve;
    const gw = ctx.serving.gateway;
    return Object.fromEntries([
        ...TRACKS.map(
            (track) =>
                [
                    names.torchserveDeployment(track),
                    hpa(
                        ctx,
                        names.torchserveDeployment(track),
                        track === ctx.activeTrack ? ts.replicas : { min: ts.previewMinReplicas, max: ts.replicas.max },
                        ts.cpuTargetPercent,
                        1,
                    ),
                ] as const,
        ),
        [names.gateway, hpa(ctx, names.gateway, gw.replicas, gw.cpuTargetPercent, 2)] as const,
    ]);
}

function pdb(ctx: ServingContext, name: string, selector: Record<string, string>): Pdb {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        // maxUnavailable rather than minAvailable: a one-replica track must not block node drains forever.
        metadata: { name, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    };
}

/** HPAs and PDBs are keyed by the Deployment they govern, and named after it. */
export function renderPdbs(ctx: ServingContext): Record<string, Pdb> {
    return Object.fromEntries([
        ...TRACKS.map(
            (track: Track) =>
                [names.torchserveDeployment(track), pdb(ctx, names.torchserveDeployment(track), torchserveSelector(track))] as const,
        ),
        [names.gateway, pdb(ctx, names.gateway, gatewaySelector())] as const,
    ]);
}

/** What the namespace can use at most: every Deployment at its HPA maximum plus one surge pod. */
export function quotaTotals(ctx: ServingContext): { milliCpu: number; bytes: number; gpus: number; pods: number } {
    const ts = ctx.serving.torchserve;
    const gw = ctx.serving.gateway;
    const tsPods = TRACKS.length * (ts.replicas.max + 1);
    const gwPods = gw.replicas.max + 1;
    const tsRes = torchserveResources(ctx);
    const gwRes = gatewayResources(ctx);
    // A pod's effective request is the larger of its init container's and its containers' sum.
    const tsCpu = Math.max(milliCpu(tsRes.cpu), milliCpu(MODEL_SYNC_RESOURCES.cpu));
    const tsMem = Math.max(bytes(tsRes.memory), bytes(MODEL_SYNC_RESOURCES.memory));
    return {
        milliCpu: tsPods * tsCpu + gwPods * milliCpu(gwRes.cpu) + QUOTA_HEADROOM_PODS * milliCpu(CONTAINER_DEFAULTS.limits.cpu),
        bytes: tsPods * tsMem + gwPods * bytes(gwRes.memory) + QUOTA_HEADROOM_PODS * bytes(CONTAINER_DEFAULTS.limits.memory),
        gpus: tsPods * ts.gpus,
        pods: tsPods + gwPods + QUOTA_HEADROOM_PODS,
    };
}

export function renderResourceQuota(ctx: ServingContext): k8s.types.input.core.v1.ResourceQuota {
    const t = quotaTotals(ctx);
    const cpu = formatCpu(t.milliCpu);
    const memory = formatMemory(t.bytes);
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: names.quota, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        spec: {
            hard: {
                "requests.cpu": cpu,
                "limits.cpu": cpu,
                "requests.memory": memory,
                "limits.memory": memory,
                // Extended resources are quota'd by request only (requests equal limits for them).
                [`requests.${GPU_RESOURCE}`]: String(t.gpus),
                pods: String(t.pods),
            },
        },
    };
}

/** Defaults so a container without resources is admitted under the quota, and a cap per container. */
export function renderLimitRange(ctx: ServingContext): k8s.types.input.core.v1.LimitRange {
    const ts = torchserveResources(ctx);
    const gw = gatewayResources(ctx);
    const maxCpu = Math.max(milliCpu(ts.cpu), milliCpu(gw.cpu), milliCpu(MODEL_SYNC_RESOURCES.cpu));
    const maxMemory = Math.max(bytes(ts.memory), bytes(gw.memory), bytes(MODEL_SYNC_RESOURCES.memory));
    return {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: names.limitRange, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        spec: {
            limits: [
                {
                    type: "Container",
                    default: { ...CONTAINER_DEFAULTS.limits },
                    defaultRequest: { ...CONTAINER_DEFAULTS.requests },
                    // No GPU maximum: a max makes the limit mandatory, and CPU containers state no GPU limit.
                    max: { cpu: formatCpu(maxCpu), memory: formatMemory(maxMemory) },
                },
            ],
        },
    };
}
