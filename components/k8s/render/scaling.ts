import type * as k8s from "@pulumi/kubernetes";
import { trackReplicas } from "../../../config";
import { GPU_RESOURCE } from "../nodeLabels";
import type { ServingContext } from "./context";
import { inferenceMetricNames } from "./metricsAdapter";
import { gatewayResources } from "./gatewayWorkload";
import { commonLabels, gatewaySelector, names, torchserveSelector, TRACKS, type Track } from "./names";
import { bytes, formatCpu, formatMemory, milliCpu } from "./quantity";
import { MODEL_SYNC_RESOURCES, torchserveResources } from "./torchserveWorkload";

type Hpa = k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler;
type Pdb = k8s.types.input.policy.v1.PodDisruptionBudget;

/** Seconds of low load before the gateway's HPA removes pods. */
export const SCALE_DOWN_WINDOW_SECONDS = 300;
/**
 * Seconds a new TorchServe pod may take to serve when it needs a new GPU node: node
 * launch and driver set-up, image pull, the model copy and loading. The TorchServe HPAs'
 * scale-down window and scale-up cadence are set from it so pods still starting do not
 * look like spare capacity, and a burst does not buy a node per scrape.
 */
export const GPU_POD_STARTUP_SECONDS = 600;
/** LimitRange defaults for containers that state no resources (debug pods, jobs). */
export const CONTAINER_DEFAULTS = { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } } as const;
/** Pods at the LimitRange defaults the quota leaves room for (debug pods, one-off jobs). */
export const QUOTA_HEADROOM_PODS = 2;
/** The annotation on each TorchServe HPA stating its track's share of requests (%). */
export const TRAFFIC_WEIGHT_ANNOTATION = "modelfleet.io/traffic-weight";

type HpaMetric = k8s.types.input.autoscaling.v2.MetricSpec;
type HpaBehavior = k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerBehavior;

function cpuMetric(targetPercent: number): HpaMetric {
    return { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: targetPercent } } };
}

/**
 * The metrics a TorchServe track scales on. The HPA takes the largest replica count any
 * metric asks for, so CPU stays as a floor (a CPU-bound pre/post-processing handler still
 * scales) while the inference signal is what moves GPU-bound models: each model's mean
 * queue wait per request (TorchServe's ts_queue_latency_microseconds over
 * ts_inference_requests_total, per pod) against `models[].scaling.queueLatencyMs`. Where
 * the cloud exports DCGM (GKE), GPU utilisation against the lowest of the models'
 * `scaling.gpuUtilizationPercent`.
 */
export function torchserveMetrics(ctx: ServingContext): HpaMetric[] {
    const metrics = inferenceMetricNames(ctx.monitoring.kind);
    const queue = ctx.models.map((m): HpaMetric => ({
        type: "Pods",
        pods: {
            metric: { name: metrics.queueLatency, selector: { matchLabels: { [metrics.modelLabel]: m.name } } },
            target: { type: "AverageValue", averageValue: quantityOf(m.scaling.queueLatencyMs) },
        },
    }));
    const gpu: HpaMetric[] =
        metrics.gpuUtilization !== undefined && ctx.models.length > 0
            ? [
                  {
                      type: "Pods",
                      pods: {
                          metric: { name: metrics.gpuUtilization },
                          target: {
                              type: "AverageValue",
                              averageValue: quantityOf(Math.min(...ctx.models.map((m) => m.scaling.gpuUtilizationPercent))),
                          },
                      },
                  },
              ]
            : [];
    return [cpuMetric(ctx.serving.torchserve.cpuTargetPercent), ...queue, ...gpu];
}

/** A Kubernetes quantity for a target value: whole numbers as they are, fractions in thousandths. */
export function quantityOf(value: number): string {
    return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}

/**
 * GPU tracks: add at most 2 pods (or half again) per `GPU_POD_STARTUP_SECONDS / 5`, after a
 * minute of sustained pressure; remove one pod per 5 minutes, only after load has stayed
 * low for longer than a new GPU pod takes to start, so the pods a burst bought are not
 * released while the next ones would still be starting.
 */
export function torchserveBehavior(): HpaBehavior {
    return {
        scaleUp: {
            stabilizationWindowSeconds: 60,
            selectPolicy: "Max",
            policies: [
                { type: "Pods", value: 2, periodSeconds: GPU_POD_STARTUP_SECONDS / 5 },
                { type: "Percent", value: 50, periodSeconds: GPU_POD_STARTUP_SECONDS / 5 },
            ],
        },
        scaleDown: {
            stabilizationWindowSeconds: GPU_POD_STARTUP_SECONDS + 300,
            selectPolicy: "Min",
            policies: [{ type: "Pods", value: 1, periodSeconds: 300 }],
        },
    };
}

function gatewayBehavior(): HpaBehavior {
    return {
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
        scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_WINDOW_SECONDS, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
    };
}

function hpa(
    ctx: ServingContext,
    name: string,
    replicas: { min: number; max: number },
    metrics: HpaMetric[],
    behavior: HpaBehavior,
    annotations: Record<string, string> = {},
): Hpa {
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name, namespace: ctx.namespace, labels: commonLabels(ctx.regionName), annotations },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
            minReplicas: replicas.min,
            maxReplicas: replicas.max,
            metrics,
            behavior,
        },
    };
}

/**
 * One HPA per TorchServe track, then the gateway's (CPU only: it does no inference). Each
 * track's bounds follow its share of traffic (`trackReplicas` in config/traffic.ts): the
 * primary track scales between `replicas.min` and `replicas.max`, a canary keeps at least
 * one pod and grows to its share of the maximum, a track at 0% keeps `previewMinReplicas`
 * warm. Before moving traffic onto a track, raise its minimum first
 * (docs/runbooks/blue-green.md).
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
                        trackReplicas(ctx.serving, ts, track),
                        torchserveMetrics(ctx),
                        torchserveBehavior(),
                        { [TRAFFIC_WEIGHT_ANNOTATION]: String(ctx.weights[track]) },
                    ),
                ] as const,
        ),
        [names.gateway, hpa(ctx, names.gateway, gw.replicas, [cpuMetric(gw.cpuTargetPercent)], gatewayBehavior())] as const,
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
