import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecycleDaysProblems } from "../global/modelStoreLifecycle";
import { tlsOnlyBucketPolicy } from "./modelStorePolicies";

export interface ModelStoreBucketArgs {
    /** AWS region of the bucket and its KMS key, e.g. us-east-1 (required). */
    region: string;
    /** Globally unique bucket name (required); keep it stable, a new name is a new bucket. */
    bucketName: pulumi.Input<string>;
    /** Days a noncurrent (overwritten or deleted) object version is kept (required, >= 1). */
    noncurrentVersionDays: number;
    /** Days after which an unfinished multipart upload is aborted (required, >= 1). */
    abortIncompleteUploadDays: number;
    /** `protect` the bucket and its key (default false; true in prod). */
    protect?: boolean;
    /** Provider for every child (default: inherited from the parent). */
    provider?: aws.Provider;
    /** Tags on the bucket and key (default none). */
    tags?: Record<string, string>;
}

/**
 * One region's copy of the model store: a versioned, SSE-KMS encrypted, private S3 bucket
 * that only answers over TLS 1.2+, with its own KMS key. The bucket and its settings are
 * kept (retainOnDelete) when the component is removed: a stack change never deletes models
 * or leaves a kept bucket without its protections.
 */
export class ModelStoreBucket extends pulumi.ComponentResource {
    public readonly region: string;
    public readonly bucket: aws.s3.Bucket;
    public readonly key: aws.kms.Key;
    /** Replication must be created after versioning on both sides; depend on this. */
    public readonly versioning: aws.s3.BucketVersioning;
    public readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
    public readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    public readonly ownershipControls: aws.s3.BucketOwnershipControls;
    public readonly policy: aws.s3.BucketPolicy;
    public readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly keyArn: pulumi.Output<string>;
    /** `s3://<bucket>`. */
    public readonly uri: pulumi.Output<string>;

    constructor(name: string, args: ModelStoreBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:ModelStoreBucket", name, {}, opts);

        const problems: string[] = [];
        if (!args.region) problems.push("region is required");
        problems.push(...lifecycleDaysProblems(args));
        if (problems.length > 0) throw new Error(`ModelStoreBucket ${name}: ${problems.join("; ")}`);

        this.region = args.region;
        const region = args.region;
        const protect = args.protect ?? false;
        const child = { parent: this, provider: args.provider };
        // Every child is kept on delete: a deleted versioning resource would suspend
        // versioning, a deleted public-access block would open the kept bucket.
        const kept = { ...child, retainOnDelete: true };

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                region,
                description: `modelfleet model store (${region}): encrypts model archives at rest`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags: args.tags,
            },
            // The key outlives the bucket: without it every stored object is unreadable.
            { ...kept, protect },
        );

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            { region, bucket: args.bucketName, forceDestroy: false, tags: args.tags },
            { ...kept, protect },
        );
        const bucketId = this.bucket.bucket;

        this.ownershipControls = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { region, bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
            kept,
        );

        this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                region,
                bucket: bucketId,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            kept,
        );

        this.versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { region, bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
            kept,
        );

        this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                region,
                bucket: bucketId,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            kept,
        );

        this.policy = new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            { region, bucket: bucketId, policy: this.bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
            // S3 rejects concurrent configuration calls on one bucket; the public-access
            // block goes first so the policy is checked against it.
            { ...kept, dependsOn: [this.publicAccessBlock] },
        );

        this.lifecycle = new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                region,
                bucket: bucketId,
                rules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: { prefix: "" },
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                    {
                        id: "abort-incomplete-multipart-uploads",
                        status: "Enabled",
                        filter: { prefix: "" },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteUploadDays },
                    },
                ],
            },
            // Noncurrent-version rules act on a versioned bucket; apply them after versioning.
            { ...kept, dependsOn: [this.versioning] },
        );

        this.bucketName = bucketId;
        this.bucketArn = this.bucket.arn;
        this.keyArn = this.key.arn;
        this.uri = pulumi.interpolate`s3://${bucketId}`;

        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            keyArn: this.keyArn,
            uri: this.uri,
            region: this.region,
            bucket: this.bucket,
            key: this.key,
            versioning: this.versioning,
            encryption: this.encryption,
            publicAccessBlock: this.publicAccessBlock,
            ownershipControls: this.ownershipControls,
            policy: this.policy,
            lifecycle: this.lifecycle,
        });
    }
}
