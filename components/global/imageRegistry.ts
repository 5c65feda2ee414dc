import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../../config";
import type { ProjectApis } from "../gcp/apis";
import { formerAliases } from "../renames";

/** The image name of the LLM-track TorchServe image inside each registry. */
export const LLM_IMAGE_NAME = "torchserve-llm";
/** Untagged manifests (a failed or superseded push) expire after this many days; tagged images stay. */
export const UNTAGGED_EXPIRY_DAYS = 7;

export interface ImageRegistryArgs {
    /** The validated fleet config (required): regions, model-store primary, protect. */
    config: FleetConfig;
    /** Provider for every AWS resource (default: inherited from this component's providers). */
    awsProvider?: aws.Provider;
    /** GCP providers by project id (default: inherited). */
    gcpProviders?: Record<string, gcp.Provider>;
    /** The enabled APIs of each GCP project (Artifact Registry, Container Scanning); repositories wait for them. Default none. */
    gcpApis?: Record<string, ProjectApis>;
}

/** Where one region's serving stack pulls the LLM-track image from. */
export interface LlmImageSource {
    /** Repository without tag or digest, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/modelfleet-prod/torchserve-llm. */
    repository: pulumi.Input<string>;
    /** Edge clusters: the `.dockerconfigjson` of their read-only registry identity (secret config). */
    pullSecret?: pulumi.Input<string>;
}

type AwsRegion = Extract<RegionConfig, { cloud: "aws" }>;
type GcpRegion = Extract<RegionConfig, { cloud: "gcp" }>;

/** The ECR repository name: project and stack keep stacks that share an account apart. */
export function ecrRepositoryName(config: Pick<FleetConfig, "project" | "stack">): string {
    return `${config.project}-${config.stack}/${LLM_IMAGE_NAME}`;
}

/** The Artifact Registry repository id (lowercase letters, digits and '-'). */
export function artifactRepositoryId(config: Pick<FleetConfig, "project" | "stack">): string {
    return `${config.project}-${config.stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/** ECR lifecycle rules: only untagged manifests expire, so no digest a stack names is removed. */
export function ecrLifecyclePolicy(): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged manifests after ${UNTAGGED_EXPIRY_DAYS} days`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: UNTAGGED_EXPIRY_DAYS },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * The registry of the LLM-track TorchServe image (serving/llm/Dockerfile): an ECR
 * repository in every AWS region (scan on push, immutable tags, a customer-managed KMS
 * key, a lifecycle that expires only untagged manifests), filled by replication from the
 * primary AWS region, so the main workflow pushes once and every region pulls the same
 * digest nearby; an Artifact Registry repository in every GCP region, which the workflow
 * pushes to as well. Nodes pull with their own identity: the EKS node role has
 * AmazonEC2ContainerRegistryPullOnly, the GKE node account roles/artifactregistry.reader.
 * Edge clusters pull from their model-store source region's repository with the pull
 * secret in `edgeImagePullSecrets.<region>` (a read-only identity made outside the stack).
 */
export class ImageRegistry extends pulumi.ComponentResource {
    /** Where each region's serving stack pulls the image from, by region entry name. */
    public readonly sources: Record<string, LlmImageSource>;
    /** ECR repositories by AWS region entry name. */
    public readonly ecrRepositories: Record<string, aws.ecr.Repository>;
    /** Artifact Registry repositories by GCP region entry name. */
    public readonly artifactRepositories: Record<string, gcp.artifactregistry.Repository>;
    /** What the main workflow pushes to: the primary ECR repository and each Artifact Registry repository. */
    public readonly pushTargets: pulumi.Output<string[]>;

    constructor(name: string, args: ImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:ImageRegistry", name, {}, opts);
        const { config } = args;
        const awsRegions = config.regions.filter((r): r is AwsRegion => r.cloud === "aws");
        const gcpRegions = config.regions.filter((r): r is GcpRegion => r.cloud === "gcp");
        const primary = awsRegions.find((r) => r.name === config.modelStore.primaryRegion);
        if (!primary) throw new Error(`ImageRegistry ${name}: modelStore.primaryRegion must name an AWS region entry`);
        // A region's repository holds the images its pods run: protected with the region, and
        // kept in the account when the region is removed (forceDelete is off, so deleting one
        // that holds images would fail the removal).
        const awsOpts = (region: AwsRegion): pulumi.CustomResourceOptions => ({
            parent: this,
            provider: args.awsProvider,
            protect: region.protect,
            retainOnDelete: true,
        });

        this.ecrRepositories = {};
        for (const region of awsRegions) {
            const location = region.region;
            const key = new aws.kms.Key(
                `${name}-${region.name}-key`,
                {
                    region: location,
                    description: `LLM-track images of ${config.project}/${config.stack} in ${location}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                },
                { ...awsOpts(region), aliases: formerAliases(region, (n) => `${name}-${n}-key`) },
            );
            const repository = new aws.ecr.Repository(
                `${name}-${region.name}`,
                {
                    region: location,
                    name: ecrRepositoryName(config),
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
                    // Never delete a repository that still holds images a stack may name.
                    forceDelete: false,
                },
                { ...awsOpts(region), aliases: formerAliases(region, (n) => `${name}-${n}`) },
            );
            new aws.ecr.LifecyclePolicy(
                `${name}-${region.name}-lifecycle`,
                { region: location, repository: repository.name, policy: ecrLifecyclePolicy() },
                { parent: this, provider: args.awsProvider, aliases: formerAliases(region, (n) => `${name}-${n}-lifecycle`) },
            );
            this.ecrRepositories[region.name] = repository;
        }

        const primaryRepository = this.ecrRepositories[primary.name];
        const others = awsRegions.filter((r) => r.name !== primary.name);
        if (others.length > 0) {
            // The destination repositories exist first, so replicated images land in them
            // with their KMS key, scanning and immutability rather than in defaults.
            new aws.ecr.ReplicationConfiguration(
                `${name}-replication`,
                {
                    region: primary.region,
                    replicationConfiguration: {
                        rules: [
                            {
                                destinations: others.map((r) => ({ region: r.region, registryId: primaryRepository.registryId })),
                                repositoryFilters: [{ filter: ecrRepositoryName(config), filterType: "PREFIX_MATCH" }],
                            },
                        ],
                    },
                },
                { parent: this, provider: args.awsProvider, dependsOn: others.map((r) => this.ecrRepositories[r.name]) },
            );
        }

        this.artifactRepositories = {};
        for (const region of gcpRegions) {
            this.artifactRepositories[region.name] = new gcp.artifactregistry.Repository(
                `${name}-${region.name}`,
                {
                    project: region.project,
                    location: region.region,
                    repositoryId: artifactRepositoryId(config),
                    format: "DOCKER",
                    description: `LLM-track TorchServe images of ${config.project}/${config.stack}`,
                    dockerConfig: { immutableTags: true },
                    // Container Scanning scans each push when the project has it on.
                    vulnerabilityScanningConfig: { enablementConfig: "INHERITED" },
                    cleanupPolicyDryRun: false,
                    cleanupPolicies: [
                        {
                            id: "expire-untagged",
                            action: "DELETE",
                            condition: { tagState: "UNTAGGED", olderThan: `${UNTAGGED_EXPIRY_DAYS * 86400}s` },
                        },
                    ],
                },
                {
                    parent: this,
                    provider: args.gcpProviders?.[region.project],
                    protect: region.protect,
                    retainOnDelete: true,
                    dependsOn: args.gcpApis?.[region.project]?.services ?? [],
                    aliases: formerAliases(region, (n) => `${name}-${n}`),
                },
            );
        }

        const ecrUrl = (region: string) => this.ecrRepositories[region].repositoryUrl;
        const arUrl = (region: GcpRegion) =>
            pulumi.interpolate`${region.region}-docker.pkg.dev/${region.project}/${this.artifactRepositories[region.name].repositoryId}/${LLM_IMAGE_NAME}`;
        this.sources = {};
        for (const region of config.regions) {
            if (region.cloud === "aws") this.sources[region.name] = { repository: ecrUrl(region.name) };
            else if (region.cloud === "gcp") this.sources[region.name] = { repository: arUrl(region) };
            else if (this.ecrRepositories[region.modelStoreSource]) {
                this.sources[region.name] = {
                    repository: ecrUrl(region.modelStoreSource),
                    pullSecret: config.secrets.edgeImagePullSecrets[region.name],
                };
            }
        }
        this.pushTargets = pulumi.all([primaryRepository.repositoryUrl, ...gcpRegions.map(arUrl)]);
        this.registerOutputs({
            pushTargets: this.pushTargets,
            sources: this.sources,
            ecrRepositories: this.ecrRepositories,
            artifactRepositories: this.artifactRepositories,
        });
    }
}
