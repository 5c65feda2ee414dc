import { z } from "zod";
import { limits, networkAddressIfHostBits } from "./bounds";
import { defaults } from "./defaults";
import { pricingSchema } from "./pricingSchema";

/**
 * The shape of the stack config, `modelfleet:*` keys. Unknown keys are rejected (a typo
 * must not silently fall back to a default). Cross-field rules live in `validate.ts`.
 */

/** Region and pool names become parts of cloud resource names; keep them short DNS labels. */
export const dnsLabel = z.string().regex(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, {
    message: "must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter",
});

/** Host bits are refused in every CIDR list alike: clouds either refuse them or silently widen the block. */
const cidr = z.cidrv4({ message: "must be an IPv4 CIDR block such as 10.20.0.0/16" }).superRefine((value, ctx) => {
    const network = networkAddressIfHostBits(value);
    if (network)
        ctx.addIssue({
            code: "custom",
            message: `'${value}' has host bits set; use the network address ${network}`,
            input: value,
            params: { fixValue: network },
        });
});

/** Let's Encrypt's production ACME directory, the default server of a program-made issuer. */
export const ACME_LETSENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

/** A list of at most `max` entries; the message says why the cap exists. */
function capped<T extends z.ZodType>(item: T, max: number, why: string) {
    return z.array(item).max(max, { message: `must have at most ${max} entries: ${why}` });
}

/** A DNS name without the trailing dot: the name is rendered into Ingress hosts and certificates, which refuse it. */
function dnsName(message: string) {
    return z
        .hostname({ message })
        .max(limits.objectName, { message: `must be at most ${limits.objectName} characters (a DNS name)` })
        .refine((v) => !v.endsWith("."), { message: "must not end with '.': Ingress hosts and certificates refuse a trailing dot" });
}

/** A short free-form text such as a display name or label: 1 to `max` characters. */
function shortText(max: number = limits.label) {
    return z
        .string()
        .min(1, { message: "must not be empty" })
        .max(max, { message: `must be at most ${max} characters` });
}

const count = z.int().min(0, { message: "must be 0 or more" });

/** An image reference pinned by tag or digest; `latest` and untagged images are refused. */
export const pinnedImage = z.string().refine(isPinnedImage, {
    message: "must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged",
});

/** A manifest digest, as the registry reports it after a push. */
export const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, {
    message: "must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)",
});

export function isPinnedImage(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
    const lastSegment = image.split("/").pop() ?? "";
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return false;
    const tag = lastSegment.slice(colon + 1);
    return tag.length > 0 && tag !== "latest";
}

const quantity = z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$/, { message: "must be a Kubernetes quantity such as 500m, 4, 16Gi" });

const capacity = z.enum(["on-demand", "spot"]);

const awsGpuPool = z.strictObject({
    /** Pool name, used in node labels and resource names. */
    name: dnsLabel,
    /** EC2 instance types; all must carry the same number of GPUs. */
    instanceTypes: capped(shortText(), limits.instanceTypes, "EKS turns them into Auto Scaling launch-template overrides (at most 40)").min(
        1,
        {
            message: "must list at least one instance type",
        },
    ),
    minNodes: count.default(defaults.gpuPool.minNodes),
    maxNodes: z
        .int()
        .min(1, { message: "must be 1 or more" })
        .max(limits.awsNodesPerPool, { message: `must be at most ${limits.awsNodesPerPool} (EKS nodes per managed node group)` })
        .default(defaults.gpuPool.maxNodes),
    /** Initial size; the cluster-autoscaler owns it after creation. Default: minNodes. */
    desiredNodes: count.optional(),
    capacity: capacity.default(defaults.gpuPool.capacity),
    diskSizeGb: z
        .int()
        .min(50, { message: "must be at least 50 (GiB) to hold the NVIDIA AMI and images" })
        .default(defaults.gpuPool.diskSizeGb),
});

const gcpGpuPool = z.strictObject({
    name: dnsLabel,
    machineType: shortText(),
    /** GPUs per node; default: the machine type's only allowed count (or 1 on N1). */
    acceleratorCount: z.int().min(1, { message: "must be 1 or more" }).optional(),
    minNodes: count.default(defaults.gpuPool.minNodes),
    maxNodes: z
        .int()
        .min(1, { message: "must be 1 or more" })
        .max(limits.gcpNodesPerPool, { message: `must be at most ${limits.gcpNodesPerPool} (GKE nodes per node pool and zone)` })
        .default(defaults.gpuPool.maxNodes),
    capacity: capacity.default(defaults.gpuPool.capacity),
    diskSizeGb: z.int().min(50, { message: "must be at least 50 (GiB)" }).default(defaults.gpuPool.diskSizeGb),
    /** Zones for this pool; GPUs are not offered in every zone of a region. Default: the cluster's. */
    zones: capped(shortText(), limits.zones, "a GCP region has at most 4 zones").optional(),
});

const existingGpuPool = z.strictObject({
    name: dnsLabel,
    /** GPUs each node of the pool has, as the operator declares it. */
    gpusPerNode: z.int().min(1, { message: "must be 1 or more" }),
    /** Accelerator model, e.g. nvidia-l4; used in labels and dashboards. */
    model: z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, {
        message: "must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'",
    }),
    /** Labels that select the pool's nodes. */
    nodeSelector: z
        .record(shortText(limits.objectName + 1 + limits.label), shortText())
        .refine((s) => Object.keys(s).length > 0, {
            message: "must have at least one label so GPU pods land on GPU nodes",
        })
        .refine((s) => Object.keys(s).length <= limits.nodeSelector, {
            message: `must have at most ${limits.nodeSelector} labels`,
        }),
    /** Whether the nodes carry the nvidia.com/gpu=present:NoSchedule taint. */
    tainted: z.boolean().default(true),
});

const regionCommon = {
    name: dnsLabel,
    /**
     * The name the region had when its model-store copy was created; set it when renaming
     * the region so the copy's bucket, key and replication keep their names and data (see
     * docs/model-store.md). Keep it for good: it names those resources from then on.
     */
    formerName: dnsLabel.optional(),
    /** Model names this region serves; default all models. */
    models: capped(shortText(), limits.regionModels, "a region serves at most the stack's models").optional(),
    /** The GPU pool TorchServe runs on; default the first pool. */
    servingPool: shortText().optional(),
    /**
     * Whether the region sits behind the global name (default true). False keeps it out of
     * DNS and health-checked routing, e.g. while a new region is brought up and tested.
     */
    globalRouting: z.boolean().default(true),
    /**
     * Protect the region's cluster, pools and model-store bucket from deletion (default: true
     * when `environment` is prod). Set false and apply before removing the region's entry.
     */
    protect: z.boolean().optional(),
    /**
     * Marks the region for removal (default false): its protection is lifted (protect defaults
     * to false), and its cluster and model-store copy carry the `modelfleet-decommission` tag
     * the prod policies require before they accept them unprotected. Apply it, then delete the
     * entry (docs/runbooks/add-region.md).
     */
    decommission: z.boolean().default(false),
};

const awsRegion = z.strictObject({
    ...regionCommon,
    cloud: z.literal("aws"),
    region: shortText(),
    azCount: z.int().min(2, { message: "must be at least 2 (EKS needs subnets in two zones)" }).default(defaults.aws.azCount),
    vpcCidr: cidr,
    natGatewayPerAz: z.boolean().default(defaults.aws.natGatewayPerAz),
    kubernetesVersion: z
        .string()
        .regex(/^1\.[0-9]{2}$/, { message: "must be a minor version such as 1.33" })
        .default(defaults.aws.kubernetesVersion),
    /** CIDRs allowed to reach the public API endpoint; empty turns public access off. */
    endpointPublicAccessCidrs: capped(
        cidr,
        limits.endpointPublicAccessCidrs,
        "EKS allows 40 public endpoint CIDR blocks per cluster",
    ).default([]),
    /** IAM role granted cluster-admin through an EKS access entry. */
    adminRoleArn: z.string().regex(/^arn:aws:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/, {
        message: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin",
    }),
    /**
     * IAM role granted read-only Kubernetes access (AmazonEKSViewPolicy, cluster scope) through
     * an EKS access entry: the identity pull-request previews run as (docs/ci.md). Default none.
     */
    previewRoleArn: z
        .string()
        .regex(/^arn:aws:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/, {
            message: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview",
        })
        .optional(),
    /** Managed add-on versions that override the defaults. */
    addons: z
        .record(shortText(), shortText())
        .refine((a) => Object.keys(a).length <= limits.addons, { message: `must have at most ${limits.addons} entries` })
        .optional(),
    /** Session Manager access to the nodes (AmazonSSMManagedInstanceCore on the node role); off unless asked. */
    nodeSsmAccess: z.boolean().default(false),
    systemPool: z
        .strictObject({
            instanceTypes: z
                .array(z.string())
                .min(1)
                .default([...defaults.aws.systemPool.instanceTypes]),
            minNodes: z.int().min(1).default(defaults.aws.systemPool.minNodes),
            maxNodes: z.int().min(1).default(defaults.aws.systemPool.maxNodes),
            desiredNodes: z.int().min(1).default(defaults.aws.systemPool.desiredNodes),
            diskSizeGb: z.int().min(20).default(defaults.aws.systemPool.diskSizeGb),
        })
        .prefault({}),
    gpuPools: capped(awsGpuPool, limits.awsGpuPools, "EKS allows 30 managed node groups per cluster and one is the system pool").min(1, {
        message: "must have at least one GPU pool",
    }),
});

const gcpRegion = z.strictObject({
    ...regionCommon,
    cloud: z.literal("gcp"),
    region: shortText(),
    /** GCP project that holds the cluster. */
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { message: "must be a GCP project id" }),
    networkCidr: cidr,
    podsCidr: cidr,
    servicesCidr: cidr,
    masterCidr: cidr.default(defaults.gcp.masterCidr),
    masterAuthorizedNetworks: capped(
        z.strictObject({ name: shortText(), cidr }),
        limits.masterAuthorizedNetworks,
        "GKE allows 50 authorized networks on a public endpoint",
    ).default([]),
    releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default(defaults.gcp.releaseChannel),
    systemPool: z
        .strictObject({
            machineType: shortText().default(defaults.gcp.systemPool.machineType),
            minNodes: z.int().min(1).default(defaults.gcp.systemPool.minNodes),
            maxNodes: z.int().min(1).default(defaults.gcp.systemPool.maxNodes),
            diskSizeGb: z.int().min(20).default(defaults.gcp.systemPool.diskSizeGb),
        })
        .prefault({}),
    gpuPools: capped(gcpGpuPool, limits.gcpGpuPools, "GKE allows 15 node pools per cluster and one is the system pool").min(1, {
        message: "must have at least one GPU pool",
    }),
});

const existingRegion = z.strictObject({
    ...regionCommon,
    cloud: z.literal("existing"),
    /** A free-form location label, e.g. edge-munich. */
    region: shortText(),
    /** Hostname clients reach this cluster's ingress at; without it the region stays out of global routing. */
    publicEndpoint: dnsName("must be a hostname such as edge-muc.example.com").optional(),
    /** Install the NVIDIA device plugin (when the cluster does not run the GPU operator). */
    installDevicePlugin: z.boolean().default(false),
    /**
     * Install metrics-server (for CPU-based HPAs) when the cluster has none; its kubelets must
     * serve certificates the cluster CA signed, and cert-manager must run (as for the serving certificate).
     */
    installMetricsServer: z.boolean().default(false),
    ingressClass: shortText(limits.objectName).default("nginx"),
    /**
     * cert-manager issuer for the serving certificate. With `acme` the program makes it: an
     * ACME Issuer (kind Issuer, in serving.namespace) that solves DNS-01 in the Route 53 zone.
     */
    certIssuer: z.strictObject({
        name: shortText(limits.objectName),
        kind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer"),
        acme: z
            .strictObject({
                /** The ACME account's contact address (expiry notices). */
                email: z.email({ message: "must be an email address, e.g. platform@example.com" }),
                /** ACME directory URL; default Let's Encrypt production. */
                server: z.url({ protocol: /^https$/, message: "must be an https:// ACME directory URL" }).default(ACME_LETSENCRYPT),
            })
            .optional(),
    }),
    /** AWS region (by region entry name) whose model-store replica this cluster pulls from. */
    modelStoreSource: shortText(),
    gpuPools: capped(existingGpuPool, limits.existingGpuPools, "each pool is a placement choice with its own node labels").min(1, {
        message: "must declare at least one GPU pool",
    }),
});

export const regionSchema = z.discriminatedUnion("cloud", [awsRegion, gcpRegion, existingRegion], {
    error: (issue) => (issue.code === "invalid_union" ? "cloud must be one of aws, gcp, existing" : undefined),
});

export const modelSchema = z.strictObject({
    /** TorchServe model name; the archive is models/<name>/<version>/<name>.mar. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: "must be letters, digits, '_' or '-'" }),
    /** Archive version; the key models/<name>/<version>/<name>.mar must fit S3's and GCS's 1024 bytes. */
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/, { message: "must be a version such as 1.0 or 2024-06-01" }),
    batchSize: z.int().min(1, { message: "must be 1 or more" }).default(defaults.model.batchSize),
    maxBatchDelayMs: z.int().min(0).max(10000, { message: "must be at most 10000 ms" }).default(defaults.model.maxBatchDelayMs),
    /** TorchServe reads 0 as "unset" and starts its default worker count, so 0 is refused. */
    minWorkers: z.int().min(1, { message: "must be 1 or more (TorchServe treats 0 as unset)" }).default(defaults.model.minWorkers),
    maxWorkers: z.int().min(1, { message: "must be 1 or more" }).default(defaults.model.maxWorkers),
    responseTimeoutSeconds: z
        .int()
        .min(1)
        .max(limits.responseTimeoutSeconds, {
            message: `must be at most ${limits.responseTimeoutSeconds} s: the ALB idle timeout stops at 4000 s and the load balancers add 30 s of margin`,
        })
        .default(defaults.model.responseTimeoutSeconds),
    /** The model serves TorchServe's OpenAI-compatible API and the gateway routes chat to it. */
    openai: z.boolean().default(defaults.model.openai),
    /** HPA targets per TorchServe pod for this model; defaults in config/defaults.ts. */
    scaling: z
        .strictObject({
            /** Mean queue wait per request (ms) above which the track adds pods. */
            queueLatencyMs: z.number().positive({ message: "must be greater than 0 (ms)" }).default(defaults.model.scaling.queueLatencyMs),
            /** GPU utilisation (%) above which the track adds pods, where DCGM metrics are exported. */
            gpuUtilizationPercent: z
                .int()
                .min(1, { message: "must be greater than 0 (%)" })
                .max(100, { message: "must be at most 100 (%)" })
                .default(defaults.model.scaling.gpuUtilizationPercent),
        })
        .prefault({}),
});

const replicaCount = z
    .int()
    .min(1)
    .max(limits.replicas, { message: `must be at most ${limits.replicas} (the node count Kubernetes supports per cluster)` });
const replicas = z.strictObject({ min: replicaCount, max: replicaCount });

export const servingSchema = z.strictObject({
    namespace: dnsLabel.default(defaults.serving.namespace),
    /** The global name clients use; each region is also reachable at <region>.<domain>. */
    domain: dnsName("must be a DNS name such as serve.example.com"),
    activeColor: z.enum(["blue", "green"], { message: "must be blue or green (a track name)" }).default(defaults.serving.activeColor),
    /**
     * Per-track images: `torchserveImage` (default images.torchserve) for regions whose
     * models need no vLLM, `torchserveLlmDigest` (default images.torchserveLlmDigest) for
     * regions that serve an OpenAI-compatible model.
     */
    tracks: z
        .strictObject({
            blue: z.strictObject({ torchserveImage: pinnedImage.optional(), torchserveLlmDigest: imageDigest.optional() }).prefault({}),
            green: z.strictObject({ torchserveImage: pinnedImage.optional(), torchserveLlmDigest: imageDigest.optional() }).prefault({}),
        })
        .prefault({}),
    torchserve: z
        .strictObject({
            replicas: replicas.prefault(defaults.serving.torchserve.replicas),
            /**
             * The preview (inactive) track's HPA minimum, in pods; default 1. Raised to
             * `replicas.min` before a switch so both tracks are warm when traffic moves.
             */
            previewMinReplicas: z.int().min(1, { message: "must be 1 or more" }).default(defaults.serving.torchserve.previewMinReplicas),
            cpu: quantity.default(defaults.serving.torchserve.cpu),
            memory: quantity.default(defaults.serving.torchserve.memory),
            gpus: z.int().min(1, { message: "must be 1 or more" }).default(defaults.serving.torchserve.gpus),
            cpuTargetPercent: z.int().min(10).max(95).default(defaults.serving.torchserve.cpuTargetPercent),
            jobQueueSize: z.int().min(1).default(defaults.serving.torchserve.jobQueueSize),
            defaultResponseTimeoutSeconds: z
                .int()
                .min(1)
                .max(limits.responseTimeoutSeconds, {
                    message: `must be at most ${limits.responseTimeoutSeconds} s: the ALB idle timeout stops at 4000 s and the load balancers add 30 s of margin`,
                })
                .default(defaults.serving.torchserve.defaultResponseTimeoutSeconds),
            /**
             * Seconds a terminating pod keeps serving (preStop) before SIGTERM; default the
             * longest models[].responseTimeoutSeconds plus DRAIN_MARGIN_SECONDS, and never less.
             */
            drainSeconds: z.int().min(5).max(3600).optional(),
        })
        .prefault({}),
    gateway: z
        .strictObject({
            replicas: replicas.prefault(defaults.serving.gateway.replicas),
            cpu: quantity.default(defaults.serving.gateway.cpu),
            memory: quantity.default(defaults.serving.gateway.memory),
            cpuTargetPercent: z.int().min(10).max(95).default(defaults.serving.gateway.cpuTargetPercent),
        })
        .prefault({}),
    /** ServiceMonitors, alert rules and the dashboard (needs the Prometheus Operator CRDs). */
    monitoring: z.boolean().default(defaults.serving.monitoring),
    /**
     * Share of requests (%) per track, e.g. { blue: 90, green: 10 }; the weights sum to 100.
     * Default: activeColor takes 100.
     */
    traffic: z.record(z.string(), z.int().min(0, { message: "must be 0 or more (a percentage of requests)" })).optional(),
    /** Per-track objectives: the SLO alerts and `npm run debug -- --rollout` compare each track against them. */
    slo: z
        .strictObject({
            /** 5xx responses as a percentage of all responses. */
            errorRatePercent: z
                .number()
                .positive({ message: "must be greater than 0 (%)" })
                .max(100, { message: "must be at most 100 (%)" })
                .default(defaults.serving.slo.errorRatePercent),
            /** p95 inference latency in milliseconds. */
            p95LatencyMs: z.int().min(1, { message: "must be 1 or more (ms)" }).default(defaults.serving.slo.p95LatencyMs),
        })
        .prefault({}),
    /** Where the custom-metrics adapter reads inference metrics (EKS and edge; GKE reads Managed Prometheus). */
    autoscaling: z
        .strictObject({
            prometheusUrl: z
                .url({ message: "must be a URL such as http://prometheus-operated.monitoring.svc:9090" })
                .default(defaults.serving.autoscaling.prometheusUrl),
        })
        .prefault({}),
});

export const imagesSchema = z
    .strictObject({
        torchserve: pinnedImage.default(defaults.images.torchserve),
        /**
         * Digest of the LLM-track TorchServe image (serving/llm/Dockerfile: TorchServe plus
         * vLLM and the project's handler) in the registry the program creates; regions that
         * serve an OpenAI-compatible model run it. Default none: such models are refused.
         */
        torchserveLlmDigest: imageDigest.optional(),
        gateway: pinnedImage.default(defaults.images.gateway),
        modelSyncS3: pinnedImage.default(defaults.images.modelSyncS3),
        modelSyncGcs: pinnedImage.default(defaults.images.modelSyncGcs),
        devicePlugin: pinnedImage.default(defaults.images.devicePlugin),
        clusterAutoscaler: pinnedImage.default(defaults.images.clusterAutoscaler),
        awsLoadBalancerController: pinnedImage.default(defaults.images.awsLoadBalancerController),
        metricsServer: pinnedImage.default(defaults.images.metricsServer),
        prometheusAdapter: pinnedImage.default(defaults.images.prometheusAdapter),
        stackdriverAdapter: pinnedImage.default(defaults.images.stackdriverAdapter),
    })
    .prefault({});

export const modelStoreSchema = z.strictObject({
    /** Region entry name of the AWS region that holds the primary bucket. */
    primaryRegion: shortText(),
    noncurrentVersionDays: z
        .int()
        .min(1, { message: "must be at least 1 day" })
        .max(limits.retentionDays, { message: `must be at most ${limits.retentionDays} days (ten years; larger values are typos)` })
        .default(defaults.modelStore.noncurrentVersionDays),
    abortIncompleteUploadDays: z
        .int()
        .min(1, { message: "must be at least 1 day" })
        .max(limits.abortIncompleteUploadDays, {
            message: `must be at most ${limits.abortIncompleteUploadDays} days: unfinished uploads are billed until aborted`,
        })
        .default(defaults.modelStore.abortIncompleteUploadDays),
    /** S3 Replication Time Control (15-minute SLA, extra cost). */
    replicationTimeControl: z.boolean().default(defaults.modelStore.replicationTimeControl),
    gcsSoftDeleteDays: z
        .int()
        .min(7, { message: "must be 7-90 days (the GCS soft-delete range)" })
        .max(90, { message: "must be at most 90 days" })
        .default(defaults.modelStore.gcsSoftDeleteDays),
    transferIntervalMinutes: z
        .int()
        .min(60, { message: "must be at least 60 (Storage Transfer Service minimum is one hour)" })
        .max(limits.transferIntervalMinutes, {
            message: `must be at most ${limits.transferIntervalMinutes} (a week): a GCS copy further behind serves stale models`,
        })
        .default(defaults.modelStore.transferIntervalMinutes),
});

export const globalEntrySchema = z.strictObject({
    /** Route 53 hosted zone id; or give hostedZoneName to look it up. */
    hostedZoneId: z
        .string()
        .regex(/^Z[A-Z0-9]{1,31}$/, { message: "must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ" })
        .optional(),
    hostedZoneName: dnsName("must be a DNS name such as example.com").optional(),
    routing: z.enum(["latency", "failover"]).default(defaults.globalEntry.routing),
    /** Region entry name that takes all traffic in failover routing. */
    failoverPrimary: shortText().optional(),
    /**
     * SNS topics told when a region's health check fails and recovers (default none).
     * Route 53 publishes its metrics in us-east-1, so the alarms and topics live there.
     */
    alarmTopicArns: capped(
        z.string().regex(/^arn:aws:sns:us-east-1:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/, {
            message: "must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live",
        }),
        limits.alarmTopicArns,
        "a CloudWatch alarm takes at most 5 actions per state",
    ).default([]),
    /**
     * Worst-case seconds a failed region may keep receiving new requests (health checks plus
     * record TTL, as the plan estimates them); the plan exits 1 when the settings cannot meet
     * it. Default none.
     */
    maxFailoverSeconds: z
        .int({ message: "must be a whole number of seconds" })
        .min(1, { message: "must be at least 1" })
        .max(3600, { message: "must be at most 3600 (an hour)" })
        .optional(),
    healthCheck: z
        .strictObject({
            requestIntervalSeconds: z
                .union([z.literal(10), z.literal(30)], { message: "must be 10 or 30 (the intervals Route 53 offers)" })
                .default(defaults.globalEntry.healthCheck.requestIntervalSeconds),
            failureThreshold: z
                .int()
                .min(1)
                .max(10, { message: "must be 1-10" })
                .default(defaults.globalEntry.healthCheck.failureThreshold),
            regions: capped(shortText(), 8, "Route 53 has 8 health-checker regions").default([...defaults.globalEntry.healthCheck.regions]),
        })
        .prefault({}),
});

/** Every `modelfleet:*` key. Secret keys are read separately (see load.ts). */
export const fleetSchema = z.strictObject({
    environment: z.enum(["dev", "staging", "prod"]).default(defaults.environment),
    /**
     * `modelStore` on a new stack's first `pulumi up`: networks, clusters and the model store
     * only, so archives can be published before anything waits for them; then `serving`
     * (docs/runbooks/first-deploy.md).
     */
    deployStage: z.enum(["modelStore", "serving"], { message: "must be modelStore or serving" }).default(defaults.deployStage),
    /**
     * Whom the program reaches EKS clusters as: `admin` (each region's adminRoleArn, assumed
     * by the kubeconfig's token command) or `preview` (the run's own credentials, e.g. the
     * read-only preview role of a pull request; `pulumi preview` only). Default admin.
     */
    kubernetesIdentity: z.enum(["admin", "preview"], { message: "must be admin or preview" }).default(defaults.kubernetesIdentity),
    regions: capped(
        regionSchema,
        limits.regions,
        "each region brings three Route 53 health checks (200 per account) and its whole cluster into one stack; split larger fleets into several stacks",
    ).min(1, { message: "must list at least one region" }),
    models: capped(modelSchema, limits.models, "every TorchServe pod keeps at least one worker per model on its GPU(s)").min(1, {
        message: "must list at least one model",
    }),
    modelStore: modelStoreSchema,
    serving: servingSchema,
    images: imagesSchema,
    globalEntry: globalEntrySchema,
    /** What the plan's cost estimate assumes: store size and price overrides (docs/cost.md). */
    pricing: pricingSchema,
});

export type FleetInput = z.input<typeof fleetSchema>;
/** The settings as the schema parses them, before derived values are filled in. */
export type ParsedSettings = z.output<typeof fleetSchema>;
/** The settings after validation, with the derived values (the drain) filled in. */
export type FleetSettings = ParsedSettings & { serving: { torchserve: { drainSeconds: number } } };
export type RegionSettings = FleetSettings["regions"][number];
export type AwsRegionSettings = Extract<RegionSettings, { cloud: "aws" }>;
export type GcpRegionSettings = Extract<RegionSettings, { cloud: "gcp" }>;
export type ExistingRegionSettings = Extract<RegionSettings, { cloud: "existing" }>;
export type ModelSettings = FleetSettings["models"][number];
export type Cloud = RegionSettings["cloud"];

/** Names of the secret keys; their values never appear in plain text in a stack file. */
export const secretKeys = ["kubeconfigs", "edgeStoreCredentials", "gatewayBackends", "edgeImagePullSecrets"] as const;
