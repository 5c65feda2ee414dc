import type { LaunchTemplateArgs } from "@pulumi/aws/ec2/launchTemplate";
import type { NodeGroupArgs } from "@pulumi/aws/eks/nodeGroup";
import type { NodePoolArgs } from "@pulumi/gcp/container/nodePool";
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { Unwrap } from "@pulumi/pulumi";
import { limitPolicies } from "../policy/policies";
import {
    cloud,
    deployment,
    first,
    goodContainer,
    goodPodSpec,
    kube,
    notApplicableReason,
    stackNotApplicableReason,
    runPolicy,
    T,
    testPolicies,
    type Container,
} from "./policy-harness";

const quota = (namespace: string, provider?: string) =>
    kube(
        T.resourceQuota,
        {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "serving-quota", namespace },
            spec: { hard: { "requests.cpu": "64", "requests.memory": "256Gi", "requests.nvidia.com/gpu": "16" } },
        } satisfies Unwrap<k8s.core.v1.ResourceQuota>,
        provider ? { provider } : {},
    );
const limitRange = (namespace: string, provider?: string) =>
    kube(
        T.limitRange,
        {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: "serving-limits", namespace },
            spec: { limits: [{ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { memory: "256Mi" } }] },
        } satisfies Unwrap<k8s.core.v1.LimitRange>,
        provider ? { provider } : {},
    );

const nodeGroup = (inputs: Partial<Unwrap<NodeGroupArgs>>) =>
    cloud("aws:eks/nodeGroup:NodeGroup", "gpu-pool", {
        clusterName: "modelfleet-use1",
        nodeRoleArn: "arn:aws:iam::111122223333:role/nodes",
        subnetIds: ["subnet-1", "subnet-2"],
        scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 4 },
        instanceTypes: ["g5.2xlarge"],
        ...inputs,
    } satisfies Unwrap<NodeGroupArgs>);
const nodePool = (inputs: Partial<Unwrap<NodePoolArgs>>) =>
    cloud("gcp:container/nodePool:NodePool", "gpu-pool", {
        cluster: "modelfleet-usc1",
        autoscaling: { minNodeCount: 0, maxNodeCount: 2 },
        nodeConfig: { machineType: "g2-standard-8", shieldedInstanceConfig: { enableSecureBoot: true } },
        ...inputs,
    } satisfies Unwrap<NodePoolArgs>);

const withContainers = (containers: Container[], initContainers: Container[] = []) =>
    deployment("torchserve", (d) => {
        if (d.spec) d.spec.template.spec = { ...goodPodSpec(containers), ...(initContainers.length > 0 ? { initContainers } : {}) };
    });
const gpus = (name: string, request: string | undefined, limit: string | undefined): Container => ({
    ...goodContainer(name),
    resources: {
        requests: { cpu: "1", memory: "4Gi", ...(request !== undefined ? { "nvidia.com/gpu": request } : {}) },
        limits: { memory: "4Gi", ...(limit !== undefined ? { "nvidia.com/gpu": limit } : {}) },
    },
});

testPolicies(limitPolicies, {
    "container-resources": {
        fields: [
            "containers.resources.requests.cpu",
            "containers.resources.requests.memory",
            "containers.resources.limits.memory",
            "initContainers.resources.limits.memory",
        ],
        reject: [
            {
                title: "an app container without requests",
                field: "containers.resources.requests.cpu",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).resources = { limits: { memory: "8Gi" } };
                }),
                message: 'container "torchserve" sets no resources.requests.cpu, resources.requests.memory.',
            },
            {
                title: "an init container without a memory limit",
                field: "initContainers.resources.limits.memory",
                resources: withContainers(
                    [goodContainer()],
                    [{ name: "fetch-model", image: "busybox:1.36", resources: { requests: { cpu: "100m", memory: "64Mi" } } }],
                ),
                message: 'init container "fetch-model" sets no resources.limits.memory.',
            },
            {
                title: "a CronJob container",
                field: "containers.resources.requests.cpu",
                resources: kube(T.cronJob, {
                    apiVersion: "batch/v1",
                    kind: "CronJob",
                    metadata: { name: "warm-cache", namespace: "serving" },
                    spec: {
                        schedule: "0 * * * *",
                        jobTemplate: {
                            spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "warm", image: "curl:8.7.1" }] } } },
                        },
                    },
                } satisfies Unwrap<k8s.batch.v1.CronJob>),
                message: 'CronJob serving/warm-cache: container "warm" sets no resources.requests.cpu',
            },
            {
                title: "an app container without a memory request",
                field: "containers.resources.requests.memory",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).resources = { requests: { cpu: "2" }, limits: { memory: "8Gi" } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve" sets no resources.requests.memory.',
            },
            {
                title: "an app container without a memory limit",
                field: "containers.resources.limits.memory",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).resources = { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2" } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve" sets no resources.limits.memory.',
            },
            {
                title: "blank quantities",
                field: "containers.resources.requests.cpu",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).resources = { requests: { cpu: " ", memory: "" }, limits: { memory: "8Gi" } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve" sets no resources.requests.cpu, resources.requests.memory.',
            },
        ],
        accept: [
            { title: "requests and memory limit everywhere", resources: deployment() },
            {
                title: "quantities written as numbers",
                resources: kube(T.pod, {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "debug", namespace: "serving" },
                    spec: {
                        containers: [
                            {
                                name: "c",
                                image: "busybox:1.36",
                                resources: { requests: { cpu: 1, memory: 1073741824 }, limits: { memory: 1073741824 } },
                            },
                        ],
                    },
                }),
            },
            {
                title: "a bare Pod with numeric quantities",
                resources: kube(T.pod, {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "debug", namespace: "serving" },
                    spec: {
                        containers: [
                            {
                                name: "c",
                                image: "busybox:1.36",
                                resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
                            },
                        ],
                    },
                } satisfies Unwrap<k8s.core.v1.Pod>),
            },
        ],
    },
    "gpu-limit-equals-request": {
        fields: ['containers.resources.requests["nvidia.com/gpu"]', 'containers.resources.limits["nvidia.com/gpu"]'],
        reject: [
            {
                title: "request without limit",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", "1", undefined)]),
                message: 'container "torchserve" requests 1 nvidia.com/gpu but sets no limit',
            },
            {
                title: "limit differs from request",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", "1", "2")]),
                message: "requests 1 nvidia.com/gpu but limits 2; they must be equal",
            },
            {
                title: "fractional GPU",
                field: 'containers.resources.requests["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", "0.5", "0.5")]),
                message: "asks for 0.5 nvidia.com/gpu; GPUs are whole devices",
            },
            {
                title: "request without limit, exactly",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", "2", undefined)]),
                message: 'Deployment serving/torchserve: container "torchserve" requests 2 nvidia.com/gpu but sets no limit.',
            },
            {
                title: "limit differs from request, exactly",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", "2", "1")]),
                message:
                    'Deployment serving/torchserve: container "torchserve" requests 2 nvidia.com/gpu but limits 1; they must be equal.',
            },
            {
                title: "a negative GPU limit",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("torchserve", undefined, "-1")]),
                message: 'Deployment serving/torchserve: container "torchserve" asks for -1 nvidia.com/gpu; GPUs are whole devices.',
            },
            {
                title: "the GPU resource named in config",
                field: 'containers.resources.requests["nvidia.com/gpu"]',
                resources: withContainers([
                    {
                        ...goodContainer("torchserve"),
                        resources: { requests: { cpu: "1", memory: "4Gi", "amd.com/gpu": "1" }, limits: { memory: "4Gi" } },
                    },
                ]),
                settings: { gpuResourceName: "amd.com/gpu" },
                message: 'Deployment serving/torchserve: container "torchserve" requests 1 amd.com/gpu but sets no limit.',
            },
        ],
        accept: [
            { title: "request equals limit", resources: withContainers([gpus("torchserve", "2", "2")]) },
            { title: "limit only (the request defaults to it)", resources: withContainers([gpus("torchserve", undefined, "1")]) },
            { title: "zero GPUs, asked for explicitly", resources: withContainers([gpus("torchserve", "0", "0")]) },
            { title: "no GPU at all", resources: withContainers([gpus("gateway", undefined, undefined)]) },
        ],
    },
    "gpu-max-per-pod": {
        fields: [
            'containers.resources.limits["nvidia.com/gpu"]',
            'containers.resources.requests["nvidia.com/gpu"]',
            'initContainers.resources.limits["nvidia.com/gpu"]',
            "initContainers.restartPolicy",
        ],
        reject: [
            {
                title: "containers summed over the pod",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("a", "4", "4"), gpus("b", "4", "4")]),
                settings: { maxGpusPerPod: 4 },
                message: "asks for 8 nvidia.com/gpu per pod; the cap is 4",
            },
            {
                title: "above the default cap of 8",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("a", "16", "16")]),
                message: "asks for 16 nvidia.com/gpu per pod; the cap is 8",
            },
            {
                title: "requests alone, summed over the pod",
                field: 'containers.resources.requests["nvidia.com/gpu"]',
                resources: withContainers([gpus("a", "6", undefined), gpus("b", "6", undefined)]),
                message: "Deployment serving/torchserve asks for 12 nvidia.com/gpu per pod; the cap is 8.",
            },
            {
                title: "an init container above the cap",
                field: 'initContainers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("a", "1", "1")], [gpus("warmup", "10", "10")]),
                message: "Deployment serving/torchserve asks for 10 nvidia.com/gpu per pod; the cap is 8.",
            },
            {
                title: "a native sidecar adds to the app containers",
                field: "initContainers.restartPolicy",
                resources: withContainers([gpus("a", "4", "4")], [{ ...gpus("sidecar", "4", "4"), restartPolicy: "Always" }]),
                settings: { maxGpusPerPod: 4 },
                message: "Deployment serving/torchserve asks for 8 nvidia.com/gpu per pod; the cap is 4.",
            },
            {
                title: "one over the default cap",
                field: 'containers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers([gpus("a", "4", "4"), gpus("b", "5", "5")]),
                message: "Deployment serving/torchserve asks for 9 nvidia.com/gpu per pod; the cap is 8.",
            },
            {
                title: "the larger of two init containers above the cap",
                field: 'initContainers.resources.limits["nvidia.com/gpu"]',
                resources: withContainers(
                    [gpus("a", "1", "1")],
                    [gpus("warmup", "3", "3"), gpus("fetch", "9", "9"), gpus("check", "2", "2")],
                ),
                message: "Deployment serving/torchserve asks for 9 nvidia.com/gpu per pod; the cap is 8.",
            },
        ],
        accept: [
            {
                title: "within the cap",
                resources: withContainers([gpus("a", "2", "2"), gpus("b", "2", "2")]),
                settings: { maxGpusPerPod: 4 },
            },
            { title: "exactly the default cap of 8", resources: withContainers([gpus("a", "4", "4"), gpus("b", undefined, "4")]) },
            {
                title: "the GPU resource named in config",
                resources: withContainers([gpus("a", "16", "16")]),
                settings: { gpuResourceName: "amd.com/gpu" },
            },
            {
                // Init containers run one at a time before the app containers.
                title: "an init container does not add to the app containers",
                resources: withContainers([gpus("a", "4", "4")], [gpus("warmup", "4", "4")]),
                settings: { maxGpusPerPod: 4 },
            },
        ],
    },
    "namespace-quota-and-limitrange": {
        fields: ["ResourceQuota.metadata.namespace", "LimitRange.metadata.namespace", "opts.provider"],
        reject: [
            {
                title: "namespace without either",
                field: "ResourceQuota.metadata.namespace",
                resources: [deployment()],
                message: 'namespace "serving" runs Deployment torchserve but has no ResourceQuota and no LimitRange',
            },
            {
                title: "a quota in the same namespace of another cluster does not count",
                field: "opts.provider",
                resources: [
                    deployment("torchserve", undefined, { provider: "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::use1" }),
                    quota("serving", "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::usw2"),
                    limitRange("serving", "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::use1"),
                ],
                message: "has no ResourceQuota.",
            },
            {
                title: "a limit range in another namespace",
                field: "LimitRange.metadata.namespace",
                resources: [deployment(), quota("serving"), limitRange("default")],
                message: 'namespace "serving" runs Deployment torchserve but has no LimitRange.',
            },
            {
                title: "a quota in another namespace",
                field: "ResourceQuota.metadata.namespace",
                resources: [deployment(), quota("default"), limitRange("serving")],
                message: 'namespace "serving" runs Deployment torchserve but has no ResourceQuota.',
            },
        ],
        accept: [
            { title: "quota and limit range present", resources: [deployment(), quota("serving"), limitRange("serving")] },
            {
                title: "an exempt namespace",
                resources: [
                    deployment("coredns", (d) => {
                        if (d.metadata) d.metadata.namespace = "kube-system";
                    }),
                ],
            },
            {
                title: "exempt namespaces come from config",
                resources: [deployment()],
                settings: { exemptNamespaces: ["serving"] },
            },
        ],
    },
    "node-pool-max-size": {
        fields: [
            "scalingConfig.maxSize",
            "nodeLocations",
            "autoscaling.maxNodeCount",
            "autoscaling.totalMaxNodeCount",
            "nodeCount",
            "initialNodeCount",
        ],
        reject: [
            {
                title: "EKS maxSize above the cap",
                field: "scalingConfig.maxSize",
                resources: nodeGroup({ scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 40 } }),
                message: "may scale to 40 nodes; the cap is 16",
            },
            {
                title: "GKE per-zone max times zones",
                field: "nodeLocations",
                resources: nodePool({
                    nodeLocations: ["us-central1-a", "us-central1-b", "us-central1-c"],
                    autoscaling: { maxNodeCount: 4 },
                }),
                settings: { maxNodesPerPool: 8 },
                message: "may scale to 12 nodes (4 per zone x 3 zone(s)); the cap is 8",
            },
            {
                title: "GKE totalMaxNodeCount",
                field: "autoscaling.totalMaxNodeCount",
                resources: nodePool({ autoscaling: { totalMaxNodeCount: 20 } }),
                message: "may scale to 20 nodes (totalMaxNodeCount)",
            },
            {
                title: "GKE fixed size without autoscaling",
                field: "nodeCount",
                resources: nodePool({ autoscaling: undefined, nodeCount: 30 }),
                message: "may scale to 30 nodes",
            },
            {
                title: "GKE per-zone max in one zone",
                field: "autoscaling.maxNodeCount",
                resources: nodePool({ autoscaling: { maxNodeCount: 20 } }),
                message: "node pool gpu-pool may scale to 20 nodes (20 per zone x 1 zone(s)); the cap is 16.",
            },
            {
                title: "GKE initial size without autoscaling",
                field: "initialNodeCount",
                resources: nodePool({ autoscaling: undefined, initialNodeCount: 24 }),
                message: "node pool gpu-pool may scale to 24 nodes (24 per zone x 1 zone(s)); the cap is 16.",
            },
            {
                title: "EKS without a maximum",
                field: "scalingConfig.maxSize",
                resources: cloud("aws:eks/nodeGroup:NodeGroup", "gpu-pool", { instanceTypes: ["g5.2xlarge"] }),
                message: "node group gpu-pool sets no scalingConfig.maxSize.",
            },
            {
                title: "EKS one above the cap",
                field: "scalingConfig.maxSize",
                resources: nodeGroup({ scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 17 } }),
                message: "node group gpu-pool may scale to 17 nodes; the cap is 16.",
            },
            {
                title: "GKE without any size",
                field: "nodeCount",
                resources: nodePool({ autoscaling: undefined }),
                message: "node pool gpu-pool sets no autoscaling.maxNodeCount, totalMaxNodeCount or nodeCount.",
            },
            {
                title: "GKE autoscaling without a maximum ignores the fixed size",
                field: "autoscaling.maxNodeCount",
                resources: nodePool({ autoscaling: { minNodeCount: 1 }, nodeCount: 2 }),
                message: "node pool gpu-pool sets no autoscaling.maxNodeCount, totalMaxNodeCount or nodeCount.",
            },
            {
                title: "GKE totalMaxNodeCount over per-zone counts",
                field: "autoscaling.totalMaxNodeCount",
                resources: nodePool({
                    nodeLocations: ["us-central1-a", "us-central1-b"],
                    autoscaling: { maxNodeCount: 2, totalMaxNodeCount: 17 },
                }),
                message: "node pool gpu-pool may scale to 17 nodes (totalMaxNodeCount); the cap is 16.",
            },
        ],
        accept: [
            { title: "EKS within the cap", resources: nodeGroup({}) },
            { title: "EKS at the cap", resources: nodeGroup({ scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 16 } }) },
            {
                title: "GKE at the cap across zones",
                resources: nodePool({ nodeLocations: ["us-central1-a", "us-central1-b"], autoscaling: { maxNodeCount: 8 } }),
            },
            {
                title: "GKE total within the cap though per-zone counts are not",
                resources: nodePool({
                    nodeLocations: ["us-central1-a", "us-central1-b"],
                    autoscaling: { maxNodeCount: 9, totalMaxNodeCount: 16 },
                }),
            },
            {
                title: "GKE within the configured cap",
                resources: nodePool({ autoscaling: { totalMaxNodeCount: 6 } }),
                settings: { maxNodesPerPool: 6 },
            },
        ],
    },
    "node-pool-instance-types": {
        fields: ["instanceTypes", "launchTemplate", "nodeConfig.machineType", "LaunchTemplate.instanceType"],
        reject: [
            {
                title: "an EKS type outside the list",
                field: "instanceTypes",
                resources: nodeGroup({ instanceTypes: ["g5.2xlarge", "x2iedn.32xlarge"] }),
                message:
                    "node group gpu-pool uses x2iedn.32xlarge, which is not allowed (allowed: g5.*, g6.*, g6e.*, p4d.*, p5.*, m6i.*, m7i.*).",
            },
            {
                title: "an EKS type outside a list from config",
                field: "instanceTypes",
                resources: nodeGroup({ instanceTypes: ["g5.2xlarge"] }),
                settings: { allowedAwsInstanceTypes: ["g5.xlarge"] },
                message: "node group gpu-pool uses g5.2xlarge, which is not allowed (allowed: g5.xlarge).",
            },
            {
                title: "EKS default type",
                field: "instanceTypes",
                resources: nodeGroup({ instanceTypes: undefined }),
                message: "node group gpu-pool sets no instanceTypes; EKS would pick t3.medium.",
            },
            {
                title: "a GKE machine type outside the list",
                field: "nodeConfig.machineType",
                resources: nodePool({ nodeConfig: { machineType: "n1-highmem-96" } }),
                message:
                    "node pool gpu-pool uses n1-highmem-96, which is not allowed (allowed: g2-standard-*, a2-*, a3-*, n1-standard-*, n2-standard-*, e2-standard-*).",
            },
            {
                title: "GKE default machine type",
                field: "nodeConfig.machineType",
                resources: nodePool({ nodeConfig: {} }),
                message: "node pool gpu-pool sets no nodeConfig.machineType; GKE would pick e2-medium.",
            },
            {
                title: "a launch template's type",
                field: "LaunchTemplate.instanceType",
                resources: cloud("aws:ec2/launchTemplate:LaunchTemplate", "gpu-lt", {
                    instanceType: "t2.micro",
                } satisfies Unwrap<LaunchTemplateArgs>),
                message:
                    "launch template gpu-lt uses t2.micro, which is not allowed (allowed: g5.*, g6.*, g6e.*, p4d.*, p5.*, m6i.*, m7i.*).",
            },
            {
                title: "a launch template does not excuse a listed type outside the list",
                field: "launchTemplate",
                resources: nodeGroup({ instanceTypes: ["x2iedn.32xlarge"], launchTemplate: { name: "gpu-lt", version: "$Latest" } }),
                message: "node group gpu-pool uses x2iedn.32xlarge, which is not allowed",
            },
        ],
        accept: [
            { title: "GPU and system families", resources: nodeGroup({ instanceTypes: ["g6e.12xlarge", "p5.48xlarge", "m7i.2xlarge"] }) },
            { title: "A3 on GKE", resources: nodePool({ nodeConfig: { machineType: "a3-highgpu-8g" } }) },
            {
                title: "every default family",
                resources: nodeGroup({
                    instanceTypes: ["g5.xlarge", "g6.xlarge", "g6e.xlarge", "p4d.24xlarge", "p5.48xlarge", "m6i.large", "m7i.large"],
                }),
            },
            ...["g2-standard-8", "a2-highgpu-1g", "a3-highgpu-8g", "n1-standard-4", "n2-standard-4", "e2-standard-2"].map(
                (machineType) => ({
                    title: `GKE ${machineType}`,
                    resources: nodePool({ nodeConfig: { machineType } }),
                }),
            ),
            {
                title: "a GKE list from config",
                resources: nodePool({ nodeConfig: { machineType: "c3-standard-4" } }),
                settings: { allowedGcpMachineTypes: ["c3-standard-*"] },
            },
            {
                title: "an allowed launch template type",
                resources: cloud("aws:ec2/launchTemplate:LaunchTemplate", "gpu-lt", {
                    instanceType: "g6.xlarge",
                } satisfies Unwrap<LaunchTemplateArgs>),
            },
            {
                title: "a launch template that leaves the type to the node group",
                resources: cloud("aws:ec2/launchTemplate:LaunchTemplate", "gpu-lt", {
                    imageId: "ami-123",
                } satisfies Unwrap<LaunchTemplateArgs>),
            },
            {
                title: "a narrower list from config",
                resources: nodeGroup({ instanceTypes: ["g5.xlarge"] }),
                settings: { allowedAwsInstanceTypes: ["g5.xlarge"] },
            },
            {
                title: "types from a launch template",
                resources: nodeGroup({ instanceTypes: undefined, launchTemplate: { name: "gpu-lt", version: "$Latest" } }),
            },
        ],
    },
});

describe("limit policies as the pack lists them", () => {
    const gpuName = { type: "string", description: "Extended resource name of the GPU.", default: "nvidia.com/gpu" };

    test("names, descriptions, levels and settings", () => {
        expect(limitPolicies.map((p) => [p.name, p.description, p.enforcementLevel, p.configSchema])).toEqual([
            [
                "container-resources",
                "Every container and init container requests CPU and memory and limits memory.",
                "mandatory",
                undefined,
            ],
            [
                "gpu-limit-equals-request",
                "A container that requests GPUs sets a GPU limit equal to the request, in whole GPUs.",
                "mandatory",
                { properties: { gpuResourceName: gpuName } },
            ],
            [
                "gpu-max-per-pod",
                "A pod holds at most the configured number of GPUs (summed over its containers).",
                "mandatory",
                {
                    properties: {
                        gpuResourceName: gpuName,
                        maxGpusPerPod: { type: "integer", description: "Most GPUs one pod may hold.", default: 8, minimum: 1 },
                    },
                },
            ],
            [
                "namespace-quota-and-limitrange",
                "Every namespace that runs a Deployment has a ResourceQuota and a LimitRange.",
                "mandatory",
                {
                    properties: {
                        exemptNamespaces: {
                            type: "array",
                            items: { type: "string" },
                            description: "Namespaces managed outside this stack.",
                            default: ["kube-system"],
                        },
                    },
                },
            ],
            [
                "node-pool-max-size",
                "Node pools cannot grow beyond the configured number of nodes.",
                "mandatory",
                {
                    properties: {
                        maxNodesPerPool: {
                            type: "integer",
                            description: "Most nodes one pool may scale to (GKE: across its zones).",
                            default: 16,
                            minimum: 1,
                        },
                    },
                },
            ],
            [
                "node-pool-instance-types",
                "Node pools use only the allowed GPU and system instance / machine types.",
                "mandatory",
                {
                    properties: {
                        allowedAwsInstanceTypes: {
                            type: "array",
                            items: { type: "string" },
                            description: "EC2 instance types (`*` wildcard) node groups may use.",
                            default: ["g5.*", "g6.*", "g6e.*", "p4d.*", "p5.*", "m6i.*", "m7i.*"],
                        },
                        allowedGcpMachineTypes: {
                            type: "array",
                            items: { type: "string" },
                            description: "GCE machine types (`*` wildcard) node pools may use.",
                            default: ["g2-standard-*", "a2-*", "a3-*", "n1-standard-*", "n2-standard-*", "e2-standard-*"],
                        },
                    },
                },
            ],
        ]);
    });

    test("a fractional GPU request and limit are reported once", async () => {
        const violations = await runPolicy("gpu-limit-equals-request", withContainers([gpus("torchserve", "0.5", "0.5")]));
        expect(violations.map((v) => v.message)).toEqual([
            'Deployment serving/torchserve: container "torchserve" asks for 0.5 nvidia.com/gpu; GPUs are whole devices.',
        ]);
    });

    test("a namespace is reported once per cluster", async () => {
        const use1 = { provider: "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::use1" };
        const violations = await runPolicy("namespace-quota-and-limitrange", [
            deployment("torchserve"),
            deployment("tensorzero"),
            deployment("torchserve", undefined, use1),
        ]);
        expect(violations.map((v) => v.message)).toEqual([
            'namespace "serving" runs Deployment torchserve but has no ResourceQuota and no LimitRange.',
            'namespace "serving" runs Deployment torchserve but has no ResourceQuota and no LimitRange.',
        ]);
    });

    test("the quota rule does not apply to a stack without Deployments", () => {
        expect(stackNotApplicableReason("namespace-quota-and-limitrange")).toBe("no Deployments in the stack");
    });

    test("the node pool rules name the types they apply to", () => {
        const template = cloud("aws:ec2/launchTemplate:LaunchTemplate", "gpu-lt", { instanceType: "g5.xlarge" });
        expect(notApplicableReason("node-pool-max-size", template)).toBe(
            "Policy only applies to resources of type 'aws:eks/nodeGroup:NodeGroup', 'gcp:container/nodePool:NodePool'",
        );
        expect(notApplicableReason("node-pool-instance-types", deployment())).toBe(
            "Policy only applies to resources of type 'aws:eks/nodeGroup:NodeGroup', 'gcp:container/nodePool:NodePool', 'aws:ec2/launchTemplate:LaunchTemplate'",
        );
    });
});
