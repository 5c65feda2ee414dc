import type * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, ModelSettings, RegionConfig } from "../../../config";
import type { GpuPoolPlacement, IngressFlavour, ModelStoreAccess, RegionCluster, WorkloadIdentity } from "../../types";
import { gatewayBackendEnv, type GatewayBackend } from "./gatewayConfig";
import { TRACKS, type Track } from "./names";

/** Everything the renderers need, resolved once from the component's arguments. */
export interface ServingContext {
    namespace: string;
    regionName: string;
    /** The models this region serves, in config order. */
    models: ModelSettings[];
    serving: FleetConfig["serving"];
    activeTrack: Track;
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
}

export interface MonitoringSettings {
    /** Namespace Prometheus runs in; its pods may scrape the metrics ports. */
    namespace: string;
    /** Extra labels on ServiceMonitors and PrometheusRules, for the operator's selectors. */
    labels: Record<string, string>;
}

export const DEFAULT_MONITORING: MonitoringSettings = { namespace: "monitoring", labels: {} };

/**
 * Resolves the context. Call only after the arguments have passed `servingArgProblems`:
 * it assumes the serving pool and the region's models exist.
 */
export function buildContext(
    config: FleetConfig,
    region: RegionConfig,
    cluster: Pick<RegionCluster, "gpuPools" | "systemNodeSelector" | "workloadIdentity" | "ingress">,
    modelStore: Pick<ModelStoreAccess, "kind" | "bucketRegion" | "staticCredentials"> & { uri: pulumi.Input<string> },
    monitoring: Partial<MonitoringSettings> = {},
): ServingContext {
    const trackImages = Object.fromEntries(
        TRACKS.map((t) => [t, config.serving.tracks[t].torchserveImage ?? config.images.torchserve]),
    ) as Record<Track, string>;
    return {
        namespace: config.serving.namespace,
        regionName: region.name,
        models: config.models.filter((m) => region.modelNames.includes(m.name)),
        serving: config.serving,
        activeTrack: config.serving.activeColor,
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
        monitoring: { ...DEFAULT_MONITORING, ...monitoring },
        vpcCidr: "vpcCidr" in region ? region.vpcCidr : undefined,
    };
}
