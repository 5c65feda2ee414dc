import type { KeyArgs } from "@pulumi/aws/kms/key";
import type { BucketArgs } from "@pulumi/aws/s3/bucket";
import type { BucketLifecycleConfigurationArgs } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import type { BucketPublicAccessBlockArgs } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import type { BucketServerSideEncryptionConfigurationArgs } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import type { BucketVersioningArgs } from "@pulumi/aws/s3/bucketVersioning";
import type { BucketArgs as GcsBucketArgs } from "@pulumi/gcp/storage/bucket";
import type { Unwrap } from "@pulumi/pulumi";
import { storagePolicies } from "../policy/policies";
import { cloud, notApplicableReason, testPolicies, UNKNOWN, urnOf } from "./policy-harness";

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
        fields: ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"],
        reject: [
            {
                title: "one setting off",
                field: "restrictPublicBuckets",
                resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked, restrictPublicBuckets: false }),
                message: "does not set restrictPublicBuckets to true",
            },
            {
                title: "settings left to defaults",
                field: "blockPublicAcls",
                resources: publicAccessBlock({ bucket: "mf-models" }),
                message: "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets",
            },
            {
                title: "public policies allowed",
                field: "blockPublicPolicy",
                resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked, blockPublicPolicy: false }),
                message: "public access block model-store-pab does not set blockPublicPolicy to true.",
            },
            {
                title: "public ACLs honoured",
                field: "ignorePublicAcls",
                resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked, ignorePublicAcls: false }),
                message: "public access block model-store-pab does not set ignorePublicAcls to true.",
            },
        ],
        accept: [{ title: "all four on", resources: publicAccessBlock({ bucket: "mf-models", ...allBlocked }) }],
    },
    "s3-bucket-has-public-access-block": {
        fields: [
            "BucketPublicAccessBlock.bucket",
            "BucketPublicAccessBlock.blockPublicAcls",
            "BucketPublicAccessBlock.blockPublicPolicy",
            "BucketPublicAccessBlock.ignorePublicAcls",
            "BucketPublicAccessBlock.restrictPublicBuckets",
        ],
        reject: [
            {
                title: "bucket alone",
                field: "BucketPublicAccessBlock.bucket",
                resources: [bucket("model-store")],
                message: "S3 bucket model-store has no BucketPublicAccessBlock",
            },
            {
                title: "a block with a setting off",
                field: "BucketPublicAccessBlock.ignorePublicAcls",
                resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked, ignorePublicAcls: false })],
                message: "has no BucketPublicAccessBlock with all four settings true",
            },
            {
                title: "a block for another bucket",
                field: "BucketPublicAccessBlock.bucket",
                resources: [bucket("model-store"), bucket("replica"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked }, "replica")],
                message: "S3 bucket model-store has no BucketPublicAccessBlock with all four settings true.",
            },
            {
                title: "a block that allows public ACLs",
                field: "BucketPublicAccessBlock.blockPublicAcls",
                resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked, blockPublicAcls: false })],
                message: "S3 bucket model-store has no BucketPublicAccessBlock with all four settings true.",
            },
            {
                title: "a block that allows public policies",
                field: "BucketPublicAccessBlock.blockPublicPolicy",
                resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked, blockPublicPolicy: false })],
                message: "S3 bucket model-store has no BucketPublicAccessBlock with all four settings true.",
            },
            {
                title: "a block that does not restrict public buckets",
                field: "BucketPublicAccessBlock.restrictPublicBuckets",
                resources: [bucket("model-store"), publicAccessBlock({ bucket: UNKNOWN, ...allBlocked, restrictPublicBuckets: false })],
                message: "S3 bucket model-store has no BucketPublicAccessBlock with all four settings true.",
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
        fields: ["BucketVersioning.bucket", "BucketVersioning.versioningConfiguration.status", "Bucket.versioning.enabled"],
        reject: [
            {
                title: "no versioning",
                field: "BucketVersioning.bucket",
                resources: [bucket("model-store")],
                message: 'S3 bucket model-store has no BucketVersioning with status "Enabled"',
            },
            {
                title: "suspended",
                field: "BucketVersioning.versioningConfiguration.status",
                resources: [bucket("model-store"), versioning("Suspended")],
                message: "has no BucketVersioning",
            },
            {
                title: "each bucket needs its own",
                field: "BucketVersioning.bucket",
                resources: [bucket("model-store"), bucket("replica"), versioning("Enabled", "model-store")],
                message: "S3 bucket replica has no BucketVersioning",
            },
            {
                title: "a versioning resource that names no bucket",
                field: "BucketVersioning.bucket",
                resources: [
                    bucket("model-store"),
                    cloud("aws:s3/bucketVersioning:BucketVersioning", "orphan-versioning", {
                        versioningConfiguration: { status: "Enabled" },
                    }),
                ],
                message: 'S3 bucket model-store has no BucketVersioning with status "Enabled".',
            },
            {
                title: "deprecated inline versioning off",
                field: "Bucket.versioning.enabled",
                resources: [bucket("model-store", { versioning: { enabled: false } })],
                message: 'S3 bucket model-store has no BucketVersioning with status "Enabled".',
            },
        ],
        accept: [
            { title: "enabled", resources: [bucket("model-store"), versioning("Enabled")] },
            { title: "deprecated inline versioning", resources: [bucket("model-store", { versioning: { enabled: true } })] },
            {
                title: "a BucketVersioningV2",
                resources: [
                    bucket("model-store"),
                    cloud(
                        "aws:s3/bucketVersioningV2:BucketVersioningV2",
                        "model-store-versioning",
                        { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
                        linked("model-store"),
                    ),
                ],
            },
            {
                // A bucket input built from the bucket and another resource (a name with a random suffix).
                title: "linked through one of several dependencies",
                resources: [
                    bucket("model-store"),
                    cloud("random:index/randomId:RandomId", "suffix", { byteLength: 4 }),
                    cloud(
                        "aws:s3/bucketVersioning:BucketVersioning",
                        "model-store-versioning",
                        { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
                        {
                            propertyDependencies: {
                                bucket: [urnOf("random:index/randomId:RandomId", "suffix"), urnOf(BUCKET, "model-store")],
                            },
                        },
                    ),
                ],
            },
            {
                // Offline, without a dependency record, a bucket without a physical name goes by its resource name.
                title: "linked by the bucket's resource name",
                resources: [
                    bucket("model-store"),
                    cloud("aws:s3/bucketVersioning:BucketVersioning", "v", {
                        bucket: "model-store",
                        versioningConfiguration: { status: "Enabled" },
                    }),
                ],
            },
        ],
    },
    "s3-bucket-encryption-kms": {
        fields: [
            "BucketServerSideEncryptionConfiguration.bucket",
            "BucketServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.sseAlgorithm",
            "Bucket.serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        ],
        reject: [
            {
                title: "no encryption config",
                field: "BucketServerSideEncryptionConfiguration.bucket",
                resources: [bucket("model-store")],
                message: "S3 bucket model-store has no server-side encryption configuration using aws:kms",
            },
            {
                title: "SSE-S3 only",
                field: "BucketServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.sseAlgorithm",
                resources: [bucket("model-store"), encryption("AES256")],
                message: "using aws:kms",
            },
            {
                title: "SSE-KMS configured for another bucket",
                field: "BucketServerSideEncryptionConfiguration.bucket",
                resources: [bucket("model-store"), bucket("replica"), encryption("aws:kms", "replica")],
                message: "S3 bucket model-store has no server-side encryption configuration using aws:kms.",
            },
            {
                title: "deprecated inline SSE-S3",
                field: "Bucket.serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
                resources: [
                    bucket("model-store", {
                        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
                    }),
                ],
                message: "S3 bucket model-store has no server-side encryption configuration using aws:kms.",
            },
        ],
        accept: [
            { title: "SSE-KMS with a key unknown at preview", resources: [bucket("model-store"), encryption("aws:kms")] },
            { title: "dual-layer KMS", resources: [bucket("model-store"), encryption("aws:kms:dsse")] },
            {
                title: "deprecated inline SSE-KMS",
                resources: [
                    bucket("model-store", {
                        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } },
                    }),
                ],
            },
            {
                title: "one KMS rule among others, in a V2 configuration",
                resources: [
                    bucket("model-store"),
                    cloud(
                        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
                        "model-store-sse",
                        {
                            bucket: UNKNOWN,
                            rules: [
                                { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
                            ],
                        },
                        linked("model-store"),
                    ),
                ],
            },
        ],
    },
    "gcs-bucket-no-public-access": {
        fields: ["publicAccessPrevention", "uniformBucketLevelAccess"],
        reject: [
            {
                title: "inherited prevention",
                field: "publicAccessPrevention",
                resources: gcs("models", { publicAccessPrevention: undefined }),
                message: 'has publicAccessPrevention "inherited"',
            },
            {
                title: "prevention spelled out as inherited",
                field: "publicAccessPrevention",
                resources: gcs("models", { publicAccessPrevention: "inherited" }),
                message: 'GCS bucket models has publicAccessPrevention "inherited"; set it to "enforced".',
            },
            {
                title: "fine-grained ACLs",
                field: "uniformBucketLevelAccess",
                resources: gcs("models", { uniformBucketLevelAccess: false }),
                message: "GCS bucket models does not set uniformBucketLevelAccess: true, so object ACLs could make objects public.",
            },
        ],
        accept: [{ title: "enforced and uniform", resources: gcs("models") }],
    },
    "gcs-bucket-versioning": {
        fields: ["versioning.enabled"],
        reject: [
            {
                title: "no versioning",
                field: "versioning.enabled",
                resources: gcs("models", { versioning: undefined }),
                message: "does not set versioning.enabled: true",
            },
            {
                title: "versioning off",
                field: "versioning.enabled",
                resources: gcs("models", { versioning: { enabled: false } }),
                message: "GCS bucket models does not set versioning.enabled: true.",
            },
        ],
        accept: [{ title: "versioned", resources: gcs("models") }],
    },
    "gcs-bucket-cmek": {
        fields: ["encryption.defaultKmsKeyName"],
        reject: [
            {
                title: "Google-managed keys",
                field: "encryption.defaultKmsKeyName",
                resources: gcs("models", { encryption: undefined }),
                message: "GCS bucket models has no encryption.defaultKmsKeyName; objects use Google-managed keys.",
            },
        ],
        accept: [
            { title: "customer key", resources: gcs("models") },
            { title: "customer key unknown at preview", resources: gcs("models", { encryption: { defaultKmsKeyName: UNKNOWN } }) },
        ],
    },
    "model-store-data-protection": {
        fields: ["opts.protect", "forceDestroy", 'tags["modelfleet-decommission"]', 'labels["modelfleet-decommission"]'],
        reject: [
            {
                title: "unprotected S3 model store in prod",
                field: "opts.protect",
                resources: bucket("model-store-bucket", { bucket: "mf-models" }),
                settings: PROD,
                message: "model-store bucket model-store-bucket is not protected",
            },
            {
                title: "unprotected model store named in capitals, as a BucketV2",
                field: "opts.protect",
                resources: cloud("aws:s3/bucketV2:BucketV2", "ModelStore-use1", {}),
                settings: PROD,
                message: "model-store bucket ModelStore-use1 is not protected",
            },
            {
                title: "an unprotected bucket matching a configured pattern",
                field: "opts.protect",
                resources: bucket("weights-use1", {}),
                settings: { ...PROD, modelStorePattern: "^weights-" },
                message: "model-store bucket weights-use1 is not protected",
            },
            {
                title: "force-destroyable GCS model store",
                field: "forceDestroy",
                resources: gcs("modelstore", { forceDestroy: true }, true),
                settings: PROD,
                message: "sets forceDestroy: true",
            },
            {
                title: "force-destroyable S3 model store",
                field: "forceDestroy",
                resources: bucket("model-store-bucket", { forceDestroy: true }, true),
                settings: PROD,
                message: "model-store bucket model-store-bucket sets forceDestroy: true, which deletes every model on destroy.",
            },
            {
                title: "unprotected S3 model store whose removal marker is not 'true'",
                field: 'tags["modelfleet-decommission"]',
                resources: bucket("model-store-euw1-bucket", { bucket: "mf-models", tags: { "modelfleet-decommission": "yes" } }),
                settings: PROD,
                message:
                    "model-store bucket model-store-euw1-bucket is not protected; set the resource option protect: true (and retainOnDelete: true), or mark its region for removal (modelfleet-decommission=true, regions[].decommission).",
            },
            {
                title: "unprotected GCS model store whose removal label is not 'true'",
                field: 'labels["modelfleet-decommission"]',
                resources: gcs("model-store-usc1-bucket", { labels: { "modelfleet-decommission": "false" } }),
                settings: PROD,
                message: "model-store bucket model-store-usc1-bucket is not protected",
            },
            {
                title: "a region being removed still may not force-destroy its copy",
                field: "forceDestroy",
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
            {
                title: "protected and not force-destroyable",
                resources: bucket("model-store-bucket", { forceDestroy: false }, true),
                settings: PROD,
            },
        ],
    },
    "model-store-retention-floor": {
        fields: [
            "rules.noncurrentVersionExpiration.noncurrentDays",
            "rules.expiration.days",
            "rules.expiration.date",
            "lifecycleRules.condition.daysSinceNoncurrentTime",
            "lifecycleRules.condition.withState",
        ],
        reject: [
            {
                title: "S3 noncurrent versions kept 1 day in prod",
                field: "rules.noncurrentVersionExpiration.noncurrentDays",
                resources: lifecycle("model-store-use1-lifecycle", 1),
                settings: PROD_RETENTION,
                message:
                    "lifecycle model-store-use1-lifecycle rule expire-noncurrent-versions deletes noncurrent versions after 1 day(s); the floor is 30 days.",
            },
            {
                title: "a model store named in capitals is matched all the same",
                field: "rules.noncurrentVersionExpiration.noncurrentDays",
                resources: lifecycle("Model-Store-use1-lifecycle", 1),
                settings: PROD_RETENTION,
                message:
                    "lifecycle Model-Store-use1-lifecycle rule expire-noncurrent-versions deletes noncurrent versions after 1 day(s); the floor is 30 days.",
            },
            {
                title: "GCS noncurrent versions kept 29 days in prod",
                field: "lifecycleRules.condition.daysSinceNoncurrentTime",
                resources: gcsKeeping("model-store-usc1-bucket", 29),
                settings: PROD_RETENTION,
                message: "GCS bucket model-store-usc1-bucket deletes noncurrent versions after 29 day(s); the floor is 30 days.",
            },
            {
                title: "a rule that expires current models",
                field: "rules.expiration.days",
                resources: lifecycle("model-store-use1-lifecycle", 30, [{ id: "expire-all", status: "Enabled", expiration: { days: 90 } }]),
                settings: PROD_RETENTION,
                message: "rule expire-all expires current objects, which deletes served models.",
            },
            {
                title: "a GCS rule that deletes live objects",
                field: "lifecycleRules.condition.withState",
                resources: gcs("model-store-usc1-bucket", { lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30 } }] }),
                settings: PROD_RETENTION,
                message: "has a Delete rule for ANY objects, which deletes served models.",
            },
            {
                title: "a rule that expires current models on a date",
                field: "rules.expiration.date",
                resources: lifecycle("model-store-use1-lifecycle", 30, [
                    { id: "expire-on-date", status: "Enabled", expiration: { date: "2027-01-01T00:00:00Z" } },
                ]),
                settings: PROD_RETENTION,
                message: "lifecycle model-store-use1-lifecycle rule expire-on-date expires current objects, which deletes served models.",
            },
            {
                title: "a GCS Delete rule for LIVE objects",
                field: "lifecycleRules.condition.withState",
                resources: gcs("model-store-usc1-bucket", {
                    lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30, withState: "LIVE" } }],
                }),
                settings: PROD_RETENTION,
                message: "GCS bucket model-store-usc1-bucket has a Delete rule for LIVE objects, which deletes served models.",
            },
            {
                title: "an unnamed S3 rule one day under the floor",
                field: "rules.noncurrentVersionExpiration.noncurrentDays",
                resources: cloud("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "model-store-use1-lifecycle", {
                    bucket: UNKNOWN,
                    rules: [{ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 29 } }],
                }),
                settings: PROD_RETENTION,
                message:
                    "lifecycle model-store-use1-lifecycle rule (unnamed) deletes noncurrent versions after 29 day(s); the floor is 30 days.",
            },
        ],
        accept: [
            { title: "S3 at the prod floor", resources: lifecycle("model-store-use1-lifecycle", 30), settings: PROD_RETENTION },
            { title: "GCS above the prod floor", resources: gcsKeeping("model-store-usc1-bucket", 45), settings: PROD_RETENTION },
            { title: "dev keeps a day (default floor)", resources: lifecycle("model-store-use1-lifecycle", 1) },
            { title: "buckets outside the model store", resources: lifecycle("access-logs-lifecycle", 1), settings: PROD_RETENTION },
            {
                title: "a disabled S3 rule",
                resources: cloud("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "model-store-use1-lifecycle", {
                    bucket: UNKNOWN,
                    rules: [{ id: "old", status: "Disabled", noncurrentVersionExpiration: { noncurrentDays: 1 }, expiration: { days: 1 } }],
                } satisfies Unwrap<BucketLifecycleConfigurationArgs>),
                settings: PROD_RETENTION,
            },
            {
                title: "GCS rules that delete only archived versions or change storage class",
                resources: gcs("model-store-usc1-bucket", {
                    lifecycleRules: [
                        { action: { type: "Delete" }, condition: { age: 30, withState: "ARCHIVED" } },
                        { action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: 1 } },
                        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30 } },
                    ],
                }),
                settings: PROD_RETENTION,
            },
        ],
    },
    "kms-key-rotation": {
        fields: ["enableKeyRotation"],
        reject: [
            {
                title: "rotation off",
                field: "enableKeyRotation",
                resources: kmsKey({ description: "model store" }),
                message: "does not set enableKeyRotation: true",
            },
            {
                title: "rotation off on an explicitly symmetric key",
                field: "enableKeyRotation",
                resources: kmsKey({ customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false }),
                message: "KMS key models does not set enableKeyRotation: true.",
            },
        ],
        accept: [
            { title: "rotation on", resources: kmsKey({ enableKeyRotation: true }) },
            {
                title: "asymmetric signing keys cannot rotate",
                resources: kmsKey({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
            },
            { title: "an asymmetric key spec alone", resources: kmsKey({ customerMasterKeySpec: "RSA_2048" }) },
            { title: "an HMAC key usage alone", resources: kmsKey({ keyUsage: "GENERATE_VERIFY_MAC" }) },
        ],
    },
});

describe("storage policies as the pack lists them", () => {
    test("names, descriptions and levels", () => {
        expect(storagePolicies.map((p) => [p.name, p.description, p.enforcementLevel])).toEqual([
            ["s3-public-access-block-all", "S3 public access blocks turn on all four settings.", "mandatory"],
            ["s3-bucket-has-public-access-block", "Every S3 bucket has a public access block with all four settings on.", "mandatory"],
            [
                "s3-bucket-versioning-enabled",
                "Every S3 bucket has versioning Enabled (replication and recovery of model versions need it).",
                "mandatory",
            ],
            ["s3-bucket-encryption-kms", "Every S3 bucket encrypts by default with SSE-KMS.", "mandatory"],
            ["gcs-bucket-no-public-access", "GCS buckets enforce public access prevention and uniform bucket-level access.", "mandatory"],
            ["gcs-bucket-versioning", "GCS buckets keep object versions.", "mandatory"],
            ["gcs-bucket-cmek", "GCS buckets name a customer-managed KMS key for default encryption.", "advisory"],
            [
                "model-store-data-protection",
                "With requireDataProtection (prod), model-store buckets are protected from deletion (unless tagged or labelled modelfleet-decommission=true while their region is removed) and never force-destroyable.",
                "mandatory",
            ],
            [
                "model-store-retention-floor",
                "Model-store lifecycle rules keep noncurrent (overwritten or deleted) versions at least minNoncurrentVersionDays (30 in prod) and never expire current objects.",
                "mandatory",
            ],
            ["kms-key-rotation", "Symmetric AWS KMS keys rotate automatically.", "mandatory"],
        ]);
    });

    test("settings of the model-store rules", () => {
        expect(storagePolicies.filter((p) => p.configSchema !== undefined).map((p) => [p.name, p.configSchema])).toEqual([
            [
                "model-store-data-protection",
                {
                    properties: {
                        requireDataProtection: {
                            type: "boolean",
                            description: "Require protect on model-store buckets (true in prod).",
                            default: false,
                        },
                        modelStorePattern: {
                            type: "string",
                            description: "Regular expression matched against bucket resource names to find the model store.",
                            default: "model-?store",
                        },
                    },
                },
            ],
            [
                "model-store-retention-floor",
                {
                    properties: {
                        minNoncurrentVersionDays: {
                            type: "integer",
                            description:
                                "Fewest days a noncurrent model version is kept: the window to undo an accidental delete or overwrite.",
                            default: 1,
                            minimum: 1,
                        },
                        modelStorePattern: {
                            type: "string",
                            description: "Regular expression matched against resource names to find the model store.",
                            default: "model-?store",
                        },
                    },
                },
            ],
        ]);
    });

    test("reasons the per-resource rules give for not applying", () => {
        expect(notApplicableReason("model-store-data-protection", bucket("model-store-bucket"))).toBe(
            "requireDataProtection is off for this stack",
        );
        expect(notApplicableReason("model-store-data-protection", bucket("access-logs"), PROD)).toBe("not a model-store bucket");
        expect(notApplicableReason("model-store-data-protection", bucket("model-store-bucket"), PROD)).toBeUndefined();
        expect(notApplicableReason("model-store-retention-floor", lifecycle("access-logs-lifecycle", 1))).toBe(
            "not part of the model store",
        );
        expect(notApplicableReason("kms-key-rotation", kmsKey({ customerMasterKeySpec: "RSA_2048" }))).toBe("key type cannot rotate");
        expect(notApplicableReason("kms-key-rotation", kmsKey({}))).toBeUndefined();
        expect(notApplicableReason("model-store-data-protection", kmsKey({}), PROD)).toBe(
            "Policy only applies to resources of type 'aws:s3/bucket:Bucket', 'aws:s3/bucketV2:BucketV2', 'gcp:storage/bucket:Bucket'",
        );
        expect(notApplicableReason("model-store-retention-floor", kmsKey({}))).toBe(
            "Policy only applies to resources of type 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'gcp:storage/bucket:Bucket'",
        );
    });
});
