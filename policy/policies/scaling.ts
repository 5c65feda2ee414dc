/**
 * Scaling and traffic: GPU-serving HPAs scale on inference pressure, weighted routing
 * splits 100% of requests, and a track that takes requests keeps pods to serve them.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import {
    clusterOf,
    containersOf,
    K8S,
    kubeInputs,
    namespaceOf,
    objectName,
    podTemplateOf,
    type KubeObject,
    type PodSpec,
} from "./kubernetes";
import {
    count,
    dig,
    forTypes,
    get,
    inputsOf,
    isRecord,
    list,
    resourcesOfType,
    setting,
    settingsOf,
    stringMap,
    text,
    type GuardPolicy,
} from "./util";

type Hpa = k8s.autoscaling.v2.HorizontalPodAutoscaler | k8s.autoscaling.v1.HorizontalPodAutoscaler;

/**
 * Gateway API v1 HTTPRoute, the fields read here (gateway.networking.k8s.io/v1 HTTPRoute
 * spec.rules[].backendRefs[].weight). It is a CRD, so no provider SDK types it.
 */
interface HttpRouteArgs {
    metadata?: k8s.meta.v1.ObjectMeta;
    spec?: { rules?: Array<{ backendRefs?: Array<{ name?: string; port?: number; weight?: number }> }> };
}

/** The annotation the serving stack puts on each track's HPA: the track's share of requests (%). */
export const TRAFFIC_WEIGHT_ANNOTATION = "modelfleet.io/traffic-weight";
const ALB_ACTION_PREFIX = "alb.ingress.kubernetes.io/actions.";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
/** Metric types that carry an application signal; Resource and ContainerResource are CPU and memory. */
const PRESSURE_METRIC_TYPES = ["Pods", "Object", "External"];
const gpuDefaults = { gpuResourceName: "nvidia.com/gpu" };

function requestsGpu(podSpec: PodSpec, resourceName: string): boolean {
    return containersOf(podSpec).some((ref) =>
        (["requests", "limits"] as const).some((kind) => (count(get(ref.container, "resources", kind, resourceName)) ?? 0) > 0),
    );
}

const gpuHpaInferenceMetric: GuardPolicy = {
    name: "gpu-hpa-inference-metric",
    description:
        "Every HPA of a GPU-serving Deployment scales on an inference-pressure metric (Pods, Object or External), not CPU or memory alone.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { gpuResourceName: setting.string("Extended resource name of the GPU.", gpuDefaults.gpuResourceName) },
    },
    validateStack: (args, report) => {
        const { gpuResourceName } = settingsOf(args, gpuDefaults);
        const hpas = resourcesOfType(args, [K8S.hpaV2, K8S.hpaV1]);
        if (hpas.length === 0) args.notApplicable("no HorizontalPodAutoscalers in the stack");
        const deployments = resourcesOfType(args, [K8S.deployment]);
        for (const hpa of hpas) {
            const scaler = kubeInputs<Hpa>(hpa);
            const namespace = namespaceOf(scaler);
            if (text(get(scaler, "spec", "scaleTargetRef", "kind")) !== "Deployment") continue;
            const targetName = text(get(scaler, "spec", "scaleTargetRef", "name"));
            const target = deployments.find(
                (d) =>
                    clusterOf(d) === clusterOf(hpa) &&
                    namespaceOf(kubeInputs(d)) === namespace &&
                    objectName(kubeInputs(d), d.name) === targetName,
            );
            const template = target ? podTemplateOf(target.type, target.props, target.name) : undefined;
            if (template === undefined || !requestsGpu(template.spec, gpuResourceName)) continue;
            // autoscaling/v1 has only targetCPUUtilizationPercentage.
            const types =
                hpa.type === K8S.hpaV1
                    ? ["Resource"]
                    : list(get(kubeInputs<k8s.autoscaling.v2.HorizontalPodAutoscaler>(hpa), "spec", "metrics")).map((m) =>
                          text(get(m, "type")),
                      );
            if (!types.some((t) => t !== undefined && PRESSURE_METRIC_TYPES.includes(t))) {
                report(
                    `HPA ${namespace}/${objectName(scaler, hpa.name)} scales GPU Deployment ${namespace}/${targetName} on ${types.length > 0 ? "CPU/memory only" : "the default CPU target only"}; add a Pods, Object or External metric of inference pressure (queue wait, requests waiting).`,
                    hpa.urn,
                );
            }
        }
    },
};

/** Weights of each weighted route an object declares, by where they are. */
function weightedRoutes(type: string, props: Record<string, unknown>): Array<{ where: string; weights: number[] }> {
    const routes: Array<{ where: string; weights: number[] }> = [];
    if (type === K8S.ingress) {
        const ingress = inputsOf<k8s.networking.v1.Ingress>(props);
        for (const [key, value] of Object.entries(stringMap(get(ingress, "metadata", "annotations")))) {
            if (!key.startsWith(ALB_ACTION_PREFIX)) continue;
            let action: unknown;
            try {
                action = JSON.parse(value);
            } catch {
                continue;
            }
            // The AWS Load Balancer Controller's action JSON: no SDK types it.
            const groups = list(dig(action, ["forwardConfig", "targetGroups"]));
            if (text(dig(action, ["type"])) !== "forward" || groups.length < 2) continue;
            // The controller's default weight is 1 per target group.
            routes.push({ where: `annotation ${key}`, weights: groups.map((g) => count(dig(g, ["weight"])) ?? 1) });
        }
    }
    if (type === HTTP_ROUTE) {
        list(get(inputsOf<HttpRouteArgs>(props), "spec", "rules")).forEach((rule, i) => {
            const refs = list(get(rule, "backendRefs"));
            // Gateway API's default weight is 1.
            if (refs.length >= 2)
                routes.push({ where: `spec.rules[${i}].backendRefs`, weights: refs.map((r) => count(get(r, "weight")) ?? 1) });
        });
    }
    return routes;
}

const trafficWeightsSum100: GuardPolicy = {
    name: "traffic-weights-sum-100",
    description:
        "Weighted routes between serving tracks (ALB forward actions, Gateway API HTTPRoute backends) give weights that sum to 100, so each is a percentage of requests.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([K8S.ingress, HTTP_ROUTE], (props, args, report) => {
        const object: KubeObject = inputsOf<{ metadata?: k8s.meta.v1.ObjectMeta }>(props);
        for (const route of weightedRoutes(args.type, props)) {
            const sum = route.weights.reduce((a, b) => a + b, 0);
            if (sum !== 100) {
                report(
                    `${args.type.slice(args.type.lastIndexOf(":") + 1)} ${namespaceOf(object)}/${objectName(object, args.name)}: ${route.where} weights ${route.weights.join(" + ")} sum to ${sum}, not 100.`,
                );
            }
        }
    }),
};

const weightedTrackMinReplicas: GuardPolicy = {
    name: "weighted-track-min-replicas",
    description: `An HPA whose track takes a share of requests (annotation ${TRAFFIC_WEIGHT_ANNOTATION} > 0) keeps minReplicas >= 1.`,
    enforcementLevel: "mandatory",
    validateResource: forTypes<Hpa>([K8S.hpaV2, K8S.hpaV1], (props, args, report) => {
        const raw = get(props, "metadata", "annotations");
        const weight = isRecord(raw) ? Number(text(raw[TRAFFIC_WEIGHT_ANNOTATION])) : NaN;
        if (!Number.isFinite(weight) || weight <= 0) return;
        // The API server defaults minReplicas to 1.
        const min = count(get(props, "spec", "minReplicas")) ?? 1;
        if (min < 1) {
            report(
                `HPA ${namespaceOf(props)}/${objectName(props, args.name)} takes ${weight}% of requests but minReplicas is ${min}; requests would reach a track with no pods.`,
            );
        }
    }),
};

export const scalingPolicies: GuardPolicy[] = [gpuHpaInferenceMetric, trafficWeightsSum100, weightedTrackMinReplicas];
