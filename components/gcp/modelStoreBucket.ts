import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface GcsModelStoreBucketArgs {
    /** GCP project that holds the bucket (required). */
    project: string;
    /** Bucket location: the serving region, e.g. us-central1 (required). */
    location: string;
    /** Globally unique bucket name (required); keep it stable, a new name is a new bucket. */
    bucketName: pulumi.Input<string>;
    /** Days a noncurrent object version is kept (required, >= 1). */
    noncurrentVersionDays: number;
    /** Days after which an unfinished multipart upload is aborted (required, >= 1). */
    abortIncompleteUploadDays: number;
    /** Days soft-deleted objects stay restorable (required, 7-90). */
    softDeleteDays: number;
    /** `protect` the bucket (default false; true in prod). */
    protect?: boolean;
    /** Provider for the project (default: inherited from the parent). */
    provider?: gcp.Provider;
    /** Labels on the bucket (default none). */
    labels?: Record<string, string>;
}

const SECONDS_PER_DAY = 86_400;

/**
 * One GCP region's copy of the model store: a private GCS bucket in the serving region
 * with uniform access, versioning and soft delete, kept (retainOnDelete) when the
 * component is removed.
 */
export class GcsModelStoreBucket extends pulumi.ComponentResource {
    public readonly bucket: gcp.storage.Bucket;
    public readonly bucketName: pulumi.Output<string>;
    /** `gs://<bucket>`. */
    public readonly uri: pulumi.Output<string>;
    public readonly location: string;
    public readonly project: string;

    constructor(name: string, args: GcsModelStoreBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:GcsModelStoreBucket", name, {}, opts);

        const problems: string[] = [];
        if (!args.project) problems.push("project is required");
        if (!args.location) problems.push("location is required");
        if (!Number.isInteger(args.noncurrentVersionDays) || args.noncurrentVersionDays < 1) {
            problems.push(`noncurrentVersionDays must be a whole number of days >= 1, got ${args.noncurrentVersionDays}`);
        }
        if (!Number.isInteger(args.abortIncompleteUploadDays) || args.abortIncompleteUploadDays < 1) {
            problems.push(`abortIncompleteUploadDays must be a whole number of days >= 1, got ${args.abortIncompleteUploadDays}`);
        }
        if (!Number.isInteger(args.softDeleteDays) || args.softDeleteDays < 7 || args.softDeleteDays > 90) {
            problems.push(`softDeleteDays must be a whole number of days from 7 to 90, got ${args.softDeleteDays}`);
        }
        if (problems.length > 0) throw new Error(`GcsModelStoreBucket ${name}: ${problems.join("; ")}`);

        this.location = args.location;
        this.project = args.project;

        this.bucket = new gcp.storage.Bucket(
            `${name}-bucket`,
            {
                project: args.project,
                name: args.bucketName,
                location: args.location,
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                softDeletePolicy: { retentionDurationSeconds: args.softDeleteDays * SECONDS_PER_DAY },
                lifecycleRules: [
                    { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays, withState: "ARCHIVED" } },
                    { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: args.abortIncompleteUploadDays } },
                ],
                forceDestroy: false,
                labels: args.labels,
            },
            { parent: this, provider: args.provider, retainOnDelete: true, protect: args.protect ?? false },
        );

        this.bucketName = this.bucket.name;
        this.uri = pulumi.interpolate`gs://${this.bucket.name}`;

        this.registerOutputs({ bucketName: this.bucketName, uri: this.uri });
    }
}
