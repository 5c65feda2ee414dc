import type * as k8s from "@pulumi/kubernetes/types/input";
import type { Unwrap } from "@pulumi/pulumi";
import { scalingPolicies } from "../policy/policies";
import {
    deployment,
    first,
    goodContainer,
    kube,
    notApplicableReason,
    stackNotApplicableReason,
    runPolicy,
    T,
    testPolicies,
} from "./policy-harness";

type Hpa = Unwrap<k8s.autoscaling.v2.HorizontalPodAutoscaler>;
type Metric = Unwrap<k8s.autoscaling.v2.MetricSpec>;

const cpu: Metric = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } };
const queue: Metric = {
    type: "Pods",
    pods: {
        metric: { name: "ts_queue_latency_ms_per_request", selector: { matchLabels: { model_name: "resnet50" } } },
        target: { type: "AverageValue", averageValue: "200" },
    },
};

const gpuDeployment = (name = "torchserve-blue") =>
    deployment(name, (_d, pod) => {
        const c = first(pod);
        c.resources = { requests: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" }, limits: { memory: "16Gi", "nvidia.com/gpu": "1" } };
    });

const hpa = (target: string, metrics: Metric[] | undefined, edit?: (h: Hpa) => void, extras?: { provider: string }) => {
    const h: Hpa = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: target, namespace: "serving" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas: 1, maxReplicas: 4, metrics },
    };
    edit?.(h);
    return kube(T.hpa, h, extras);
};

const otherCluster = { provider: "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::usw2" };
const gpuIn = (resources: Record<string, string>) =>
    deployment("torchserve-blue", (_d, pod) => {
        first(pod).resources = { requests: { cpu: "4", memory: "16Gi" }, limits: { memory: "16Gi", ...resources } };
    });
const hpaV1 = (target: string) =>
    kube("kubernetes:autoscaling/v1:HorizontalPodAutoscaler", {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: target, namespace: "serving" },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
            minReplicas: 1,
            maxReplicas: 4,
            targetCPUUtilizationPercentage: 70,
        },
    } satisfies Unwrap<k8s.autoscaling.v1.HorizontalPodAutoscaler>);
const objectMetric: Metric = {
    type: "Object",
    object: {
        describedObject: { apiVersion: "v1", kind: "Service", name: "torchserve-blue" },
        metric: { name: "requests_waiting" },
        target: { type: "Value", value: "10" },
    },
};
const externalMetric: Metric = {
    type: "External",
    external: { metric: { name: "sqs_queue_depth" }, target: { type: "AverageValue", averageValue: "5" } },
};

const weighted = (weight: string, minReplicas: number) =>
    hpa("torchserve-green", [cpu, queue], (h) => {
        h.metadata = { ...h.metadata, annotations: { "modelfleet.io/traffic-weight": weight } };
        h.spec = { ...h.spec, minReplicas };
    });

const albIngress = (
    targetGroups: Array<{ serviceName: string; servicePort: string; weight?: number }>,
    key = "alb.ingress.kubernetes.io/actions.torchserve-weighted",
    type = "forward",
) => annotatedIngress({ [key]: JSON.stringify({ type, forwardConfig: { targetGroups } }) });
const annotatedIngress = (annotations: Record<string, string>) =>
    kube("kubernetes:networking.k8s.io/v1:Ingress", {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "serving", namespace: "serving", annotations },
        spec: { ingressClassName: "alb", rules: [] },
    } satisfies Unwrap<k8s.networking.v1.Ingress>);
const blue90green20 = [
    { serviceName: "torchserve-blue", servicePort: "8080", weight: 90 },
    { serviceName: "torchserve-green", servicePort: "8080", weight: 20 },
];

const backends = (weights: Array<number | undefined>) => ({
    backendRefs: weights.map((weight, i) => ({
        name: i === 0 ? "torchserve-blue" : "torchserve-green",
        port: 8080,
        ...(weight !== undefined ? { weight } : {}),
    })),
});
const httpRoute = (weights: Array<number | undefined>, ...moreRules: Array<Array<number | undefined>>) =>
    kube("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "serving", namespace: "serving" },
        spec: { rules: [backends(weights), ...moreRules.map(backends)] },
    });

testPolicies(scalingPolicies, {
    "gpu-hpa-inference-metric": {
        fields: [
            "HorizontalPodAutoscaler.spec.metrics",
            "HorizontalPodAutoscaler.spec.metrics.type",
            "HorizontalPodAutoscaler.apiVersion",
            'Deployment.containers.resources.limits["nvidia.com/gpu"]',
        ],
        reject: [
            {
                title: "a GPU Deployment scaled on CPU alone",
                field: "HorizontalPodAutoscaler.spec.metrics.type",
                resources: [gpuDeployment(), hpa("torchserve-blue", [cpu])],
                message: "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on CPU/memory only",
            },
            {
                title: "a GPU Deployment whose HPA states no metrics (the default CPU target)",
                field: "HorizontalPodAutoscaler.spec.metrics",
                resources: [gpuDeployment(), hpa("torchserve-blue", undefined)],
                message: "on the default CPU target only",
            },
            {
                title: "a GPU Deployment whose HPA lists no metrics",
                field: "HorizontalPodAutoscaler.spec.metrics",
                resources: [gpuDeployment(), hpa("torchserve-blue", [])],
                message:
                    "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on the default CPU target only; add a Pods, Object or External metric of inference pressure (queue wait, requests waiting).",
            },
            {
                title: "an autoscaling/v1 HPA, which has only a CPU target",
                field: "HorizontalPodAutoscaler.apiVersion",
                resources: [gpuDeployment(), hpaV1("torchserve-blue")],
                message:
                    "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on CPU/memory only; add a Pods, Object or External metric of inference pressure (queue wait, requests waiting).",
            },
            {
                title: "a Deployment that holds GPUs only as a limit",
                field: 'Deployment.containers.resources.limits["nvidia.com/gpu"]',
                resources: [gpuIn({ "nvidia.com/gpu": "1" }), hpa("torchserve-blue", [cpu])],
                message: "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on CPU/memory only",
            },
            {
                title: "a GPU container beside one without GPUs",
                field: 'Deployment.containers.resources.limits["nvidia.com/gpu"]',
                resources: [
                    deployment("torchserve-blue", (_d, pod) => {
                        pod.containers = [
                            {
                                ...goodContainer("log-shipper"),
                                resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
                            },
                            goodContainer("torchserve-blue"),
                        ];
                    }),
                    hpa("torchserve-blue", [cpu]),
                ],
                message: "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on CPU/memory only",
            },
            {
                title: "the GPU resource named in config",
                field: 'Deployment.containers.resources.limits["nvidia.com/gpu"]',
                resources: [gpuIn({ "amd.com/gpu": "1" }), hpa("torchserve-blue", [cpu])],
                settings: { gpuResourceName: "amd.com/gpu" },
                message: "HPA serving/torchserve-blue scales GPU Deployment serving/torchserve-blue on CPU/memory only",
            },
        ],
        accept: [
            { title: "CPU as a floor plus the queue wait", resources: [gpuDeployment(), hpa("torchserve-blue", [cpu, queue])] },
            {
                title: "a CPU-only Deployment (the gateway) on CPU",
                resources: [
                    deployment("tensorzero", (_d, pod) => {
                        first(pod).resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
                    }),
                    hpa("tensorzero", [cpu]),
                ],
            },
            { title: "an Object metric", resources: [gpuDeployment(), hpa("torchserve-blue", [cpu, objectMetric])] },
            { title: "an External metric", resources: [gpuDeployment(), hpa("torchserve-blue", [externalMetric])] },
            { title: "a Deployment asking for zero GPUs", resources: [gpuIn({ "nvidia.com/gpu": "0" }), hpa("torchserve-blue", [cpu])] },
            {
                title: "GPUs of another resource name than the configured one",
                resources: [gpuDeployment(), hpa("torchserve-blue", [cpu])],
                settings: { gpuResourceName: "amd.com/gpu" },
            },
            {
                title: "an HPA on a StatefulSet that shares the GPU Deployment's name",
                resources: [
                    gpuDeployment(),
                    hpa("torchserve-blue", [cpu], (h) => {
                        h.spec = { ...h.spec, scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "torchserve-blue" } };
                    }),
                ],
            },
            {
                title: "an HPA naming a Deployment the stack does not have",
                resources: [gpuDeployment(), hpa("torchserve-green", [cpu])],
            },
            {
                title: "an HPA of the same name in another namespace",
                resources: [
                    gpuDeployment(),
                    hpa("torchserve-blue", [cpu], (h) => {
                        h.metadata = { ...h.metadata, namespace: "batch" };
                    }),
                ],
            },
            {
                title: "an HPA of the same name in another cluster",
                resources: [gpuDeployment(), hpa("torchserve-blue", [cpu], undefined, otherCluster)],
            },
        ],
    },
    "traffic-weights-sum-100": {
        fields: [
            'metadata.annotations["alb.ingress.kubernetes.io/actions.*"].forwardConfig.targetGroups.weight',
            "spec.rules.backendRefs.weight",
        ],
        reject: [
            {
                title: "ALB weights 90 + 20",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/actions.*"].forwardConfig.targetGroups.weight',
                resources: albIngress([
                    { serviceName: "torchserve-blue", servicePort: "8080", weight: 90 },
                    { serviceName: "torchserve-green", servicePort: "8080", weight: 20 },
                ]),
                message: "annotation alb.ingress.kubernetes.io/actions.torchserve-weighted weights 90 + 20 sum to 110, not 100",
            },
            {
                title: "HTTPRoute weights left at the default 1 each",
                field: "spec.rules.backendRefs.weight",
                resources: httpRoute([undefined, undefined]),
                message: "HTTPRoute serving/serving: spec.rules[0].backendRefs weights 1 + 1 sum to 2, not 100.",
            },
            {
                title: "ALB target groups left at the default weight 1 each",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/actions.*"].forwardConfig.targetGroups.weight',
                resources: albIngress([
                    { serviceName: "torchserve-blue", servicePort: "8080" },
                    { serviceName: "torchserve-green", servicePort: "8080" },
                ]),
                message:
                    "Ingress serving/serving: annotation alb.ingress.kubernetes.io/actions.torchserve-weighted weights 1 + 1 sum to 2, not 100.",
            },
            {
                title: "the second HTTPRoute rule one short",
                field: "spec.rules.backendRefs.weight",
                resources: httpRoute([50, 50], [50, 49]),
                message: "HTTPRoute serving/serving: spec.rules[1].backendRefs weights 50 + 49 sum to 99, not 100.",
            },
        ],
        accept: [
            {
                title: "ALB weights 90 + 10",
                resources: albIngress([
                    { serviceName: "torchserve-blue", servicePort: "8080", weight: 90 },
                    { serviceName: "torchserve-green", servicePort: "8080", weight: 10 },
                ]),
            },
            { title: "HTTPRoute weights 100 + 0", resources: httpRoute([100, 0]) },
            { title: "a single HTTPRoute backend", resources: httpRoute([50]) },
            {
                title: "a single ALB target group",
                resources: albIngress([{ serviceName: "torchserve-blue", servicePort: "8080", weight: 50 }]),
            },
            {
                title: "an ALB annotation that is not an action",
                resources: albIngress(blue90green20, "alb.ingress.kubernetes.io/conditions.torchserve-weighted"),
            },
            { title: "an ALB fixed-response action", resources: albIngress(blue90green20, undefined, "fixed-response") },
            {
                title: "an action that is not JSON",
                resources: annotatedIngress({ "alb.ingress.kubernetes.io/actions.broken": "{forward" }),
            },
            {
                title: "ALB action annotations on an HTTPRoute are not read",
                resources: kube("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "HTTPRoute",
                    metadata: {
                        name: "serving",
                        namespace: "serving",
                        annotations: {
                            "alb.ingress.kubernetes.io/actions.torchserve-weighted": JSON.stringify({
                                type: "forward",
                                forwardConfig: { targetGroups: blue90green20 },
                            }),
                        },
                    },
                    spec: { rules: [backends([100, 0])] },
                }),
            },
            {
                title: "backend references in an Ingress's rules are not read",
                resources: kube("kubernetes:networking.k8s.io/v1:Ingress", {
                    apiVersion: "networking.k8s.io/v1",
                    kind: "Ingress",
                    metadata: { name: "serving", namespace: "serving" },
                    spec: { rules: [backends([90, 20])] },
                }),
            },
        ],
    },
    "weighted-track-min-replicas": {
        fields: ['metadata.annotations["modelfleet.io/traffic-weight"]', "spec.minReplicas"],
        reject: [
            {
                title: "a track taking 10% with minReplicas 0",
                field: "spec.minReplicas",
                resources: weighted("10", 0),
                message: "HPA serving/torchserve-green takes 10% of requests but minReplicas is 0",
            },
            {
                title: "a track taking every request with minReplicas 0",
                field: 'metadata.annotations["modelfleet.io/traffic-weight"]',
                resources: weighted("100", 0),
                message:
                    "HPA serving/torchserve-green takes 100% of requests but minReplicas is 0; requests would reach a track with no pods.",
            },
            {
                title: "a track taking 10% with a negative minReplicas",
                field: "spec.minReplicas",
                resources: weighted("10", -1),
                message: "HPA serving/torchserve-green takes 10% of requests but minReplicas is -1;",
            },
            {
                title: "a track taking half a percent with minReplicas 0",
                field: 'metadata.annotations["modelfleet.io/traffic-weight"]',
                resources: weighted("0.5", 0),
                message: "HPA serving/torchserve-green takes 0.5% of requests but minReplicas is 0;",
            },
            {
                title: "an autoscaling/v1 HPA taking 10% with minReplicas 0",
                field: "spec.minReplicas",
                resources: kube("kubernetes:autoscaling/v1:HorizontalPodAutoscaler", {
                    apiVersion: "autoscaling/v1",
                    kind: "HorizontalPodAutoscaler",
                    metadata: { name: "torchserve-green", namespace: "serving", annotations: { "modelfleet.io/traffic-weight": "10" } },
                    spec: { scaleTargetRef: { kind: "Deployment", name: "torchserve-green" }, minReplicas: 0, maxReplicas: 4 },
                } satisfies Unwrap<k8s.autoscaling.v1.HorizontalPodAutoscaler>),
                message: "HPA serving/torchserve-green takes 10% of requests but minReplicas is 0",
            },
        ],
        accept: [
            { title: "a track taking 10% with one pod", resources: weighted("10", 1) },
            { title: "a track at 0% scaled to zero", resources: weighted("0", 0) },
            { title: "a weight that is not a number", resources: weighted("half", 0) },
            {
                title: "an HPA without annotations scaled to zero",
                resources: hpa("torchserve-green", [cpu, queue], (h) => {
                    h.spec = { ...h.spec, minReplicas: 0 };
                }),
            },
            {
                title: "minReplicas left to the API server's default of one",
                resources: hpa("torchserve-green", [cpu, queue], (h) => {
                    h.metadata = { ...h.metadata, annotations: { "modelfleet.io/traffic-weight": "10" } };
                    delete h.spec?.minReplicas;
                }),
            },
        ],
    },
});

describe("scaling policies as the pack lists them", () => {
    test("names, descriptions, levels and settings", () => {
        expect(scalingPolicies.map((p) => [p.name, p.description, p.enforcementLevel, p.configSchema])).toEqual([
            [
                "gpu-hpa-inference-metric",
                "Every HPA of a GPU-serving Deployment scales on an inference-pressure metric (Pods, Object or External), not CPU or memory alone.",
                "mandatory",
                {
                    properties: {
                        gpuResourceName: { type: "string", description: "Extended resource name of the GPU.", default: "nvidia.com/gpu" },
                    },
                },
            ],
            [
                "traffic-weights-sum-100",
                "Weighted routes between serving tracks (ALB forward actions, Gateway API HTTPRoute backends) give weights that sum to 100, so each is a percentage of requests.",
                "mandatory",
                undefined,
            ],
            [
                "weighted-track-min-replicas",
                "An HPA whose track takes a share of requests (annotation modelfleet.io/traffic-weight > 0) keeps minReplicas >= 1.",
                "mandatory",
                undefined,
            ],
        ]);
    });

    test("the HPA metric rule does not apply to a stack without HPAs", () => {
        expect(stackNotApplicableReason("gpu-hpa-inference-metric")).toBe("no HorizontalPodAutoscalers in the stack");
    });

    test("a weights violation names the object by its kind alone, as the whole message", async () => {
        const violations = await runPolicy("traffic-weights-sum-100", httpRoute([60, 30]));
        expect(violations.map((v) => v.message)).toEqual([
            "HTTPRoute serving/serving: spec.rules[0].backendRefs weights 60 + 30 sum to 90, not 100.",
        ]);
    });

    test("the per-resource rules name the types they apply to", () => {
        const gateway = deployment("tensorzero");
        expect(notApplicableReason("traffic-weights-sum-100", gateway)).toBe(
            "Policy only applies to resources of type 'kubernetes:networking.k8s.io/v1:Ingress', 'kubernetes:gateway.networking.k8s.io/v1:HTTPRoute'",
        );
        expect(notApplicableReason("weighted-track-min-replicas", gateway)).toBe(
            "Policy only applies to resources of type 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler', 'kubernetes:autoscaling/v1:HorizontalPodAutoscaler'",
        );
    });
});
