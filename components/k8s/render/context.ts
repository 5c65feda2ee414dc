import type * as pulumi from "@pulumi/pulumi";
import { primaryTrack, trackWeights, type FleetConfig, type ModelSettings, type RegionConfig } from "../../../config";
import { subnetLayout } from "../../aws/cidr";
import type { ClusterMonitoring, GpuPoolPlacement, IngressFlavour, ModelStoreAccess, RegionCluster, WorkloadIdentity } from "../../types";
import { gatewayBackendEnv, type GatewayBackend } from "./gatewayConfig";
import { TRACKS, type Track } from "./names";

/** Everything the renderers need, resolved once from the component's arguments. */
export interface ServingContext {
    namespace: string;
    regionName: string;
    /** The models this region serves, in config order. */
    models: ModelSettings[];
    serving: FleetConfig["serving"];
    /** The track taking the larger share of traffic (activeColor on a tie); the stable Service selects it. */
    activeTrack: Track;
    /** Share of requests (%) per track; sums to 100. */
    weights: Record<Track, number>;
    trackImages: Record<Track, string>;
    gatewayImage: string;
    /** The init container's image: the S3 or GCS client, by model-store kind. */
    syncImage: string;
    /** The GPU pool TorchServe runs on. */
    placement: GpuPoolPlacement;
    systemNodeSelector: Record<string, string>;
    modelStore: { kind: ModelStoreAccess["kind"]; uri: pulumi.Input<string>; bucketRegion: string; staticCredentials: boolean };
    identity: WorkloadIdentity["kind"];
    ingress: IngressFlavour;
    /** Gateway backends configured in secret config (names only). */
    backends: GatewayBackend[];
    monitoring: MonitoringSettings;
    /** The VPC CIDR the load balancer's nodes live in (AWS regions), for the ingress NetworkPolicy. */
    vpcCidr?: string;
    /**
     * The public subnets the internet-facing ALB places its nodes in (AWS regions): the only
     * sources the ingress NetworkPolicy admits, rather than the whole VPC.
     */
    loadBalancerCidrs?: string[];
}

export interface MonitoringSettings {
    /** The CRDs scrape targets and rules are written as, by what the cluster runs. */
    kind: ClusterMonitoring["kind"];
    /** Namespaces whose pods may scrape the metrics ports. */
    scraperNamespaces: string[];
    /** Extra labels on the monitoring objects, for the Prometheus Operator's selectors. */
    labels: Record<string, string>;
}

/** What a caller may add to the cluster's monitoring. */
export interface MonitoringOptions {
    /** One more namespace whose pods may scrape the metrics ports, besides the cluster's scraper namespaces; default none. */
    namespace?: string;
    /** Extra labels on ServiceMonitors and PrometheusRules (kube-prometheus-stack: `release: <name>`); default none. */
    labels?: Record<string, string>;
}

/**
 * Resolves the context. Call only after the arguments have passed `servingArgProblems`:
 * it assumes the serving pool and the region's models exist.
 */
export function buildContext(
    config: FleetConfig,
    region: RegionConfig,
    cluster: Pick<RegionCluster, "gpuPools" | "systemNodeSelector" | "workloadIdentity" | "ingress" | "monitoring">,
    modelStore: Pick<ModelStoreAccess, "kind" | "bucketRegion" | "staticCredentials"> & { uri: pulumi.Input<string> },
    monitoring: MonitoringOptions = {},
): ServingContext {
    const trackImages = Object.fromEntries(
        TRACKS.map((t) => [t, config.serving.tracks[t].torchserveImage ?? config.images.torchserve]),
    ) as Record<Track, string>;
    return {
        namespace: config.serving.namespace,
        regionName: region.name,
        models: config.models.filter((m) => region.modelNames.includes(m.name)),
        serving: config.serving,
        activeTrack: primaryTrack(config.serving),
        weights: trackWeights(config.serving),
        trackImages,
        gatewayImage: config.images.gateway,
        syncImage: modelStore.kind === "s3" ? config.images.modelSyncS3 : config.images.modelSyncGcs,
        placement: cluster.gpuPools[region.servingPool],
        systemNodeSelector: cluster.systemNodeSelector,
        modelStore: {
            kind: modelStore.kind,
            uri: modelStore.uri,
            bucketRegion: modelStore.bucketRegion,
            staticCredentials: modelStore.staticCredentials !== undefined,
        },
        identity: cluster.workloadIdentity.kind,
        ingress: cluster.ingress,
        backends: (Object.keys(gatewayBackendEnv) as GatewayBackend[]).filter((b) => config.secrets.gatewayBackends[b] !== undefined),
        monitoring: {
            kind: cluster.monitoring.kind,
            scraperNamespaces: [
                ...new Set([...cluster.monitoring.scraperNamespaces, ...(monitoring.namespace ? [monitoring.namespace] : [])]),
            ],
            labels: monitoring.labels ?? {},
        },
        vpcCidr: "vpcCidr" in region ? region.vpcCidr : undefined,
        loadBalancerCidrs: region.cloud === "aws" ? subnetLayout(region.vpcCidr, region.azCount).publicCidrs : undefined,
    };
}
