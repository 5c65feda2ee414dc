/**
 * The model store and other buckets: never public, versioned, encrypted with KMS keys that
 * rotate, and in production protected from deletion.
 */
import type { KeyArgs } from "@pulumi/aws/kms/key";
import type { BucketLifecycleConfigurationArgs } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import type { BucketPublicAccessBlockArgs } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import type { BucketServerSideEncryptionConfigurationArgs } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import type { BucketVersioningArgs } from "@pulumi/aws/s3/bucketVersioning";
import type { BucketArgs as GcsBucketArgs } from "@pulumi/gcp/storage/bucket";
import { bucketsWithout, S3, S3_BUCKET_TYPES } from "./buckets";
import type { BucketArgs as S3BucketArgs } from "@pulumi/aws/s3/bucket";
import {
    DECOMMISSION_MARKER,
    flag,
    forTypes,
    get,
    inputsOf,
    isSet,
    list,
    markedForRemoval,
    setting,
    settingsOf,
    text,
    type GuardPolicy,
    type Inputs,
} from "./util";

const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const PUBLIC_ACCESS_FLAGS = [
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
] as const satisfies ReadonlyArray<keyof BucketPublicAccessBlockArgs>;

const s3PublicAccessBlockAll: GuardPolicy = {
    name: "s3-public-access-block-all",
    description: "S3 public access blocks turn on all four settings.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<BucketPublicAccessBlockArgs>([S3.publicAccessBlock], (block, args, report) => {
        const off = PUBLIC_ACCESS_FLAGS.filter((f) => flag(block[f]) !== true);
        if (off.length > 0) report(`public access block ${args.name} does not set ${off.join(", ")} to true.`);
    }),
};

const s3BucketHasPublicAccessBlock: GuardPolicy = {
    name: "s3-bucket-has-public-access-block",
    description: "Every S3 bucket has a public access block with all four settings on.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const missing = bucketsWithout<BucketPublicAccessBlockArgs>(args, {
            companionTypes: [S3.publicAccessBlock],
            companionSatisfies: (block) => PUBLIC_ACCESS_FLAGS.every((f) => flag(block[f]) === true),
        });
        for (const bucket of missing) {
            report(`S3 bucket ${bucket.name} has no BucketPublicAccessBlock with all four settings true.`, bucket.urn);
        }
    },
};

const s3BucketVersioningEnabled: GuardPolicy = {
    name: "s3-bucket-versioning-enabled",
    description: "Every S3 bucket has versioning Enabled (replication and recovery of model versions need it).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const missing = bucketsWithout<BucketVersioningArgs>(args, {
            companionTypes: [S3.versioning, S3.versioningV2],
            companionSatisfies: (v) => text(get(v, "versioningConfiguration", "status")) === "Enabled",
            inlineSatisfies: (b) => flag(get(b, "versioning", "enabled")) === true,
        });
        for (const bucket of missing) {
            report(`S3 bucket ${bucket.name} has no BucketVersioning with status "Enabled".`, bucket.urn);
        }
    },
};

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
type EncryptionRule = NonNullable<Inputs<BucketServerSideEncryptionConfigurationArgs>["rules"]>[number];
const usesKms = (rule: EncryptionRule | undefined) =>
    KMS_ALGORITHMS.includes(text(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")) ?? "");

const s3BucketEncryptionKms: GuardPolicy = {
    name: "s3-bucket-encryption-kms",
    description: "Every S3 bucket encrypts by default with SSE-KMS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const missing = bucketsWithout<BucketServerSideEncryptionConfigurationArgs>(args, {
            companionTypes: [S3.encryption, S3.encryptionV2],
            companionSatisfies: (c) => list(c.rules).some(usesKms),
            inlineSatisfies: (b) => usesKms(get(b, "serverSideEncryptionConfiguration", "rule")),
        });
        for (const bucket of missing) {
            report(`S3 bucket ${bucket.name} has no server-side encryption configuration using aws:kms.`, bucket.urn);
        }
    },
};

const gcsBucketNoPublicAccess: GuardPolicy = {
    name: "gcs-bucket-no-public-access",
    description: "GCS buckets enforce public access prevention and uniform bucket-level access.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<GcsBucketArgs>([GCS_BUCKET], (bucket, args, report) => {
        const prevention = text(bucket.publicAccessPrevention) ?? "inherited";
        if (prevention !== "enforced") {
            report(`GCS bucket ${args.name} has publicAccessPrevention "${prevention}"; set it to "enforced".`);
        }
        if (flag(bucket.uniformBucketLevelAccess) !== true) {
            report(`GCS bucket ${args.name} does not set uniformBucketLevelAccess: true, so object ACLs could make objects public.`);
        }
    }),
};

const gcsBucketVersioning: GuardPolicy = {
    name: "gcs-bucket-versioning",
    description: "GCS buckets keep object versions.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<GcsBucketArgs>([GCS_BUCKET], (bucket, args, report) => {
        if (flag(get(bucket, "versioning", "enabled")) !== true) {
            report(`GCS bucket ${args.name} does not set versioning.enabled: true.`);
        }
    }),
};

const gcsBucketCmek: GuardPolicy = {
    name: "gcs-bucket-cmek",
    // Advisory: GCS already encrypts every object with Google-managed keys; a customer key
    // adds control over rotation and revocation, which not every stack needs.
    description: "GCS buckets name a customer-managed KMS key for default encryption.",
    enforcementLevel: "advisory",
    validateResource: forTypes<GcsBucketArgs>([GCS_BUCKET], (bucket, args, report) => {
        if (!isSet(get(bucket, "encryption"), "defaultKmsKeyName")) {
            report(`GCS bucket ${args.name} has no encryption.defaultKmsKeyName; objects use Google-managed keys.`);
        }
    }),
};

const dataProtectionDefaults = { requireDataProtection: false, modelStorePattern: "model-?store" };

const modelStoreDataProtection: GuardPolicy = {
    name: "model-store-data-protection",
    description:
        "With requireDataProtection (prod), model-store buckets are protected from deletion (unless tagged or labelled modelfleet-decommission=true while their region is removed) and never force-destroyable.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requireDataProtection: setting.boolean(
                "Require protect on model-store buckets (true in prod).",
                dataProtectionDefaults.requireDataProtection,
            ),
            modelStorePattern: setting.string(
                "Regular expression matched against bucket resource names to find the model store.",
                dataProtectionDefaults.modelStorePattern,
            ),
        },
    },
    validateResource: forTypes<S3BucketArgs | GcsBucketArgs>([...S3_BUCKET_TYPES, GCS_BUCKET], (bucket, args, report) => {
        const { requireDataProtection, modelStorePattern } = settingsOf(args, dataProtectionDefaults);
        if (!requireDataProtection) args.notApplicable("requireDataProtection is off for this stack");
        if (!new RegExp(modelStorePattern, "i").test(args.name)) args.notApplicable("not a model-store bucket");
        // The engine hands policies `protect` but not `retainOnDelete`, so protect is what
        // can be enforced identically here and under `pulumi preview`.
        // A region being removed leaves its copy behind (retainOnDelete); the marker makes that reviewable.
        const marked = markedForRemoval(
            args.type === GCS_BUCKET ? inputsOf<GcsBucketArgs>(args.props).labels : inputsOf<S3BucketArgs>(args.props).tags,
        );
        if (args.opts.protect !== true && !marked) {
            report(
                `model-store bucket ${args.name} is not protected; set the resource option protect: true (and retainOnDelete: true), or mark its region for removal (${DECOMMISSION_MARKER}=true, regions[].decommission).`,
            );
        }
        if (flag(bucket.forceDestroy) === true) {
            report(`model-store bucket ${args.name} sets forceDestroy: true, which deletes every model on destroy.`);
        }
    }),
};

const S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const retentionDefaults = { minNoncurrentVersionDays: 1, modelStorePattern: "model-?store" };

const modelStoreRetentionFloor: GuardPolicy = {
    name: "model-store-retention-floor",
    description:
        "Model-store lifecycle rules keep noncurrent (overwritten or deleted) versions at least minNoncurrentVersionDays (30 in prod) and never expire current objects.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minNoncurrentVersionDays: setting.integer(
                "Fewest days a noncurrent model version is kept: the window to undo an accidental delete or overwrite.",
                retentionDefaults.minNoncurrentVersionDays,
                1,
            ),
            modelStorePattern: setting.string(
                "Regular expression matched against resource names to find the model store.",
                retentionDefaults.modelStorePattern,
            ),
        },
    },
    validateResource: forTypes([S3_LIFECYCLE, GCS_BUCKET], (raw, args, report) => {
        const { minNoncurrentVersionDays, modelStorePattern } = settingsOf(args, retentionDefaults);
        if (!new RegExp(modelStorePattern, "i").test(args.name)) args.notApplicable("not part of the model store");
        const floor = `the floor is ${minNoncurrentVersionDays} days`;
        if (args.type === S3_LIFECYCLE) {
            for (const rule of list(inputsOf<BucketLifecycleConfigurationArgs>(raw).rules)) {
                if (text(get(rule, "status")) !== "Enabled") continue;
                const id = text(get(rule, "id")) ?? "(unnamed)";
                const days = get(rule, "noncurrentVersionExpiration", "noncurrentDays");
                if (typeof days === "number" && days < minNoncurrentVersionDays) {
                    report(`lifecycle ${args.name} rule ${id} deletes noncurrent versions after ${days} day(s); ${floor}.`);
                }
                if (isSet(get(rule, "expiration"), "days") || isSet(get(rule, "expiration"), "date")) {
                    report(`lifecycle ${args.name} rule ${id} expires current objects, which deletes served models.`);
                }
            }
            return;
        }
        for (const rule of list(inputsOf<GcsBucketArgs>(raw).lifecycleRules)) {
            if (text(get(rule, "action", "type")) !== "Delete") continue;
            const condition = get(rule, "condition");
            const days = get(condition, "daysSinceNoncurrentTime");
            if (typeof days === "number" && days < minNoncurrentVersionDays) {
                report(`GCS bucket ${args.name} deletes noncurrent versions after ${days} day(s); ${floor}.`);
            }
            const state = text(get(condition, "withState")) ?? "ANY";
            if (state !== "ARCHIVED" && typeof days !== "number") {
                report(`GCS bucket ${args.name} has a Delete rule for ${state} objects, which deletes served models.`);
            }
        }
    }),
};

const kmsKeyRotation: GuardPolicy = {
    name: "kms-key-rotation",
    description: "Symmetric AWS KMS keys rotate automatically.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<KeyArgs>(["aws:kms/key:Key"], (key, args, report) => {
        const spec = text(key.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
        const usage = text(key.keyUsage) ?? "ENCRYPT_DECRYPT";
        // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot.
        if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") args.notApplicable("key type cannot rotate");
        if (flag(key.enableKeyRotation) !== true) {
            report(`KMS key ${args.name} does not set enableKeyRotation: true.`);
        }
    }),
};

export const storagePolicies: GuardPolicy[] = [
    s3PublicAccessBlockAll,
    s3BucketHasPublicAccessBlock,
    s3BucketVersioningEnabled,
    s3BucketEncryptionKms,
    gcsBucketNoPublicAccess,
    gcsBucketVersioning,
    gcsBucketCmek,
    modelStoreDataProtection,
    modelStoreRetentionFloor,
    kmsKeyRotation,
];
