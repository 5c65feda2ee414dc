import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../config";
import { gcpGpuMachines, gcpRegionZones } from "../../config/catalog";
import { ConfigError } from "../../config/errors";
import { POOL_LABEL, SYSTEM_POOL } from "../k8s/nodeLabels";
import { ADAPTER_NAMESPACE, STACKDRIVER_ADAPTER_NAME } from "../k8s/render/metricsAdapter";
import { decommissionMarker } from "../lifecycle";
import { physicalRegionName } from "../renames";
import type { RegionCluster } from "../types";
import { ProjectApis } from "./apis";
import { GkeCluster } from "./cluster";
import { MetricsAdapterIdentity } from "./metricsAdapterIdentity";
import { GpuNodePool } from "./gpuNodePool";
import { gkeKubeconfig } from "./kubeconfig";
import { COMPUTE_NAME_MAX, gcpName, GKE_NAME_MAX, SERVICE_ACCOUNT_ID_MAX } from "./names";
import { GcpNetwork } from "./network";
import { gcpRegionProblems, type GcpRegionConfig } from "./validate";

export type { GcpRegionConfig } from "./validate";

/** Zones of the system pool (and default zones of GPU pools): GKE's own default of three. */
const DEFAULT_ZONE_COUNT = 3;

export interface GcpRegionArgs {
    /** The region entry from config (`cloud: gcp`). */
    region: GcpRegionConfig;
    /** The whole fleet config: stack name for resource names, `protect`. */
    config: FleetConfig;
    /** Provider for `region.project` (one per project, made in index.ts); default: the program's default GCP provider. */
    provider?: gcp.Provider;
    /**
     * The project's API services, when the caller made them (one ProjectApis per project).
     * Default: the first GCP region of `region.project` in `config.regions` enables them and
     * any later region of that project enables none.
     */
    apis?: ProjectApis;
}

/**
 * One GCP region of the fleet: network with Cloud NAT, a private regional GKE cluster, its
 * CPU system pool and GPU pools, and the Kubernetes provider the serving stack deploys
 * through. Nothing here depends on another region.
 */
export class GcpRegion extends pulumi.ComponentResource {
    public readonly cluster: RegionCluster;
    public readonly network: GcpNetwork;
    public readonly gke: GkeCluster;
    public readonly gpuPools: GpuNodePool[];
    public readonly provider: k8s.Provider;
    /** The project's API services the network and cluster wait for; absent in a later region of a project without `args.apis`. */
    public readonly apis?: ProjectApis;

    constructor(name: string, args: GcpRegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:Region", name, {}, opts);

        const { region, config } = args;
        const index = config.regions.findIndex((r) => r.name === region.name);
        const at = `regions[${index >= 0 ? index : region.name}]`;
        const problems = gcpRegionProblems(region, at);
        if (problems.length > 0) throw new ConfigError(problems);

        // Cloud-side names keep the region's former name after a rename (components/renames.ts).
        const physical = physicalRegionName(region);
        const baseName = gcpName([config.project, config.stack, physical], 50);
        const systemZones = gcpRegionZones[region.region].slice(0, DEFAULT_ZONE_COUNT);
        const resourceLabels = {
            "modelfleet-stack": gcpName([config.stack], COMPUTE_NAME_MAX),
            "modelfleet-region": region.name,
            ...decommissionMarker(region),
        };

        // One resource per service and project: the first GCP region of the project owns them,
        // so a second region in the same project never manages the same services again.
        const owner = config.regions.find((r) => r.cloud === "gcp" && r.project === region.project);
        this.apis =
            args.apis ??
            (owner === undefined || owner.name === region.name
                ? new ProjectApis(`${name}-apis`, { project: region.project, provider: args.provider }, { parent: this })
                : undefined);
        const apiServices = this.apis?.services ?? [];

        this.network = new GcpNetwork(
            `${name}-network`,
            {
                project: region.project,
                region: region.region,
                baseName,
                nodeCidr: region.networkCidr,
                podsCidr: region.podsCidr,
                servicesCidr: region.servicesCidr,
                dependsOn: apiServices,
                provider: args.provider,
            },
            { parent: this },
        );

        const nodeServiceAccountId = gcpName([config.stack, physical, "nodes"], SERVICE_ACCOUNT_ID_MAX);
        this.gke = new GkeCluster(
            `${name}-cluster`,
            {
                project: region.project,
                region: region.region,
                clusterName: gcpName([config.project, config.stack, physical], GKE_NAME_MAX),
                zones: systemZones,
                releaseChannel: region.releaseChannel,
                masterCidr: region.masterCidr,
                masterAuthorizedNetworks: region.masterAuthorizedNetworks,
                network: this.network.network.selfLink,
                subnetwork: this.network.subnetwork.selfLink,
                podsRangeName: this.network.podsRangeName,
                servicesRangeName: this.network.servicesRangeName,
                systemPool: region.systemPool,
                nodeServiceAccountId,
                protect: region.protect,
                resourceLabels,
                dependsOn: apiServices,
                provider: args.provider,
            },
            { parent: this },
        );

        this.gpuPools = region.gpuPools.map((pool) => {
            const shape = region.poolShapes[pool.name];
            return new GpuNodePool(
                `${name}-gpu-${pool.name}`,
                {
                    project: region.project,
                    location: region.region,
                    cluster: this.gke.cluster.name,
                    poolName: pool.name,
                    machineType: pool.machineType,
                    acceleratorType: gcpGpuMachines[pool.machineType].acceleratorType,
                    gpusPerNode: shape.gpusPerNode,
                    gpuModel: shape.gpuModel,
                    minNodes: pool.minNodes,
                    maxNodes: pool.maxNodes,
                    capacity: pool.capacity,
                    diskSizeGb: pool.diskSizeGb,
                    zones: pool.zones ?? systemZones,
                    serviceAccountEmail: this.gke.nodeServiceAccount.email,
                    serviceAccountId: nodeServiceAccountId,
                    resourceLabels,
                    // After the system pool: kube-system pods need CPU nodes to land on, and GKE
                    // adds its own GPU taint only to pools that join a cluster with a CPU pool.
                    dependsOn: [this.gke.systemPool, ...this.gke.nodeRoles],
                    provider: args.provider,
                },
                { parent: this },
            );
        });

        const kubeconfig = pulumi
            .all([this.gke.cluster.endpoint, this.gke.cluster.masterAuth])
            .apply(([endpoint, auth]) =>
                gkeKubeconfig({ contextName: `gke-${baseName}`, endpoint, clusterCaCertificate: auth.clusterCaCertificate ?? "" }),
            );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, { parent: this });

        const adapterIdentity = new MetricsAdapterIdentity(
            `${name}-metrics-adapter`,
            {
                project: region.project,
                accountId: gcpName([config.stack, physical, "metrics"], SERVICE_ACCOUNT_ID_MAX),
                workloadPool: this.gke.workloadPool,
                namespace: ADAPTER_NAMESPACE,
                serviceAccount: STACKDRIVER_ADAPTER_NAME,
                provider: args.provider,
                dependsOn: apiServices,
            },
            { parent: this },
        );

        const zones = [...new Set([...systemZones, ...region.gpuPools.flatMap((p) => p.zones ?? systemZones)])].sort();
        this.cluster = {
            regionName: region.name,
            cloud: "gcp",
            location: region.region,
            clusterName: this.gke.cluster.name,
            endpoint: this.gke.cluster.endpoint.apply((e) => `https://${e}`),
            provider: this.provider,
            gpuPools: Object.fromEntries(this.gpuPools.map((p) => [p.placement.name, p.placement])),
            systemNodeSelector: { [POOL_LABEL]: SYSTEM_POOL },
            zones: pulumi.output(zones),
            workloadIdentity: { kind: "gke-workload-identity", project: region.project, workloadPool: this.gke.workloadPool },
            ingress: { kind: "gce", className: "gce" },
            // The cluster enables managed collection; its collectors run in gmp-system.
            monitoring: {
                kind: "gke-managed-prometheus",
                scraperNamespaces: ["gmp-system"],
                metricsAdapterAnnotations: { "iam.gke.io/gcp-service-account": adapterIdentity.email },
            },
            // Workloads need nodes to run on and Cloud NAT to pull images from outside Google;
            // the HPAs' metrics adapter needs its grants.
            readyResources: [
                this.gke.systemPool,
                ...this.gpuPools.map((p) => p.nodePool),
                this.network.nat,
                ...adapterIdentity.readyResources,
            ],
        };

        this.registerOutputs({
            clusterName: this.cluster.clusterName,
            endpoint: this.cluster.endpoint,
            cluster: this.cluster,
            network: this.network,
            gke: this.gke,
            gpuPools: this.gpuPools,
            provider: this.provider,
            apis: this.apis,
        });
    }
}
