import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { catalog, type AwsRegionSettings, type GpuPoolShape } from "../../config";
import { GPU_TAINT, GPU_TOLERATION, gpuPoolLabels, POOL_LABEL } from "../k8s/nodeLabels";
import type { GpuPoolPlacement } from "../types";
import { nodeLaunchTemplate } from "./launchTemplate";
import { autoscalerDiscoveryTags, gpuNodeLabels, nodeTemplateTags } from "./nodeLabels";

export type AwsGpuPoolSettings = AwsRegionSettings["gpuPools"][number];

/** The EKS API spells taint effects in upper snake case. */
const EKS_TAINT_EFFECT: Record<typeof GPU_TAINT.effect, string> = { NoSchedule: "NO_SCHEDULE" };

export interface GpuNodePoolArgs {
    /** AWS region, set on every regional resource. */
    region: string;
    /** The cluster's name as the cluster resource outputs it (orders the group after the cluster). */
    clusterName: pulumi.Input<string>;
    /** Kubernetes version the nodes run; the cluster's, so upgrades roll the pool. */
    kubernetesVersion: pulumi.Input<string>;
    /** Node IAM role (EKS creates its access entry for managed node groups). */
    nodeRoleArn: pulumi.Input<string>;
    /** Private subnets, one per zone; the pool uses those whose zone offers every one of its instance types. */
    subnetIds: pulumi.Input<string>[];
    /** The zone of each subnet, index i for subnetIds[i] (as the subnets report it). */
    subnetZones: pulumi.Input<string>[];
    /** The pool as configured (instance types, sizes, capacity, disk). */
    pool: AwsGpuPoolSettings;
    /** GPU facts of the pool's instance types (from config validation). */
    shape: GpuPoolShape;
    /** What the group must wait for (networking add-ons, node-role grants, egress). */
    dependsOn?: pulumi.Resource[];
    /** The AWS provider every region shares; default the ambient one. */
    provider?: aws.Provider;
}

/**
 * A managed node group of GPU instances on the NVIDIA AL2023 AMI, tainted so only GPU pods
 * land there, labelled for placement, and tagged so the cluster-autoscaler can scale it,
 * from zero too.
 */
export class GpuNodePool extends pulumi.ComponentResource {
    public readonly nodeGroup: aws.eks.NodeGroup;
    /** Where this pool's pods must go. */
    public readonly placement: GpuPoolPlacement;
    /** Name of the auto-scaling group EKS made for the pool. */
    public readonly autoScalingGroupName: pulumi.Output<string>;
    /** The subnets the pool launches in: those whose zone offers all of its instance types. */
    public readonly subnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:GpuNodePool", name, {}, opts);
        validate(name, args);
        const { region, provider, pool, shape } = args;
        const childOpts = { parent: this, provider };

        const labels = gpuNodeLabels(pool.name, shape.gpuModel);
        const templateTags = nodeTemplateTags(labels, shape.gpusPerNode);
        const instanceTags = gpuPoolLabels(pool.name, shape.gpuModel);
        const launchTemplate = nodeLaunchTemplate(
            `${name}-launch-template`,
            { region, diskSizeGb: pool.diskSizeGb, tags: instanceTags },
            childOpts,
        );

        // GPU instance types are offered in only some zones of a region; EKS refuses a node group
        // whose subnets include a zone without them. The zone check needs no subnet id, so it
        // fails a preview even before the subnets exist.
        const offerings = aws.ec2.getInstanceTypeOfferingsOutput(
            { region, locationType: "availability-zone", filters: [{ name: "instance-type", values: pool.instanceTypes }] },
            childOpts,
        );
        const usable = pulumi.all([offerings, pulumi.all(args.subnetZones)]).apply(([offered, zones]) => {
            const indexes = offeringSubnetIndexes(pool.instanceTypes, offered, zones);
            if (indexes.length === 0) throw new Error(noOfferingMessage(name, region, pool.instanceTypes, offered, zones));
            return indexes;
        });
        this.subnetIds = pulumi.all([usable, pulumi.all(args.subnetIds)]).apply(([indexes, ids]) => indexes.map((i) => ids[i]));

        this.nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodes`,
            {
                region,
                clusterName: args.clusterName,
                version: args.kubernetesVersion,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: this.subnetIds,
                amiType: "AL2023_x86_64_NVIDIA",
                capacityType: pool.capacity === "spot" ? "SPOT" : "ON_DEMAND",
                instanceTypes: pool.instanceTypes,
                scalingConfig: { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: pool.desiredNodes ?? pool.minNodes },
                // A launch template rather than diskSize: encrypted gp3 root and IMDSv2 hop limit 1.
                launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                labels,
                taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: EKS_TAINT_EFFECT[GPU_TAINT.effect] }],
                // One node at a time: a GPU node holds model replicas that take minutes to load.
                updateConfig: { maxUnavailable: 1 },
                tags: pulumi
                    .output(args.clusterName)
                    .apply((cluster) => ({ ...instanceTags, ...autoscalerDiscoveryTags(cluster), ...templateTags })),
            },
            // The cluster-autoscaler owns the size once the group exists. EKS cannot change a node
            // group's subnets (a change replaces the group and its nodes), and the subnets come
            // from where EC2 offers the instance types today: a zone that starts offering them
            // later must not replace a serving pool, so the subnets stay as they were made.
            { ...childOpts, dependsOn: args.dependsOn, ignoreChanges: ["scalingConfig.desiredSize", "subnetIds"] },
        );

        this.autoScalingGroupName = this.nodeGroup.resources.apply((resources) => {
            const asg = resources?.[0]?.autoscalingGroups?.[0]?.name;
            if (!asg) throw new Error(`node group ${name} reports no auto-scaling group`);
            return asg;
        });
        // EKS tags the group's ASG with the discovery tags itself but does not copy node-group
        // tags to it; the autoscaler reads node templates from the ASG, so they are set there.
        for (const [key, value] of Object.entries(templateTags)) {
            const slug = key.replace("k8s.io/cluster-autoscaler/node-template/", "").replace(/[^a-zA-Z0-9]+/g, "-");
            new aws.autoscaling.Tag(
                `${name}-${slug}`,
                { region, autoscalingGroupName: this.autoScalingGroupName, tag: { key, value, propagateAtLaunch: false } },
                childOpts,
            );
        }

        this.placement = {
            name: pool.name,
            nodeSelector: { [POOL_LABEL]: pool.name },
            tolerations: [GPU_TOLERATION],
            gpusPerNode: shape.gpusPerNode,
            gpuModel: shape.gpuModel,
        };
        this.registerOutputs({
            nodeGroupArn: this.nodeGroup.arn,
            autoScalingGroupName: this.autoScalingGroupName,
            subnetIds: this.subnetIds,
            nodeGroup: this.nodeGroup,
            placement: this.placement,
        });
    }
}

/** What EC2 offers where: parallel lists, one entry per (instance type, zone) pair. */
export interface InstanceTypeOfferings {
    instanceTypes: string[];
    locations: string[];
}

/** Indexes of the zones (and so of their subnets) where every one of the instance types is offered. */
export function offeringSubnetIndexes(instanceTypes: string[], offered: InstanceTypeOfferings, subnetZones: string[]): number[] {
    const pairs = new Set(offered.instanceTypes.map((type, i) => `${type}@${offered.locations[i]}`));
    return subnetZones.flatMap((zone, i) => (instanceTypes.every((type) => pairs.has(`${type}@${zone}`)) ? [i] : []));
}

/** The error a pool fails with when none of its subnets' zones offers every one of its types. */
export function noOfferingMessage(
    name: string,
    region: string,
    instanceTypes: string[],
    offered: InstanceTypeOfferings,
    zones: string[],
): string {
    const where = instanceTypes.map((type) => {
        const at = offered.locations.filter((_, i) => offered.instanceTypes[i] === type).sort();
        return `${type}: ${at.length > 0 ? at.join(", ") : "nowhere"}`;
    });
    return (
        `GpuNodePool ${name}: no zone of the cluster (${zones.join(", ")}) offers all of ${instanceTypes.join(", ")} in ${region} ` +
        `(EC2 offers ${where.join("; ")}); choose instance types offered in one of the cluster's zones, or a region that has them`
    );
}

function validate(name: string, args: GpuNodePoolArgs): void {
    const { pool, shape } = args;
    const problems: string[] = [];
    if (pool.instanceTypes.length === 0) problems.push("pool.instanceTypes must list at least one instance type");
    pool.instanceTypes.forEach((type) => {
        const known = catalog.awsGpuInstances[type];
        // Unknown instance types are config validation's; here only what must agree with `shape`.
        if (known && known.gpus !== shape.gpusPerNode)
            problems.push(`pool.instanceTypes: '${type}' has ${known.gpus} GPU(s), the pool's nodes have ${shape.gpusPerNode}`);
    });
    if (pool.diskSizeGb < 50)
        problems.push(`pool.diskSizeGb must be at least 50 (GiB) for the NVIDIA AMI and model images, got ${pool.diskSizeGb}`);
    if (args.subnetIds.length === 0) problems.push("subnetIds must list at least one subnet");
    if (args.subnetZones.length !== args.subnetIds.length)
        problems.push(`subnetZones has ${args.subnetZones.length} entries for ${args.subnetIds.length} subnets; give each subnet's zone`);
    if (problems.length > 0) throw new Error(`GpuNodePool ${name}: ${problems.join("; ")}`);
}
