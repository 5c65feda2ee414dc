import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { lifecycleDaysProblems } from "../global/modelStoreLifecycle";
import { CLOUD_KMS_API } from "./apis";

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
    /** `protect` the bucket and its encryption key (default false; true in prod). */
    protect?: boolean;
    /** Provider for the project (default: inherited from the parent). */
    provider?: gcp.Provider;
    /** Labels on the bucket (default none). */
    labels?: Record<string, string>;
}

const SECONDS_PER_DAY = 86_400;

/** 90 days: Cloud KMS rotates the key's primary version on this period. */
const KEY_ROTATION = `${90 * SECONDS_PER_DAY}s`;

/**
 * One GCP region's copy of the model store: a private GCS bucket in the serving region
 * with uniform access, versioning and soft delete, encrypted by default with its own
 * Cloud KMS key (as each S3 copy has its own AWS KMS key). Bucket and key are kept
 * (retainOnDelete) when the component is removed.
 */
export class GcsModelStoreBucket extends pulumi.ComponentResource {
    public readonly bucket: gcp.storage.Bucket;
    public readonly kmsApi: gcp.projects.Service;
    public readonly keyRing: gcp.kms.KeyRing;
    public readonly key: gcp.kms.CryptoKey;
    /** Lets Cloud Storage's service agent use the key; the bucket is created after it. */
    public readonly keyUser: gcp.kms.CryptoKeyIAMMember;
    /** `projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
    public readonly keyName: pulumi.Output<string>;
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
        problems.push(...lifecycleDaysProblems(args));
        if (!Number.isInteger(args.softDeleteDays) || args.softDeleteDays < 7 || args.softDeleteDays > 90) {
            problems.push(`softDeleteDays must be a whole number of days from 7 to 90, got ${args.softDeleteDays}`);
        }
        if (problems.length > 0) throw new Error(`GcsModelStoreBucket ${name}: ${problems.join("; ")}`);

        this.location = args.location;
        this.project = args.project;
        const child = { parent: this, provider: args.provider };
        const project = args.project;
        const location = args.location;

        this.kmsApi = new gcp.projects.Service(
            `${name}-kms-api`,
            // Never disabled on delete: other keys in the project may use the API.
            { project, service: CLOUD_KMS_API, disableOnDestroy: false, disableDependentServices: false },
            child,
        );

        // Key rings and keys can never be deleted in Cloud KMS, so their names carry the
        // bucket's unique name: a recreated stack gets new ones instead of a name clash.
        this.keyRing = new gcp.kms.KeyRing(
            `${name}-keyring`,
            { project, location, name: args.bucketName },
            { ...child, retainOnDelete: true, dependsOn: [this.kmsApi] },
        );
        const keyRingPath = pulumi.interpolate`projects/${project}/locations/${location}/keyRings/${this.keyRing.name}`;

        this.key = new gcp.kms.CryptoKey(
            `${name}-key`,
            { keyRing: keyRingPath, name: "model-archives", purpose: "ENCRYPT_DECRYPT", rotationPeriod: KEY_ROTATION, labels: args.labels },
            // Destroying the key destroys its versions and with them every object it encrypts.
            { ...child, retainOnDelete: true, protect: args.protect ?? false },
        );
        this.keyName = pulumi.interpolate`${keyRingPath}/cryptoKeys/${this.key.name}`;

        // Cloud Storage encrypts and decrypts through its per-project service agent; readers
        // and the transfer agent need no key permission of their own.
        const storageAgent = gcp.storage.getProjectServiceAccountOutput({ project }, child);
        this.keyUser = new gcp.kms.CryptoKeyIAMMember(
            `${name}-key-user`,
            {
                cryptoKeyId: this.keyName,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:${storageAgent.emailAddress}`,
            },
            // A kept bucket whose agent lost the key could neither be read nor written.
            { ...child, retainOnDelete: true },
        );

        this.bucket = new gcp.storage.Bucket(
            `${name}-bucket`,
            {
                project: args.project,
                name: args.bucketName,
                location: args.location,
                storageClass: "STANDARD",
                encryption: { defaultKmsKeyName: this.keyName },
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                softDeletePolicy: { retentionDurationSeconds: args.softDeleteDays * SECONDS_PER_DAY },
                lifecycleRules: [
                    {
                        action: { type: "Delete" },
                        condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays, withState: "ARCHIVED" },
                    },
                    { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: args.abortIncompleteUploadDays } },
                ],
                forceDestroy: false,
                labels: args.labels,
            },
            // GCS refuses a default key its service agent cannot use.
            { ...child, retainOnDelete: true, protect: args.protect ?? false, dependsOn: [this.keyUser] },
        );

        this.bucketName = this.bucket.name;
        this.uri = pulumi.interpolate`gs://${this.bucket.name}`;

        this.registerOutputs({
            bucketName: this.bucketName,
            uri: this.uri,
            keyName: this.keyName,
            bucket: this.bucket,
            kmsApi: this.kmsApi,
            keyRing: this.keyRing,
            key: this.key,
            keyUser: this.keyUser,
            location: this.location,
            project: this.project,
        });
    }
}
