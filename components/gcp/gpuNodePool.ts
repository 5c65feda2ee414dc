import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GPU_TOLERATION, gpuPoolLabels, POOL_LABEL } from "../k8s/nodeLabels";
import type { GpuPoolPlacement } from "../types";
import { nodePoolName } from "./names";
import { GKE_GPU_TAINT, hardenedNodeConfig } from "./nodeLabels";

export interface GpuNodePoolArgs {
    /** GCP project of the cluster; set on the pool rather than left to the provider. */
    project: string;
    /** Region of the (regional) cluster, e.g. us-central1. */
    location: string;
    /** Name of the cluster the pool joins. */
    cluster: pulumi.Input<string>;
    /** Pool name from config; node label `modelfleet.io/pool` and part of the GKE pool name. */
    poolName: string;
    /** Compute Engine machine type, e.g. g2-standard-8. */
    machineType: string;
    /** `guestAccelerators[].type`, e.g. nvidia-l4. */
    acceleratorType: string;
    /** GPUs per node; must be a count the machine type takes. */
    gpusPerNode: number;
    /** Accelerator model for the `modelfleet.io/accelerator` label, e.g. nvidia-l4. */
    gpuModel: string;
    /** Fewest nodes across all zones (0 lets an idle pool cost nothing). */
    minNodes: number;
    /** Most nodes across all zones. */
    maxNodes: number;
    /** Spot VMs (up to ~70% cheaper, preemptible) or on-demand. */
    capacity: "on-demand" | "spot";
    /** Boot disk, GiB; holds the multi-GiB serving images and model files. */
    diskSizeGb: number;
    /** Zones the pool's nodes may run in; each must offer the accelerator. */
    zones: string[];
    /** Email of the node service account. */
    serviceAccountEmail: pulumi.Input<string>;
    /** Account id of that service account (a changed account means a new pool). */
    serviceAccountId: string;
    /** GCP labels on the nodes (cost attribution). Default none. */
    resourceLabels?: Record<string, string>;
    /** Resources the pool must wait for (the system pool, the node account's roles). Default none. */
    dependsOn?: pulumi.Resource[];
    /** Provider for `project`; default: the program's default GCP provider. */
    provider?: gcp.Provider;
}

/**
 * A GKE node pool of GPU machines that GKE equips end to end: it installs the NVIDIA driver
 * (gpuDriverInstallationConfig) and runs its own device plugin DaemonSet on every GPU node,
 * so unlike EKS and edge clusters no device plugin is deployed here. The pool is tainted so
 * only pods that tolerate the GPU taint land on it, and scales between minNodes and maxNodes
 * with GKE's cluster autoscaler.
 */
export class GpuNodePool extends pulumi.ComponentResource {
    public readonly nodePool: gcp.container.NodePool;
    /** Where this pool's pods must go. */
    public readonly placement: GpuPoolPlacement;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:GpuNodePool", name, {}, opts);

        const problems: string[] = [];
        if (!Number.isInteger(args.gpusPerNode) || args.gpusPerNode < 1)
            problems.push(`gpusPerNode must be a positive integer, got ${args.gpusPerNode}`);
        if (args.zones.length === 0) problems.push("zones must list at least one zone");
        if (problems.length > 0) throw new Error(`GpuNodePool ${name}: ${problems.join("; ")}`);

        const spot = args.capacity === "spot";
        const nodeConfig = {
            ...hardenedNodeConfig(),
            machineType: args.machineType,
            guestAccelerators: [
                {
                    type: args.acceleratorType,
                    count: args.gpusPerNode,
                    // GKE installs the driver its node image was tested with; secure boot stays
                    // on because COS's GKE-installed drivers are signed.
                    gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" },
                },
            ],
            spot,
            diskSizeGb: args.diskSizeGb,
            // Scale-up time is image pull plus model load; SSD shortens both.
            diskType: "pd-ssd",
            gvnic: { enabled: true },
        };
        const labels = gpuPoolLabels(args.poolName, args.gpuModel);

        this.nodePool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                project: args.project,
                location: args.location,
                cluster: args.cluster,
                name: nodePoolName(`gpu-${args.poolName}`, { ...nodeConfig, serviceAccount: args.serviceAccountId }),
                nodeLocations: args.zones,
                initialNodeCount: Math.ceil(args.minNodes / args.zones.length),
                // Total limits, not per zone: minNodes and maxNodes mean the pool's size as on
                // AWS, and the autoscaler may put every node in the one zone that has GPUs left.
                // ANY picks whichever zone has capacity, which is also what keeps Spot VMs from
                // being preempted; on-demand pools balance across zones for availability.
                autoscaling: {
                    totalMinNodeCount: args.minNodes,
                    totalMaxNodeCount: args.maxNodes,
                    locationPolicy: spot ? "ANY" : "BALANCED",
                },
                management: { autoRepair: true, autoUpgrade: true },
                // One extra node at a time during upgrades, so serving capacity never drops
                // (needs quota for one more GPU node).
                upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
                nodeConfig: {
                    ...nodeConfig,
                    serviceAccount: args.serviceAccountEmail,
                    labels,
                    taints: [{ ...GKE_GPU_TAINT }],
                    resourceLabels: args.resourceLabels ?? {},
                },
            },
            // A component's own dependsOn does not order its children; the pool gets it directly.
            { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        );

        this.placement = {
            name: args.poolName,
            nodeSelector: { [POOL_LABEL]: args.poolName },
            // Operator Exists matches both the declared taint and the one GKE adds itself
            // (same key and effect), whatever value either carries.
            tolerations: [GPU_TOLERATION],
            gpusPerNode: args.gpusPerNode,
            gpuModel: args.gpuModel,
        };

        this.registerOutputs({ nodePool: this.nodePool, placement: this.placement });
    }
}
