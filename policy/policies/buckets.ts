/**
 * Joining S3 buckets to the separate resources that configure them (public access block,
 * versioning, encryption, bucket policy) inside a stack policy.
 */
import { text, type PolicyResource, type StackValidationArgs } from "./util";

export const S3 = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    encryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

export const S3_BUCKET_TYPES: readonly string[] = [S3.bucket, S3.bucketV2];

/**
 * Whether `companion` configures `bucket`. The engine records that its `bucket` input came
 * from the bucket (property dependencies), which holds at preview when the bucket's id is
 * still unknown. Without that record (a plan that does not carry it) the input's value is
 * compared with the bucket's name instead.
 */
function configures(companion: PolicyResource, bucket: PolicyResource): boolean {
    const dependencies = companion.propertyDependencies["bucket"] ?? [];
    if (dependencies.length > 0) return dependencies.some((d) => d.urn === bucket.urn);
    const target = text(companion.props.bucket);
    if (target === undefined) return false;
    return target === bucket.name || target === text(bucket.props.bucket);
}

export interface CompanionRule {
    companionTypes: readonly string[];
    /** The companion resource's props satisfy the rule. */
    companionSatisfies: (props: Record<string, unknown>) => boolean;
    /** The bucket's own (deprecated inline) arguments satisfy the rule. */
    inlineSatisfies?: (props: Record<string, unknown>) => boolean;
}

/** Buckets that neither configure the rule inline nor have a satisfying companion. */
export function bucketsWithout(args: StackValidationArgs, rule: CompanionRule): PolicyResource[] {
    const buckets = args.resources.filter((r) => S3_BUCKET_TYPES.includes(r.type));
    if (buckets.length === 0) args.notApplicable("no S3 buckets in the stack");
    const companions = args.resources.filter((r) => rule.companionTypes.includes(r.type));
    return buckets.filter((bucket) => {
        if (rule.inlineSatisfies?.(bucket.props)) return false;
        return !companions.some((c) => configures(c, bucket) && rule.companionSatisfies(c.props));
    });
}
