import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { POOL_LABEL, SYSTEM_POOL } from "../k8s/nodeLabels";
import { nodePoolName } from "./names";
import { hardenedNodeConfig } from "./nodeLabels";

/**
 * The least privilege a GKE node needs: ship logs and metrics, and pull images from
 * Artifact Registry. Nothing else; workloads get their own identities through Workload
 * Identity.
 */
export const NODE_SERVICE_ACCOUNT_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
] as const;

/** Size and machine type of the CPU pool that runs system and gateway pods. */
export interface SystemPoolSettings {
    machineType: string;
    /** Fewest nodes across all zones. */
    minNodes: number;
    /** Most nodes across all zones. */
    maxNodes: number;
    /** Boot disk, GiB. */
    diskSizeGb: number;
}

export interface GkeClusterArgs {
    /** GCP project of the cluster; set on every resource rather than left to the provider. */
    project: string;
    /** Region of the regional cluster (control plane replicated across its zones), e.g. us-central1. */
    region: string;
    /** Physical cluster name, at most 40 characters. */
    clusterName: string;
    /** Zones of the system pool and the cluster's default node locations. */
    zones: string[];
    /** GKE release channel that picks and upgrades the Kubernetes version. */
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    /** The control plane's private /28, e.g. 172.16.0.0/28. */
    masterCidr: string;
    /** CIDRs allowed to reach the control plane's public endpoint; at least one. */
    masterAuthorizedNetworks: Array<{ name: string; cidr: string }>;
    /** Network the nodes live in (id or self link). */
    network: pulumi.Input<string>;
    /** Subnetwork the nodes live in (id or self link). */
    subnetwork: pulumi.Input<string>;
    /** Secondary range of the subnetwork for pods. */
    podsRangeName: string;
    /** Secondary range of the subnetwork for Services. */
    servicesRangeName: string;
    systemPool: SystemPoolSettings;
    /** Account id of the node service account, 6-30 characters. */
    nodeServiceAccountId: string;
    /** Deletion protection on the cluster and Pulumi's `protect`; true in prod. Default false. */
    protect?: boolean;
    /** GCP labels on the cluster and its nodes (cost attribution). Default none. */
    resourceLabels?: Record<string, string>;
    /** Resources the node account, its roles and the cluster wait for, e.g. the project's API services. Default none. */
    dependsOn?: pulumi.Resource[];
    /** Provider for `project`; default: the program's default GCP provider. */
    provider?: gcp.Provider;
}

/**
 * A regional, private, VPC-native GKE Standard cluster with Workload Identity, Dataplane V2
 * and shielded nodes; its default node pool removed in favour of a CPU system pool that
 * runs as a least-privilege service account.
 */
export class GkeCluster extends pulumi.ComponentResource {
    public readonly cluster: gcp.container.Cluster;
    public readonly nodeServiceAccount: gcp.serviceaccount.Account;
    /** The node service account's project roles, in NODE_SERVICE_ACCOUNT_ROLES order. */
    public readonly nodeRoles: gcp.projects.IAMMember[];
    public readonly systemPool: gcp.container.NodePool;
    /** `<project>.svc.id.goog`, known once the cluster exists. */
    public readonly workloadPool: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:GkeCluster", name, {}, opts);

        const problems: string[] = [];
        if (!/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/.test(args.clusterName))
            problems.push(`clusterName must be 1-40 lowercase letters, digits or '-', got '${args.clusterName}'`);
        if (!/^[a-z]([a-z0-9-]{4,28}[a-z0-9])$/.test(args.nodeServiceAccountId))
            problems.push(`nodeServiceAccountId must be 6-30 lowercase letters, digits or '-', got '${args.nodeServiceAccountId}'`);
        if (args.zones.length === 0) problems.push("zones must list at least one zone");
        if (args.masterAuthorizedNetworks.length === 0) problems.push("masterAuthorizedNetworks must list at least one CIDR");
        if (problems.length > 0) throw new Error(`GkeCluster ${name}: ${problems.join("; ")}`);

        const protect = args.protect ?? false;
        const labels = args.resourceLabels ?? {};
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };
        const prerequisites = args.dependsOn ?? [];
        const workloadPool = `${args.project}.svc.id.goog`;

        this.nodeServiceAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                project: args.project,
                accountId: args.nodeServiceAccountId,
                displayName: `GKE nodes of ${args.clusterName}`,
                description: "Runs the nodes of a modelfleet GKE cluster: logs, metrics and image pulls only.",
            },
            { ...childOpts, dependsOn: prerequisites },
        );
        this.nodeRoles = NODE_SERVICE_ACCOUNT_ROLES.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
                    { project: args.project, role, member: this.nodeServiceAccount.member },
                    { ...childOpts, dependsOn: prerequisites },
                ),
        );

        this.cluster = new gcp.container.Cluster(
            `${name}-gke`,
            {
                project: args.project,
                name: args.clusterName,
                description: "modelfleet GPU serving cluster",
                location: args.region,
                nodeLocations: args.zones,
                releaseChannel: { channel: args.releaseChannel },
                deletionProtection: protect,
                resourceLabels: labels,

                // Node pools are managed as their own resources; GKE insists on creating a
                // default pool with the cluster, which is removed right after.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                // That pool's node still boots: without these settings it would run as the Compute
                // Engine default service account with legacy scopes, and where an organisation
                // has disabled that account, creating the cluster fails.
                nodeConfig: {
                    ...hardenedNodeConfig(),
                    serviceAccount: this.nodeServiceAccount.email,
                    resourceLabels: labels,
                },

                network: args.network,
                subnetwork: args.subnetwork,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: {
                    clusterSecondaryRangeName: args.podsRangeName,
                    servicesSecondaryRangeName: args.servicesRangeName,
                },
                // Dataplane V2 (eBPF): NetworkPolicy enforcement built in, no kube-proxy.
                datapathProvider: "ADVANCED_DATAPATH",

                // Nodes have no public IPs (egress through Cloud NAT); the control plane keeps a
                // public endpoint, open only to the authorized networks, which is how `pulumi up`
                // reaches it to deploy workloads.
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: false,
                    masterIpv4CidrBlock: args.masterCidr,
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: args.masterAuthorizedNetworks.map((n) => ({ displayName: n.name, cidrBlock: n.cidr })),
                    gcpPublicCidrsAccessEnabled: false,
                },

                workloadIdentityConfig: { workloadPool },
                enableShieldedNodes: true,

                addonsConfig: {
                    // The GKE Ingress controller that serves the `gce` IngressClass.
                    httpLoadBalancing: { disabled: false },
                    horizontalPodAutoscaling: { disabled: false },
                    gcePersistentDiskCsiDriverConfig: { enabled: true },
                },
                gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
                // Idle GPU nodes are the fleet's biggest cost: remove them sooner than the
                // default profile would.
                clusterAutoscaling: { enabled: false, autoscalingProfile: "OPTIMIZE_UTILIZATION" },

                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] },
                monitoringConfig: {
                    // DCGM: GPU utilisation and memory per node and pod, collected by Managed
                    // Prometheus from the GKE-installed driver. POD, DEPLOYMENT and HPA are the
                    // kube-state-metrics packages the serving alerts read (restarts,
                    // availability, HPA at its maximum).
                    enableComponents: ["SYSTEM_COMPONENTS", "DCGM", "POD", "DEPLOYMENT", "HPA"],
                    managedPrometheus: { enabled: true },
                },
            },
            {
                ...childOpts,
                protect,
                // The default pool's node must be able to write logs and pull images when it boots.
                dependsOn: [...prerequisites, ...this.nodeRoles],
                // nodeConfig only shapes the default pool at creation. Once that pool is gone the
                // provider reads back settings that no longer match, and a nodeConfig diff
                // replaces the whole cluster.
                ignoreChanges: ["nodeConfig"],
            },
        );

        const systemNodeConfig = {
            ...hardenedNodeConfig(),
            machineType: args.systemPool.machineType,
            diskSizeGb: args.systemPool.diskSizeGb,
            diskType: "pd-balanced",
        };
        this.systemPool = new gcp.container.NodePool(
            `${name}-system`,
            {
                project: args.project,
                location: args.region,
                cluster: this.cluster.name,
                name: nodePoolName(SYSTEM_POOL, { ...systemNodeConfig, serviceAccount: args.nodeServiceAccountId }),
                nodeLocations: args.zones,
                // Per zone: enough for minNodes from the start, so system pods have somewhere
                // to run before the autoscaler acts.
                initialNodeCount: Math.ceil(args.systemPool.minNodes / args.zones.length),
                // Totals across zones, so minNodes and maxNodes mean the same as on AWS.
                autoscaling: {
                    totalMinNodeCount: args.systemPool.minNodes,
                    totalMaxNodeCount: args.systemPool.maxNodes,
                    locationPolicy: "BALANCED",
                },
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
                nodeConfig: {
                    ...systemNodeConfig,
                    serviceAccount: this.nodeServiceAccount.email,
                    labels: { [POOL_LABEL]: SYSTEM_POOL },
                    resourceLabels: labels,
                },
            },
            // Nodes that boot before their account holds its roles cannot write logs or pull images.
            { ...childOpts, dependsOn: this.nodeRoles },
        );

        this.workloadPool = this.cluster.workloadIdentityConfig.apply((w) => w?.workloadPool ?? workloadPool);

        this.registerOutputs({
            cluster: this.cluster,
            nodeServiceAccount: this.nodeServiceAccount,
            systemPool: this.systemPool,
            workloadPool: this.workloadPool,
            nodeRoles: this.nodeRoles,
        });
    }
}
