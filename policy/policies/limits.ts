/**
 * Resource limits: what every container asks for, how many GPUs a pod may hold, quotas per
 * serving namespace, and how large and of which machine types node pools may grow.
 */
import type { LaunchTemplateArgs } from "@pulumi/aws/ec2/launchTemplate";
import type { NodeGroupArgs } from "@pulumi/aws/eks/nodeGroup";
import type { NodePoolArgs } from "@pulumi/gcp/container/nodePool";
import {
    clusterOf,
    containersOf,
    describeContainer,
    describeWorkload,
    K8S,
    namespaceOf,
    objectName,
    podTemplateOf,
    forWorkloads,
    kubeInputs,
    type Container,
    type ContainerRef,
} from "./kubernetes";
import {
    count,
    forTypes,
    get,
    inputsOf,
    isRecord,
    isSet,
    matchesAny,
    resourcesOfType,
    setting,
    settingsOf,
    strings,
    text,
    type GuardPolicy,
} from "./util";

function hasQuantity(container: Container, section: "requests" | "limits", resource: string): boolean {
    const value = get(container, "resources", section, resource);
    return (typeof value === "string" && value.trim() !== "") || typeof value === "number";
}

const containerResources: GuardPolicy = {
    name: "container-resources",
    description: "Every container and init container requests CPU and memory and limits memory.",
    enforcementLevel: "mandatory",
    validateResource: forWorkloads((props, args, report) => {
        const template = podTemplateOf(args.type, props, args.name);
        if (template === undefined) return;
        for (const ref of containersOf(template.spec)) {
            const missing = [
                hasQuantity(ref.container, "requests", "cpu") ? undefined : "requests.cpu",
                hasQuantity(ref.container, "requests", "memory") ? undefined : "requests.memory",
                hasQuantity(ref.container, "limits", "memory") ? undefined : "limits.memory",
            ].filter((m): m is string => m !== undefined);
            if (missing.length > 0) {
                report(`${describeWorkload(template)}: ${describeContainer(ref)} sets no resources.${missing.join(", resources.")}.`);
            }
        }
    }),
};

const gpuDefaults = { gpuResourceName: "nvidia.com/gpu", maxGpusPerPod: 8 };

interface GpuUse {
    ref: ContainerRef;
    request?: number;
    limit?: number;
    /** What the scheduler reserves: the limit, or the request when no limit is set. */
    effective: number;
}

function gpuUse(ref: ContainerRef, resourceName: string): GpuUse {
    const request = count(get(ref.container, "resources", "requests", resourceName));
    const limit = count(get(ref.container, "resources", "limits", resourceName));
    return { ref, request, limit, effective: limit ?? request ?? 0 };
}

const gpuLimitEqualsRequest: GuardPolicy = {
    name: "gpu-limit-equals-request",
    description: "A container that requests GPUs sets a GPU limit equal to the request, in whole GPUs.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            gpuResourceName: setting.string("Extended resource name of the GPU.", gpuDefaults.gpuResourceName),
        },
    },
    validateResource: forWorkloads((props, args, report) => {
        const { gpuResourceName } = settingsOf(args, { gpuResourceName: gpuDefaults.gpuResourceName });
        const template = podTemplateOf(args.type, props, args.name);
        if (template === undefined) return;
        for (const ref of containersOf(template.spec)) {
            const use = gpuUse(ref, gpuResourceName);
            const where = `${describeWorkload(template)}: ${describeContainer(ref)}`;
            if (use.request !== undefined && use.limit === undefined) {
                report(`${where} requests ${use.request} ${gpuResourceName} but sets no limit.`);
            } else if (use.request !== undefined && use.limit !== undefined && use.request !== use.limit) {
                report(`${where} requests ${use.request} ${gpuResourceName} but limits ${use.limit}; they must be equal.`);
            }
            for (const value of [use.request, use.limit]) {
                if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
                    report(`${where} asks for ${value} ${gpuResourceName}; GPUs are whole devices.`);
                    break;
                }
            }
        }
    }),
};

const gpuMaxPerPod: GuardPolicy = {
    name: "gpu-max-per-pod",
    description: "A pod holds at most the configured number of GPUs (summed over its containers).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            gpuResourceName: setting.string("Extended resource name of the GPU.", gpuDefaults.gpuResourceName),
            maxGpusPerPod: setting.integer("Most GPUs one pod may hold.", gpuDefaults.maxGpusPerPod, 1),
        },
    },
    validateResource: forWorkloads((props, args, report) => {
        const { gpuResourceName, maxGpusPerPod } = settingsOf(args, gpuDefaults);
        const template = podTemplateOf(args.type, props, args.name);
        if (template === undefined) return;
        const uses = containersOf(template.spec).map((ref) => gpuUse(ref, gpuResourceName));
        // Kubernetes sizes a pod as the larger of its running set (app containers plus native
        // sidecars) and its largest one-at-a-time init container.
        const running = uses.filter((u) => !u.ref.init || u.ref.sidecar).reduce((sum, u) => sum + u.effective, 0);
        const largestInit = Math.max(0, ...uses.filter((u) => u.ref.init && !u.ref.sidecar).map((u) => u.effective));
        const perPod = Math.max(running, largestInit);
        if (perPod > maxGpusPerPod) {
            report(`${describeWorkload(template)} asks for ${perPod} ${gpuResourceName} per pod; the cap is ${maxGpusPerPod}.`);
        }
    }),
};

const quotaDefaults = { exemptNamespaces: ["kube-system"] };

const namespaceQuotaAndLimitRange: GuardPolicy = {
    name: "namespace-quota-and-limitrange",
    description: "Every namespace that runs a Deployment has a ResourceQuota and a LimitRange.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            exemptNamespaces: setting.strings("Namespaces managed outside this stack.", quotaDefaults.exemptNamespaces),
        },
    },
    validateStack: (args, report) => {
        const { exemptNamespaces } = settingsOf(args, quotaDefaults);
        const deployments = resourcesOfType(args, [K8S.deployment]);
        if (deployments.length === 0) args.notApplicable("no Deployments in the stack");
        const key = (r: (typeof args.resources)[number]) => `${clusterOf(r)}\u0000${namespaceOf(kubeInputs(r))}`;
        const quotas = new Set(resourcesOfType(args, [K8S.resourceQuota]).map(key));
        const limitRanges = new Set(resourcesOfType(args, [K8S.limitRange]).map(key));

        const reported = new Set<string>();
        for (const deployment of deployments) {
            const namespace = namespaceOf(kubeInputs(deployment));
            const k = key(deployment);
            if (exemptNamespaces.includes(namespace) || reported.has(k)) continue;
            reported.add(k);
            const missing = [quotas.has(k) ? undefined : "ResourceQuota", limitRanges.has(k) ? undefined : "LimitRange"].filter(
                (m): m is string => m !== undefined,
            );
            if (missing.length > 0) {
                const name = objectName(kubeInputs(deployment), deployment.name);
                report(`namespace "${namespace}" runs Deployment ${name} but has no ${missing.join(" and no ")}.`, deployment.urn);
            }
        }
    },
};

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

const nodePoolDefaults = { maxNodesPerPool: 16 };

const nodePoolMaxSize: GuardPolicy = {
    name: "node-pool-max-size",
    description: "Node pools cannot grow beyond the configured number of nodes.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxNodesPerPool: setting.integer(
                "Most nodes one pool may scale to (GKE: across its zones).",
                nodePoolDefaults.maxNodesPerPool,
                1,
            ),
        },
    },
    validateResource: forTypes([NODE_GROUP, NODE_POOL], (raw, args, report) => {
        const { maxNodesPerPool } = settingsOf(args, nodePoolDefaults);
        if (args.type === NODE_GROUP) {
            const maxSize = count(get(inputsOf<NodeGroupArgs>(raw), "scalingConfig", "maxSize"));
            if (maxSize === undefined) {
                report(`node group ${args.name} sets no scalingConfig.maxSize.`);
            } else if (maxSize > maxNodesPerPool) {
                report(`node group ${args.name} may scale to ${maxSize} nodes; the cap is ${maxNodesPerPool}.`);
            }
            return;
        }
        // GKE counts per zone unless `total*` is used; a pool spans its nodeLocations.
        const pool = inputsOf<NodePoolArgs>(raw);
        const zones = Math.max(1, strings(pool.nodeLocations).length);
        const autoscaling = pool.autoscaling;
        const total = count(get(autoscaling, "totalMaxNodeCount"));
        const perZone = isRecord(autoscaling) ? count(autoscaling.maxNodeCount) : (count(pool.nodeCount) ?? count(pool.initialNodeCount));
        const largest = total ?? (perZone === undefined ? undefined : perZone * zones);
        if (largest === undefined) {
            report(`node pool ${args.name} sets no autoscaling.maxNodeCount, totalMaxNodeCount or nodeCount.`);
        } else if (largest > maxNodesPerPool) {
            const how = total !== undefined ? "totalMaxNodeCount" : `${perZone} per zone x ${zones} zone(s)`;
            report(`node pool ${args.name} may scale to ${largest} nodes (${how}); the cap is ${maxNodesPerPool}.`);
        }
    }),
};

const instanceDefaults = {
    allowedAwsInstanceTypes: ["g5.*", "g6.*", "g6e.*", "p4d.*", "p5.*", "m6i.*", "m7i.*"],
    allowedGcpMachineTypes: ["g2-standard-*", "a2-*", "a3-*", "n1-standard-*", "n2-standard-*", "e2-standard-*"],
};

const nodePoolInstanceTypes: GuardPolicy = {
    name: "node-pool-instance-types",
    description: "Node pools use only the allowed GPU and system instance / machine types.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedAwsInstanceTypes: setting.strings(
                "EC2 instance types (`*` wildcard) node groups may use.",
                instanceDefaults.allowedAwsInstanceTypes,
            ),
            allowedGcpMachineTypes: setting.strings(
                "GCE machine types (`*` wildcard) node pools may use.",
                instanceDefaults.allowedGcpMachineTypes,
            ),
        },
    },
    validateResource: forTypes([NODE_GROUP, NODE_POOL, LAUNCH_TEMPLATE], (raw, args, report) => {
        const { allowedAwsInstanceTypes, allowedGcpMachineTypes } = settingsOf(args, instanceDefaults);
        const check = (kind: string, machineType: string, allowed: readonly string[]) => {
            if (!matchesAny(allowed, machineType)) {
                report(`${kind} ${args.name} uses ${machineType}, which is not allowed (allowed: ${allowed.join(", ")}).`);
            }
        };
        if (args.type === LAUNCH_TEMPLATE) {
            const instanceType = text(inputsOf<LaunchTemplateArgs>(raw).instanceType);
            if (instanceType !== undefined) check("launch template", instanceType, allowedAwsInstanceTypes);
            return;
        }
        if (args.type === NODE_GROUP) {
            const group = inputsOf<NodeGroupArgs>(raw);
            const types = strings(group.instanceTypes);
            if (types.length === 0 && !isSet(group, "launchTemplate")) {
                report(`node group ${args.name} sets no instanceTypes; EKS would pick t3.medium.`);
            }
            for (const t of types) check("node group", t, allowedAwsInstanceTypes);
            return;
        }
        const machineType = text(get(inputsOf<NodePoolArgs>(raw), "nodeConfig", "machineType"));
        if (machineType === undefined) {
            report(`node pool ${args.name} sets no nodeConfig.machineType; GKE would pick e2-medium.`);
        } else {
            check("node pool", machineType, allowedGcpMachineTypes);
        }
    }),
};

export const limitPolicies: GuardPolicy[] = [
    containerResources,
    gpuLimitEqualsRequest,
    gpuMaxPerPod,
    namespaceQuotaAndLimitRange,
    nodePoolMaxSize,
    nodePoolInstanceTypes,
];
