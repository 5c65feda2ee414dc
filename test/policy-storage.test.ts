import type { KeyArgs } from "@pulumi/aws/kms/key";
import type { BucketArgs } from "@pulumi/aws/s3/bucket";
import type { BucketLifecycleConfigurationArgs } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import type { BucketPublicAccessBlockArgs } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import type { BucketServerSideEncryptionConfigurationArgs } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import type { BucketVersioningArgs } from "@pulumi/aws/s3/bucketVersioning";
import type { BucketArgs as GcsBucketArgs } from "@pulumi/gcp/storage/bucket";
import type { Unwrap } from "@pulumi/pulumi";
import { storagePolicies } from "../policy/policies";
import { cloud, testPolicies, UNKNOWN, urnOf } from "./policy-harness";

const BUCKET = "aws:s3/bucket:Bucket";
const bucket = (name: string, inputs: Unwrap<BucketArgs> = {}, protect?: boolean) =>
    cloud(BUCKET, name, inputs, protect === undefined ? {} : { opts: { protect } });
const linked = (bucketName: string) => ({ propertyDependencies: { bucket: [urnOf(BUCKET, bucketName)] } });

const allBlocked = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const publicAccessBlock = (inputs: Unwrap<BucketPublicAccessBlockArgs>, forBucket = "model-store") =>
    cloud("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${forBucket}-pab`, inputs, linked(forBucket));
const versioning = (status: string, forBucket = "model-store") =>
    cloud(
        "aws:s3/bucketVersioning:BucketVersioning",
        `${forBucket}-versioning`,
        { bucket: UNKNOWN, versioningConfiguration: { status } } satisfies Unwrap<BucketVersioningArgs>,
        linked(forBucket),
    );
const encryption = (sseAlgorithm: string, forBucket = "model-store") =>
    cloud(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        `${forBucket}-sse`,
        {
            bucket: UNKNOWN,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: UNKNOWN }, bucketKeyEnabled: true }],
        } satisfies Unwrap<BucketServerSideEncryptionConfigurationArgs>,
        linked(forBucket),
    );

const GCS = "gcp:storage/bucket:Bucket";
const goodGcs: Unwrap<GcsBucketArgs> = {
    location: "US-CENTRAL1",
    publicAccessPrevention: "enforced",
    uniformBucketLevelAccess: true,
    versioning: { enabled: true },
    encryption: { defaultKmsKeyName: "projects/p/locations/us-central1/keyRings/r/cryptoKeys/models" },
};
const gcs = (name: string, inputs: Partial<Unwrap<GcsBucketArgs>> = {}, protect?: boolean) =>
    cloud(GCS, name, { ...goodGcs, ...inputs } satisfies Unwrap<GcsBucketArgs>, protect === undefined ? {} : { opts: { protect } });

const kmsKey = (inputs: Unwrap<KeyArgs>) => cloud("aws:kms/key:Key", "models", inputs);
const PROD = { requireDataProtection: true };

const lifecycle = (name: string, noncurrentDays: number, extra: Unwrap<BucketLifecycleConfigurationArgs>["rules"] = []) =>
    cloud("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name, {
        bucket: UNKNOWN,
        rules: [
            {
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: { prefix: "" },
                noncurrentVersionExpiration: { noncurrentDays },
                expiration: { expiredObjectDeleteMarker: true },
            },
            ...(extra ?? []),
        ],
    } satisfies Unwrap<BucketLifecycleConfigurationArgs>);
const gcsKeeping = (name: string, days: number) =>
    gcs(name, { lifecycleRules: [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: days, withState: "ARCHIVED" } }] });
/** policy/config/prod.json's floor. */
const PROD_RETENTION = { minNoncurrentVersionDays: 30 };

testPolicies(storagePolicies, {
    "s3-public-access-block-all": {
        reject: [
            {
                title: "one setting off",
                resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked, restrictPublicBuckets: false }),
                message: "does not set restrictPublicBuckets to true",
            },
            {
                title: "settings left to defaults",
                resources: publicAccessBlock({ bucket: "mf-models" }),
                message: "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets",
            },
        ],
        accept: [{ title: "all four on", resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked }) }],
    },
    "s3-bucket-has-public-access-block": {
        reject: [
            { title: "bucket alone", resources: [bucket("model-store")], message: "S3 bucket model-store has no BucketPublicAccessBlock" },
            {
                title: "a block with a setting off",
                resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked, ignorePublicAcls: false })],
                message: "has no BucketPublicAccessBlock with all four settings true",
            },
        ],
        accept: [
            { title: "linked block", resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked })] },
            {
                title: "linked by physical name (offline plan without dependency record)",
                resources: [
                    bucket("model-store", { bucket: "mf-models" }),
                    cloud("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { bucket: "mf-models", ...allBlocked }),
                ],
            },
        ],
    },
    "s3-bucket-versioning-enabled": {
        reject: [
            {
                title: "no versioning",
                resources: [bucket("model-store")],
                message: 'S3 bucket model-store has no BucketVersioning with status "Enabled"',
            },
            { title: "suspended", resources: [bucket("model-store"), versioning("Suspended")], message: "has no BucketVersioning" },
            {
                title: "each bucket needs its own",
                resources: [bucket("model-store"), bucket("replica"), versioning("Enabled", "model-store")],
                message: "S3 bucket replica has no BucketVersioning",
            },
        ],
        accept: [
            { title: "enabled", resources: [bucket("model-store"), versioning("Enabled")] },
            { title: "deprecated inline versioning", resources: [bucket("model-store", { versioning: { enabled: true } })] },
        ],
    },
    "s3-bucket-encryption-kms": {
        reject: [
            {
                title: "no encryption config",
                resources: [bucket("model-store")],
                message: "S3 bucket model-store has no server-side encryption configuration using aws:kms",
            },
            { title: "SSE-S3 only", resources: [bucket("model-store"), encryption("AES256")], message: "using aws:kms" },
        ],
        accept: [
            { title: "SSE-KMS with a key unknown at preview", resources: [bucket("model-store"), encryption("aws:kms")] },
            { title: "dual-layer KMS", resources: [bucket("model-store"), encryption("aws:kms:dsse")] },
        ],
    },
    "gcs-bucket-no-public-access": {
        reject: [
            {
                title: "inherited prevention",
                resources: gcs("models", { publicAccessPrevention: undefined }),
                message: 'has publicAccessPrevention "inherited"',
            },
            {
                title: "fine-grained ACLs",
                resources: gcs("models", { uniformBucketLevelAccess: false }),
                message: "does not set uniformBucketLevelAccess: true",
            },
        ],
        accept: [{ title: "enforced and uniform", resources: gcs("models") }],
    },
    "gcs-bucket-versioning": {
        reject: [
            {
                title: "no versioning",
                resources: gcs("models", { versioning: undefined }),
                message: "does not set versioning.enabled: true",
            },
        ],
        accept: [{ title: "versioned", resources: gcs("models") }],
    },
    "gcs-bucket-cmek": {
        reject: [
            {
                title: "Google-managed keys",
                resources: gcs("models", { encryption: undefined }),
                message: "has no encryption.defaultKmsKeyName",
            },
        ],
        accept: [
            { title: "customer key", resources: gcs("models") },
            { title: "customer key unknown at preview", resources: gcs("models", { encryption: { defaultKmsKeyName: UNKNOWN } }) },
        ],
    },
    "model-store-data-protection": {
        reject: [
            {
                title: "unprotected S3 model store in prod",
                resources: bucket("model-store-bucket", { bucket: "mf-models" }),
                settings: PROD,
                message: "model-store bucket model-store-bucket is not protected",
            },
            {
                title: "force-destroyable GCS model store",
                resources: gcs("modelstore", { forceDestroy: true }, true),
                settings: PROD,
                message: "sets forceDestroy: true",
            },
            {
                title: "unprotected S3 model store whose removal marker is not 'true'",
                resources: bucket("model-store-euw1-bucket", { bucket: "mf-models", tags: { "modelfleet-decommission": "yes" } }),
                settings: PROD,
                message:
                    "model-store bucket model-store-euw1-bucket is not protected; set the resource option protect: true (and retainOnDelete: true), or mark its region for removal (modelfleet-decommission=true, regions[].decommission).",
            },
            {
                title: "a region being removed still may not force-destroy its copy",
                resources: gcs("model-store-usc1-bucket", { forceDestroy: true, labels: { "modelfleet-decommission": "true" } }),
                settings: PROD,
                message: "sets forceDestroy: true",
            },
        ],
        accept: [
            { title: "protected model store in prod", resources: bucket("model-store-bucket", {}, true), settings: PROD },
            {
                title: "unprotected S3 copy of a region marked for removal",
                resources: bucket("model-store-euw1-bucket", { bucket: "mf-models", tags: { "modelfleet-decommission": "true" } }),
                settings: PROD,
            },
            {
                title: "unprotected GCS copy of a region marked for removal",
                resources: gcs("model-store-usc1-bucket", { labels: { "modelfleet-decommission": "true" } }),
                settings: PROD,
            },
            { title: "not required outside prod", resources: bucket("model-store-bucket", { forceDestroy: true }) },
            { title: "other buckets in prod", resources: bucket("access-logs"), settings: PROD },
        ],
    },
    "model-store-retention-floor": {
        reject: [
            {
                title: "S3 noncurrent versions kept 1 day in prod",
                resources: lifecycle("model-store-use1-lifecycle", 1),
                settings: PROD_RETENTION,
                message:
                    "lifecycle model-store-use1-lifecycle rule expire-noncurrent-versions deletes noncurrent versions after 1 day(s); the floor is 30 days.",
            },
            {
                title: "GCS noncurrent versions kept 29 days in prod",
                resources: gcsKeeping("model-store-usc1-bucket", 29),
                settings: PROD_RETENTION,
                message: "GCS bucket model-store-usc1-bucket deletes noncurrent versions after 29 day(s); the floor is 30 days.",
            },
            {
                title: "a rule that expires current models",
                resources: lifecycle("model-store-use1-lifecycle", 30, [{ id: "expire-all", status: "Enabled", expiration: { days: 90 } }]),
                settings: PROD_RETENTION,
                message: "rule expire-all expires current objects, which deletes served models.",
            },
            {
                title: "a GCS rule that deletes live objects",
                resources: gcs("model-store-usc1-bucket", { lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30 } }] }),
                settings: PROD_RETENTION,
                message: "has a Delete rule for ANY objects, which deletes served models.",
            },
        ],
        accept: [
            { title: "S3 at the prod floor", resources: lifecycle("model-store-use1-lifecycle", 30), settings: PROD_RETENTION },
            { title: "GCS above the prod floor", resources: gcsKeeping("model-store-usc1-bucket", 45), settings: PROD_RETENTION },
            { title: "dev keeps a day (default floor)", resources: lifecycle("model-store-use1-lifecycle", 1) },
            { title: "buckets outside the model store", resources: lifecycle("access-logs-lifecycle", 1), settings: PROD_RETENTION },
        ],
    },
    "kms-key-rotation": {
        reject: [
            { title: "rotation off", resources: kmsKey({ description: "model store" }), message: "does not set enableKeyRotation: true" },
        ],
        accept: [
            { title: "rotation on", resources: kmsKey({ enableKeyRotation: true }) },
            {
                title: "asymmetric signing keys cannot rotate",
                resources: kmsKey({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
            },
        ],
    },
});
