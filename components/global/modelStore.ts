import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { FleetConfig, RegionConfig } from "../../config";
import { ModelStoreBackfill } from "../aws/modelStoreBackfill";
import { ModelStoreBucket } from "../aws/modelStoreBucket";
import { bucketReadPolicy } from "../aws/modelStorePolicies";
import { ModelStoreReader } from "../aws/modelStoreReader";
import { ModelStoreReplication } from "../aws/modelStoreReplication";
import { s3EndpointPolicy } from "../aws/s3EndpointPolicy";
import type { ProjectApis } from "../gcp/apis";
import { GcsModelStoreBucket } from "../gcp/modelStoreBucket";
import { GcsModelStoreReader } from "../gcp/modelStoreReader";
import { ModelStoreTransfer } from "../gcp/modelStoreTransfer";
import { decommissionMarker } from "../lifecycle";
import { formerAliases } from "../renames";
import { ModelStoreAccess, RegionCluster, TORCHSERVE_SERVICE_ACCOUNT } from "../types";
import { BUCKET_SUFFIX_BYTES, gcpReaderAccountId, publishCommand, storeBucketName, storeKey } from "./modelStoreNames";

export interface ModelStoreArgs {
    /** The validated fleet config (required): regions, modelStore settings, protect, secrets. */
    config: FleetConfig;
    /** Region clusters by region entry name (required for every AWS and GCP region). */
    clusters: Record<string, RegionCluster>;
    /** Provider for every AWS resource (default: inherited from this component's providers). */
    awsProvider?: aws.Provider;
    /** GCP providers by project id (default: inherited); when given, every GCP region's project must be present. */
    gcpProviders?: Record<string, gcp.Provider>;
    /** Each GCP project's enabled APIs (createProviders' gcpApis); GCP resources wait for them (default none). */
    gcpApis?: Record<string, ProjectApis>;
}

type AwsRegion = Extract<RegionConfig, { cloud: "aws" }>;
type GcpRegion = Extract<RegionConfig, { cloud: "gcp" }>;
type ExistingRegion = Extract<RegionConfig, { cloud: "existing" }>;

/**
 * The shared model store: archives are published once to the primary S3 bucket and reach
 * every serving region's own copy — S3 replication to the other AWS regions, a scheduled
 * Storage Transfer job to each GCP region, and edge clusters read an AWS copy with
 * read-only keys. Workloads get read access through their cluster's identity.
 */
export class ModelStore extends pulumi.ComponentResource {
    /** How the serving stack in each region (by region entry name) reads its copy. */
    public readonly access: Record<string, ModelStoreAccess>;
    /** The S3 copies by AWS region entry name; the primary is one of them. */
    public readonly awsBuckets: Record<string, ModelStoreBucket>;
    /** The GCS copies by GCP region entry name. */
    public readonly gcsBuckets: Record<string, GcsModelStoreBucket>;
    /** Replication from the primary to the other AWS copies; absent with one AWS region. */
    public readonly replication?: ModelStoreReplication;
    /** The one-shot copy that fills each AWS replica at creation, by region entry name. */
    public readonly backfills: Record<string, ModelStoreBackfill>;
    /** Storage Transfer jobs by GCP region entry name. */
    public readonly transfers: Record<string, ModelStoreTransfer>;
    public readonly primaryRegion: string;
    public readonly primaryBucketName: pulumi.Output<string>;
    /** Bucket name each serving region reads (edge regions: their source's), by region entry name. */
    public readonly bucketNames: Record<string, pulumi.Output<string>>;
    /** `s3://` or `gs://` URI each serving region reads, by region entry name. */
    public readonly bucketUris: Record<string, pulumi.Output<string>>;
    /** The one-line command that publishes a model version (uses $MODEL and $VERSION). */
    public readonly publishCommand: pulumi.Output<string>;
    /**
     * The IAM policy to attach to each edge region's read-only IAM user, made outside the
     * stack (see docs/model-store.md); by existing-region entry name.
     */
    public readonly edgeReaderPolicies: Record<string, pulumi.Output<string>>;
    /** The policy of each AWS region's S3 gateway endpoint, by region entry name. */
    public readonly endpointPolicies: Record<string, aws.ec2.VpcEndpointPolicy>;
    /** Storage Transfer job names (`transferJobs/...`) by GCP region entry name, for `gcloud transfer jobs run`. */
    public readonly transferJobNames: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ModelStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:ModelStore", name, {}, opts);

        const problems = modelStoreProblems(args);
        if (problems.length > 0) throw new Error(`ModelStore ${name}: ${problems.join("; ")}`);

        const { config, clusters } = args;
        const settings = config.modelStore;
        const awsRegions = config.regions.filter((r): r is AwsRegion => r.cloud === "aws");
        const gcpRegions = config.regions.filter((r): r is GcpRegion => r.cloud === "gcp");
        const existingRegions = config.regions.filter((r): r is ExistingRegion => r.cloud === "existing");
        const gcpProvider = (project: string) => args.gcpProviders?.[project];
        this.primaryRegion = settings.primaryRegion;

        // One suffix for every bucket, kept in state: names stay globally unique and never
        // change, whatever is renamed around them.
        const suffix = new random.RandomId(
            `${name}-suffix`,
            { byteLength: BUCKET_SUFFIX_BYTES },
            { parent: this, protect: config.protect },
        );

        this.awsBuckets = {};
        for (const region of awsRegions) {
            const role = region.name === settings.primaryRegion ? "primary" : "replica";
            // Resource and bucket names follow the store key (formerName after a rename), so a
            // renamed region keeps its copy; a new bucket name would be a new, empty bucket.
            const key = storeKey(region);
            this.awsBuckets[region.name] = new ModelStoreBucket(
                `${name}-${key}`,
                {
                    region: region.region,
                    bucketName: suffix.hex.apply((hex) => storeBucketName(key, hex)),
                    noncurrentVersionDays: settings.noncurrentVersionDays,
                    abortIncompleteUploadDays: settings.abortIncompleteUploadDays,
                    protect: region.protect,
                    provider: args.awsProvider,
                    tags: {
                        "modelfleet:component": "model-store",
                        "modelfleet:region": region.name,
                        "modelfleet:store-role": role,
                        ...decommissionMarker(region),
                    },
                },
                { parent: this },
            );
        }
        const primary = this.awsBuckets[settings.primaryRegion];

        const replicas = Object.fromEntries(
            awsRegions.filter((r) => r.name !== settings.primaryRegion).map((r) => [storeKey(r), this.awsBuckets[r.name]]),
        );
        if (Object.keys(replicas).length > 0) {
            this.replication = new ModelStoreReplication(
                `${name}-replication`,
                {
                    source: primary,
                    destinations: replicas,
                    replicationTimeControl: settings.replicationTimeControl,
                    provider: args.awsProvider,
                },
                { parent: this },
            );
        }

        // A replica added to a store that already holds archives gets them once, at creation.
        this.backfills = {};
        for (const region of awsRegions) {
            if (region.name === settings.primaryRegion) continue;
            const cluster = clusters[region.name];
            const identity = cluster.workloadIdentity;
            if (identity.kind !== "eks-pod-identity") continue; // refused by modelStoreProblems
            this.backfills[region.name] = new ModelStoreBackfill(
                `${name}-${region.name}-backfill`,
                {
                    source: primary,
                    destination: this.awsBuckets[region.name],
                    clusterName: identity.clusterName,
                    k8sProvider: cluster.provider,
                    image: config.images.modelSyncS3,
                    nodeSelector: cluster.systemNodeSelector,
                    dependsOn: [...cluster.readyResources, ...(this.replication ? [this.replication] : [])],
                    provider: args.awsProvider,
                },
                { parent: this, aliases: formerAliases(region, (n) => `${name}-${n}-backfill`) },
            );
        }
        const backfilled = (regionName: string): pulumi.Resource[] => {
            const backfill = this.backfills[regionName];
            return backfill ? [backfill.job] : [];
        };

        this.gcsBuckets = {};
        this.transfers = {};
        for (const region of gcpRegions) {
            const key = storeKey(region);
            const bucket = new GcsModelStoreBucket(
                `${name}-${key}`,
                {
                    project: region.project,
                    location: region.region,
                    bucketName: suffix.hex.apply((hex) => storeBucketName(key, hex)),
                    noncurrentVersionDays: settings.noncurrentVersionDays,
                    abortIncompleteUploadDays: settings.abortIncompleteUploadDays,
                    softDeleteDays: settings.gcsSoftDeleteDays,
                    protect: region.protect,
                    provider: gcpProvider(region.project),
                    labels: { "modelfleet-component": "model-store", "modelfleet-region": region.name, ...decommissionMarker(region) },
                },
                { parent: this },
            );
            this.gcsBuckets[region.name] = bucket;
            this.transfers[region.name] = new ModelStoreTransfer(
                `${name}-${key}-transfer`,
                {
                    source: primary,
                    destination: bucket,
                    intervalMinutes: settings.transferIntervalMinutes,
                    awsProvider: args.awsProvider,
                    gcpProvider: gcpProvider(region.project),
                },
                { parent: this },
            );
        }

        this.access = {};
        for (const region of awsRegions) {
            const bucket = this.awsBuckets[region.name];
            const identity = clusters[region.name].workloadIdentity;
            if (identity.kind !== "eks-pod-identity") continue; // refused by modelStoreProblems
            const reader = new ModelStoreReader(
                `${name}-${storeKey(region)}-reader`,
                {
                    bucket,
                    clusterName: identity.clusterName,
                    clusterRegion: region.region,
                    namespace: config.serving.namespace,
                    serviceAccount: TORCHSERVE_SERVICE_ACCOUNT,
                    provider: args.awsProvider,
                },
                { parent: this },
            );
            this.access[region.name] = {
                kind: "s3",
                uri: bucket.uri,
                bucketRegion: region.region,
                serviceAccountAnnotations: {},
                readyResources: [reader.rolePolicy, reader.association, ...backfilled(region.name)],
            };
        }
        for (const region of gcpRegions) {
            const bucket = this.gcsBuckets[region.name];
            const identity = clusters[region.name].workloadIdentity;
            if (identity.kind !== "gke-workload-identity") continue; // refused by modelStoreProblems
            const reader = new GcsModelStoreReader(
                `${name}-${storeKey(region)}-reader`,
                {
                    bucket,
                    accountId: suffix.hex.apply((hex) => gcpReaderAccountId(storeKey(region), hex)),
                    workloadPool: identity.workloadPool,
                    namespace: config.serving.namespace,
                    serviceAccount: TORCHSERVE_SERVICE_ACCOUNT,
                    provider: gcpProvider(region.project),
                    dependsOn: args.gcpApis?.[region.project]?.services,
                },
                { parent: this },
            );
            this.access[region.name] = {
                kind: "gcs",
                uri: bucket.uri,
                bucketRegion: region.region,
                serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": reader.email },
                // The transfer job runs once as soon as it exists; pods start after that run has begun.
                readyResources: [reader.bucketViewer, reader.workloadIdentityUser, this.transfers[region.name].job],
            };
        }
        // Each AWS region's S3 gateway endpoint admits only the buckets its pods and nodes use.
        this.endpointPolicies = {};
        for (const region of awsRegions) {
            const endpoint = clusters[region.name].s3GatewayEndpoint;
            if (!endpoint) continue;
            const own = this.awsBuckets[region.name].bucketName;
            const source = region.name === settings.primaryRegion ? undefined : primary.bucketName;
            this.endpointPolicies[region.name] = new aws.ec2.VpcEndpointPolicy(
                `${name}-${storeKey(region)}-s3-endpoint-policy`,
                {
                    region: region.region,
                    vpcEndpointId: endpoint.endpointId,
                    policy: pulumi
                        .all([own, pulumi.output(source)])
                        .apply(([ownName, primaryName]) =>
                            JSON.stringify(s3EndpointPolicy({ own: ownName, primary: primaryName }, endpoint.nodeBuckets)),
                        ),
                },
                { parent: this, provider: args.awsProvider },
            );
        }

        this.edgeReaderPolicies = {};
        for (const region of existingRegions) {
            const source = this.awsBuckets[region.modelStoreSource];
            this.access[region.name] = {
                kind: "s3",
                uri: source.uri,
                bucketRegion: source.region,
                serviceAccountAnnotations: {},
                staticCredentials: config.secrets.edgeStoreCredentials[region.name],
                readyResources: backfilled(region.modelStoreSource),
            };
            this.edgeReaderPolicies[region.name] = pulumi
                .all([source.bucketArn, source.keyArn])
                .apply(([bucketArn, keyArn]) => JSON.stringify(bucketReadPolicy({ bucketArn, keyArn, region: source.region }), null, 2));
        }

        const nameOf = (r: RegionConfig): pulumi.Output<string> =>
            r.cloud === "aws"
                ? this.awsBuckets[r.name].bucketName
                : r.cloud === "gcp"
                  ? this.gcsBuckets[r.name].bucketName
                  : this.awsBuckets[r.modelStoreSource].bucketName;
        this.bucketNames = Object.fromEntries(config.regions.map((r) => [r.name, nameOf(r)]));
        this.bucketUris = Object.fromEntries(config.regions.map((r) => [r.name, this.access[r.name].uri]));
        this.primaryBucketName = primary.bucketName;
        this.publishCommand = primary.bucketName.apply((bucket) => publishCommand(bucket, primary.region));
        this.transferJobNames = Object.fromEntries(Object.entries(this.transfers).map(([region, transfer]) => [region, transfer.jobName]));

        this.registerOutputs({
            primaryRegion: this.primaryRegion,
            primaryBucketName: this.primaryBucketName,
            bucketNames: this.bucketNames,
            bucketUris: this.bucketUris,
            publishCommand: this.publishCommand,
            edgeReaderPolicies: this.edgeReaderPolicies,
            transferJobNames: this.transferJobNames,
            access: this.access,
            awsBuckets: this.awsBuckets,
            gcsBuckets: this.gcsBuckets,
            replication: this.replication,
            transfers: this.transfers,
            backfills: this.backfills,
            endpointPolicies: this.endpointPolicies,
        });
    }
}

/**
 * Everything wrong with the args, each naming its key: the config checks in config/
 * catch most of these for a stack file; a FleetConfig built in code reaches here unchecked.
 */
export function modelStoreProblems(args: ModelStoreArgs): string[] {
    const { config, clusters } = args;
    const settings = config.modelStore;
    const problems: string[] = [];
    const awsNames = config.regions.filter((r) => r.cloud === "aws").map((r) => r.name);
    const gcpRegions = config.regions.filter((r): r is GcpRegion => r.cloud === "gcp");
    const awsList = awsNames.join(", ") || "none configured";

    const primary = config.regions.find((r) => r.name === settings.primaryRegion);
    if (!primary || primary.cloud !== "aws") {
        problems.push(`modelStore.primaryRegion must name an AWS region entry (one of: ${awsList}), got '${settings.primaryRegion}'`);
    }
    if (!(settings.noncurrentVersionDays >= 1)) {
        problems.push(`modelStore.noncurrentVersionDays must be at least 1 day, got ${settings.noncurrentVersionDays}`);
    }
    if (!(settings.abortIncompleteUploadDays >= 1)) {
        problems.push(`modelStore.abortIncompleteUploadDays must be at least 1 day, got ${settings.abortIncompleteUploadDays}`);
    }
    if (gcpRegions.length > 0) {
        if (!(settings.gcsSoftDeleteDays >= 7 && settings.gcsSoftDeleteDays <= 90)) {
            problems.push(`modelStore.gcsSoftDeleteDays must be 7-90 days, got ${settings.gcsSoftDeleteDays}`);
        }
        if (!(settings.transferIntervalMinutes >= 60)) {
            problems.push(
                `modelStore.transferIntervalMinutes must be at least 60 (the Storage Transfer Service minimum), got ${settings.transferIntervalMinutes}`,
            );
        }
    }

    config.regions.forEach((region, i) => {
        if (region.cloud === "existing") {
            if (!awsNames.includes(region.modelStoreSource)) {
                problems.push(
                    `regions[${i}].modelStoreSource names '${region.modelStoreSource}', which is not an AWS region entry holding a model-store copy (one of: ${awsList})`,
                );
            }
            if (!config.secrets.edgeStoreCredentials[region.name]) {
                problems.push(`edgeStoreCredentials.${region.name} is missing: region ${region.name} reads the store with read-only keys`);
            }
            return;
        }
        const cluster = clusters[region.name];
        const wanted = region.cloud === "aws" ? "eks-pod-identity" : "gke-workload-identity";
        if (!cluster) {
            problems.push(`clusters.${region.name} is missing: region ${region.name} needs its RegionCluster for workload access`);
        } else if (cluster.workloadIdentity.kind !== wanted) {
            problems.push(
                `clusters.${region.name}.workloadIdentity.kind must be ${wanted} for ${region.cloud.toUpperCase()} region ${region.name}, got ${cluster.workloadIdentity.kind}`,
            );
        }
        if (region.cloud === "gcp" && args.gcpProviders && !args.gcpProviders[region.project]) {
            problems.push(`gcpProviders.${region.project} is missing: region ${region.name} is in that project`);
        }
    });

    // Reader account ids keep only a prefix of long region names; two must not collide.
    const seen = new Map<string, string>();
    for (const region of gcpRegions) {
        const id = gcpReaderAccountId(storeKey(region), "00000000");
        const other = seen.get(`${region.project}/${id}`);
        if (other) {
            problems.push(
                `regions: GCP regions '${other}' and '${region.name}' in project ${region.project} share the first characters their reader account id keeps; rename one`,
            );
        }
        seen.set(`${region.project}/${id}`, region.name);
    }
    return problems;
}
