import type * as k8s from "@pulumi/kubernetes/types/input";
import type { Unwrap } from "@pulumi/pulumi";
import { scalingPolicies } from "../policy/policies";
import { deployment, first, kube, T, testPolicies } from "./policy-harness";

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

const hpa = (target: string, metrics: Metric[] | undefined, edit?: (h: Hpa) => void) => {
    const h: Hpa = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: target, namespace: "serving" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas: 1, maxReplicas: 4, metrics },
    };
    edit?.(h);
    return kube(T.hpa, h);
};

const weighted = (weight: string, minReplicas: number) =>
    hpa("torchserve-green", [cpu, queue], (h) => {
        h.metadata = { ...h.metadata, annotations: { "modelfleet.io/traffic-weight": weight } };
        h.spec = { ...h.spec, minReplicas };
    });

const albIngress = (targetGroups: Array<{ serviceName: string; servicePort: string; weight?: number }>) =>
    kube("kubernetes:networking.k8s.io/v1:Ingress", {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: "serving",
            namespace: "serving",
            annotations: {
                "alb.ingress.kubernetes.io/actions.torchserve-weighted": JSON.stringify({
                    type: "forward",
                    forwardConfig: { targetGroups },
                }),
            },
        },
        spec: { ingressClassName: "alb", rules: [] },
    } satisfies Unwrap<k8s.networking.v1.Ingress>);

const httpRoute = (weights: Array<number | undefined>) =>
    kube("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "serving", namespace: "serving" },
        spec: {
            rules: [
                {
                    backendRefs: weights.map((weight, i) => ({
                        name: i === 0 ? "torchserve-blue" : "torchserve-green",
                        port: 8080,
                        ...(weight !== undefined ? { weight } : {}),
                    })),
                },
            ],
        },
    });

testPolicies(scalingPolicies, {
    "gpu-hpa-inference-metric": {
        fields: ["HorizontalPodAutoscaler.spec.metrics", "HorizontalPodAutoscaler.spec.metrics.type"],
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
                message: "weights 1 + 1 sum to 2",
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
        ],
        accept: [
            { title: "a track taking 10% with one pod", resources: weighted("10", 1) },
            { title: "a track at 0% scaled to zero", resources: weighted("0", 0) },
        ],
    },
});
