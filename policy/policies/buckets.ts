/**
 * Joining S3 buckets to the separate resources that configure them (public access block,
 * versioning, encryption, bucket policy) inside a stack policy.
 */
import type { BucketArgs } from "@pulumi/aws/s3/bucket";
import type { BucketV2Args } from "@pulumi/aws/s3/bucketV2";
import { inputsOf, text, type Inputs, type PolicyResource, type StackValidationArgs } from "./util";

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
    const target = text(inputsOf<{ bucket: string }>(companion.props).bucket);
    if (target === undefined) return false;
    return target === bucket.name || target === text(inputsOf<BucketArgs>(bucket.props).bucket);
}

/** Both bucket resources' inputs, as the inline rules read them. */
export type S3BucketInputs = Inputs<BucketArgs | BucketV2Args>;

/** `CompanionArgs`: the provider input type of the companion resources. */
export interface CompanionRule<CompanionArgs> {
    companionTypes: readonly string[];
    /** The companion resource's props satisfy the rule. */
    companionSatisfies: (props: Inputs<CompanionArgs>) => boolean;
    /** The bucket's own (deprecated inline) arguments satisfy the rule. */
    inlineSatisfies?: (props: S3BucketInputs) => boolean;
}

/** Buckets that neither configure the rule inline nor have a satisfying companion. */
export function bucketsWithout<CompanionArgs>(args: StackValidationArgs, rule: CompanionRule<CompanionArgs>): PolicyResource[] {
    const buckets = args.resources.filter((r) => S3_BUCKET_TYPES.includes(r.type));
    if (buckets.length === 0) args.notApplicable("no S3 buckets in the stack");
    const companions = args.resources.filter((r) => rule.companionTypes.includes(r.type));
    return buckets.filter((bucket) => {
        if (rule.inlineSatisfies?.(inputsOf<BucketArgs | BucketV2Args>(bucket.props))) return false;
        return !companions.some((c) => configures(c, bucket) && rule.companionSatisfies(inputsOf<CompanionArgs>(c.props)));
    });
}
