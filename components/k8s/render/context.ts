import * as pulumi from "@pulumi/pulumi";
import { primaryTrack, trackWeights, type FleetConfig, type ModelSettings, type RegionConfig } from "../../../config";
import { subnetLayout } from "../../aws/cidr";
import type { ClusterMonitoring, GpuPoolPlacement, IngressFlavour, ModelStoreAccess, RegionCluster, WorkloadIdentity } from "../../types";
import { LLM_IMAGE_NAME, type LlmImageSource } from "../../global/imageRegistry";
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
    /** Each track's TorchServe image as it names the pods' version label (a tag, or the LLM image's digest). */
    trackImages: Record<Track, string>;
    /** Each track's TorchServe image reference for the container: the stock image, or the LLM-track image by digest. */
    trackImageRefs: Record<Track, pulumi.Input<string>>;
    /** Whether the region runs the LLM-track image (it serves an OpenAI-compatible model, which needs vLLM). */
    llmTrack: boolean;
    /** Edge clusters running the LLM-track image: the registry pull secret's `.dockerconfigjson`. */
    imagePullSecret?: pulumi.Input<string>;
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

/** `<repository>@<digest>`, a plain string when the repository is one. */
function byDigest(repository: pulumi.Input<string>, digest: string): pulumi.Input<string> {
    return typeof repository === "string" ? `${repository}@${digest}` : pulumi.interpolate`${repository}@${digest}`;
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
    llmImage?: LlmImageSource,
): ServingContext {
    const models = config.models.filter((m) => region.modelNames.includes(m.name));
    const llmTrack = models.some((m) => m.openai);
    const stockImage = (t: Track) => config.serving.tracks[t].torchserveImage ?? config.images.torchserve;
    const llmDigest = (t: Track) => config.serving.tracks[t].torchserveLlmDigest ?? config.images.torchserveLlmDigest ?? "";
    const trackImages = Object.fromEntries(
        TRACKS.map((t) => [t, llmTrack ? `${LLM_IMAGE_NAME}@${llmDigest(t)}` : stockImage(t)]),
    ) as Record<Track, string>;
    const trackImageRefs = Object.fromEntries(
        TRACKS.map((t) => [t, llmTrack && llmImage ? byDigest(llmImage.repository, llmDigest(t)) : stockImage(t)]),
    ) as Record<Track, pulumi.Input<string>>;
    return {
        namespace: config.serving.namespace,
        regionName: region.name,
        models,
        serving: config.serving,
        activeTrack: primaryTrack(config.serving),
        weights: trackWeights(config.serving),
        trackImages,
        trackImageRefs,
        llmTrack,
        imagePullSecret: llmTrack ? llmImage?.pullSecret : undefined,
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
