import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../../config";
import { defaults } from "../../config/defaults";
import { NvidiaDevicePlugin } from "../k8s/devicePlugin";
import { MetricsServer } from "../k8s/metricsServer";
import { GPU_PRESENT_LABEL, POOL_LABEL, SYSTEM_POOL } from "../k8s/nodeLabels";
import { PrometheusOperatorCrds } from "../k8s/prometheusOperatorCrds";
import { decommissionMarker } from "../lifecycle";
import { physicalRegionName } from "../renames";
import type { GpuPoolPlacement, RegionCluster } from "../types";
import { EksCluster, KNOWN_ADDONS } from "./cluster";
import { ClusterAutoscaler } from "./clusterAutoscaler";
import { GpuNodePool } from "./gpuNodePool";
import { eksKubeconfig } from "./kubeconfig";
import { ALB_INGRESS_CLASS, AwsLoadBalancerController, controllerVersion } from "./loadBalancerController";
import { AwsNetwork } from "./network";
import { nodeBucketsOf } from "./s3EndpointPolicy";

export type AwsRegionConfig = Extract<RegionConfig, { cloud: "aws" }>;

/** The EKS cluster name of a region: unique per project, stack and region entry. */
export function awsClusterName(config: Pick<FleetConfig, "project" | "stack">, regionName: string): string {
    return `${config.project}-${config.stack}-${regionName}`;
}

export interface AwsRegionArgs {
    /** The region entry from config; must be `cloud: aws`. */
    region: RegionConfig;
    /** The whole fleet config: images, protect, project and stack names. */
    config: FleetConfig;
    /** The one AWS provider every AWS region shares (each resource sets its own `region`); default the ambient one. */
    provider?: aws.Provider;
}

/**
 * One AWS region of the fleet: VPC, EKS cluster with its system and GPU node pools, and the
 * in-cluster add-ons that make GPU pods schedule and scale (device plugin, cluster-autoscaler,
 * metrics-server for the HPAs) and Ingress work (AWS Load Balancer Controller). Nothing here
 * refers to another region, so regions deploy in parallel.
 */
export class AwsRegion extends pulumi.ComponentResource {
    public readonly cluster: RegionCluster;
    public readonly network: AwsNetwork;
    public readonly eks: EksCluster;
    public readonly gpuPools: GpuNodePool[];

    constructor(name: string, args: AwsRegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:Region", name, {}, opts);
        const region = checkedRegion(name, args);
        const { config, provider } = args;
        // Cloud-side names keep the region's former name after a rename (components/renames.ts).
        const clusterName = awsClusterName(config, physicalRegionName(region));

        this.network = new AwsNetwork(
            `${name}-network`,
            {
                region: region.region,
                vpcCidr: region.vpcCidr,
                azCount: region.azCount,
                natGatewayPerAz: region.natGatewayPerAz,
                clusterName,
                provider,
            },
            { parent: this },
        );

        this.eks = new EksCluster(
            `${name}-eks`,
            {
                region: region.region,
                clusterName,
                kubernetesVersion: region.kubernetesVersion,
                privateSubnetIds: this.network.privateSubnetIds,
                endpointPublicAccessCidrs: region.endpointPublicAccessCidrs,
                adminRoleArn: region.adminRoleArn,
                previewRoleArn: region.previewRoleArn,
                logTypes: [...defaults.aws.logTypes],
                nodeSsmAccess: region.nodeSsmAccess,
                addonVersions: { ...defaults.aws.addons, ...(region.addons ?? {}) },
                systemPool: region.systemPool,
                protect: region.protect,
                markers: decommissionMarker(region),
                egressReady: this.network.egressReady,
                provider,
            },
            { parent: this },
        );

        const kubeconfig = pulumi
            .all([this.eks.clusterName, this.eks.endpoint, this.eks.certificateAuthorityData])
            .apply(([cluster, endpoint, ca]) =>
                eksKubeconfig({
                    clusterName: cluster,
                    endpoint,
                    certificateAuthorityData: ca,
                    region: region.region,
                    // A preview runs as its own (read-only) identity, which may not assume the admin role.
                    roleArn: config.kubernetesIdentity === "admin" ? region.adminRoleArn : undefined,
                }),
            );
        // The program authenticates as the admin role, so nothing is applied before its grant exists.
        const k8sProvider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig, enableServerSideApply: true },
            { parent: this, dependsOn: [this.eks.adminAccess] },
        );

        this.gpuPools = region.gpuPools.map(
            (pool) =>
                new GpuNodePool(
                    `${name}-gpu-${pool.name}`,
                    {
                        region: region.region,
                        clusterName: this.eks.clusterName,
                        kubernetesVersion: this.eks.cluster.version,
                        nodeRoleArn: this.eks.nodeRole.arn,
                        subnetIds: this.network.privateSubnetIds,
                        subnetZones: this.network.privateSubnetZones,
                        pool,
                        shape: region.poolShapes[pool.name],
                        dependsOn: this.eks.computeReady,
                        provider,
                    },
                    { parent: this },
                ),
        );

        const systemNodeSelector = { [POOL_LABEL]: SYSTEM_POOL };
        // Every GPU pool labels its nodes nvidia.com/gpu.present=true; the plugin runs on those only.
        const devicePlugin = new NvidiaDevicePlugin(
            `${name}-device-plugin`,
            { image: config.images.devicePlugin, nodeSelectors: [{ [GPU_PRESENT_LABEL]: "true" }] },
            { parent: this, provider: k8sProvider },
        );
        const autoscaler = new ClusterAutoscaler(
            `${name}-autoscaler`,
            {
                region: region.region,
                clusterName: this.eks.clusterName,
                image: config.images.clusterAutoscaler,
                provider: k8sProvider,
                nodeSelector: systemNodeSelector,
                dependsOn: [this.eks.systemNodeGroup],
                awsProvider: provider,
            },
            { parent: this },
        );
        const loadBalancerController = new AwsLoadBalancerController(
            `${name}-lbc`,
            {
                region: region.region,
                clusterName: this.eks.clusterName,
                vpcId: this.network.vpcId,
                image: config.images.awsLoadBalancerController,
                provider: k8sProvider,
                nodeSelector: systemNodeSelector,
                certManager: this.eks.addons["cert-manager"],
                dependsOn: [this.eks.systemNodeGroup, this.eks.addons["coredns"]],
                awsProvider: provider,
            },
            { parent: this },
        );

        // EKS has no metrics API of its own; without it the serving stack's HPAs never scale.
        const metricsServer = new MetricsServer(
            `${name}-metrics-server`,
            {
                image: config.images.metricsServer,
                provider: k8sProvider,
                nodeSelector: systemNodeSelector,
                servingCertificate: "cert-manager",
                dependsOn: [this.eks.systemNodeGroup, this.eks.addons["cert-manager"]],
            },
            { parent: this },
        );

        // EKS has no Prometheus Operator: its CRDs let the serving stack's ServiceMonitors and
        // PrometheusRule apply before (or without) one.
        const monitoringCrds = config.serving.monitoring
            ? new PrometheusOperatorCrds(`${name}-monitoring-crds`, { provider: k8sProvider }, { parent: this })
            : undefined;

        const placements: Record<string, GpuPoolPlacement> = Object.fromEntries(this.gpuPools.map((p) => [p.placement.name, p.placement]));
        this.cluster = {
            regionName: region.name,
            cloud: "aws",
            location: region.region,
            clusterName: this.eks.clusterName,
            endpoint: this.eks.endpoint,
            provider: k8sProvider,
            gpuPools: placements,
            systemNodeSelector,
            zones: this.network.zones,
            workloadIdentity: { kind: "eks-pod-identity", clusterName: this.eks.clusterName },
            ingress: { kind: "alb", className: ALB_INGRESS_CLASS },
            monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
            s3GatewayEndpoint: {
                endpointId: this.network.s3Endpoint.id,
                nodeBuckets: nodeBucketsOf(region.region, region.nodeSsmAccess).map((b) => b.bucket),
            },
            readyResources: [
                this.eks.systemNodeGroup,
                ...this.gpuPools.map((p) => p.nodeGroup),
                ...Object.values(this.eks.addons),
                devicePlugin.daemonSet,
                autoscaler.deployment,
                ...loadBalancerController.readyResources,
                ...metricsServer.readyResources,
                ...(monitoringCrds?.readyResources ?? []),
            ],
        };
        this.registerOutputs({
            clusterName: this.cluster.clusterName,
            endpoint: this.cluster.endpoint,
            zones: this.cluster.zones,
            cluster: this.cluster,
            network: this.network,
            eks: this.eks,
            gpuPools: this.gpuPools,
        });
    }
}

/** The region as an AWS region, or one error naming every component-level problem. */
function checkedRegion(name: string, args: AwsRegionArgs): AwsRegionConfig {
    const region = args.region;
    if (region.cloud !== "aws") throw new Error(`AwsRegion ${name}: region ${region.name} is cloud '${region.cloud}', not aws`);
    const at = `regions[${region.name}]`;
    const problems: string[] = [];
    const clusterName = awsClusterName(args.config, physicalRegionName(region));
    if (clusterName.length > 100)
        problems.push(`the cluster name '${clusterName}' is longer than EKS's 100 characters; shorten the stack or region name`);
    Object.keys(region.addons ?? {}).forEach((addon) => {
        if (!KNOWN_ADDONS.includes(addon))
            problems.push(`${at}.addons.${addon} is not a managed add-on of this program (${KNOWN_ADDONS.join(", ")})`);
    });
    region.gpuPools.forEach((pool) => {
        if (!region.poolShapes[pool.name])
            problems.push(`${at}.gpuPools.${pool.name} has no known GPU instance type, so its GPU count is unknown`);
    });
    const images = args.config.images;
    if (!controllerVersion(images.awsLoadBalancerController)) {
        problems.push(
            `images.awsLoadBalancerController '${images.awsLoadBalancerController}' must carry a vX.Y.Z tag (its CRDs are installed for that release)`,
        );
    }
    // The autoscaler supports only the Kubernetes minor version it was built for.
    const autoscalerMinor = /:v?1\.(\d+)\.\d+/.exec(images.clusterAutoscaler)?.[1];
    const clusterMinor = region.kubernetesVersion.split(".")[1];
    if (autoscalerMinor !== undefined && autoscalerMinor !== clusterMinor) {
        problems.push(
            `images.clusterAutoscaler '${images.clusterAutoscaler}' is for Kubernetes 1.${autoscalerMinor} but ${at}.kubernetesVersion is ${region.kubernetesVersion}; use registry.k8s.io/autoscaling/cluster-autoscaler:v${region.kubernetesVersion}.<patch>`,
        );
    }
    if (problems.length > 0) throw new Error(`AwsRegion ${name}: ${problems.join("; ")}`);
    return region;
}
