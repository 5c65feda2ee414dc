/**
 * Names and paths of the model store, as pure functions: the serving stack, the docs and
 * the tests compute the same keys and bucket names the store creates.
 */

/** Every archive lives under this prefix; replication and transfer copy only it. */
export const MODEL_PREFIX = "models/";

/** Bytes of the random bucket-name suffix (8 hex characters). */
export const BUCKET_SUFFIX_BYTES = 4;

const segment = /^[0-9A-Za-z][0-9A-Za-z._-]*$/;

/** The object key of a model archive: `models/<name>/<version>/<name>.mar`. */
export function modelArchiveKey(name: string, version: string): string {
    const bad = [
        ["name", name],
        ["version", version],
    ].filter(([, value]) => !segment.test(value));
    if (bad.length > 0) {
        throw new Error(
            `modelArchiveKey: ${bad.map(([what, value]) => `${what} '${value}' must be letters, digits, '.', '_' or '-' (no '/')`).join("; ")}`,
        );
    }
    return `${MODEL_PREFIX}${name}/${version}/${name}.mar`;
}

/**
 * The name a region's model-store resources are keyed by: the region's `formerName` after a
 * rename, else its name. Bucket names embed it, and a bucket cannot be renamed, so it
 * stays what it was when the copy was created.
 */
export function storeKey(region: { name: string; formerName?: string }): string {
    return region.formerName ?? region.name;
}

/**
 * Bucket name of one region's copy (S3 and GCS alike). The suffix comes from a RandomId kept
 * in state, so names are globally unique across stacks and accounts and never change on
 * their own; at most 18 + 20 + 1 + 8 = 47 characters, under both clouds' limit of 63.
 */
export function storeBucketName(regionName: string, suffix: string): string {
    return `modelfleet-models-${regionName}-${suffix}`;
}

/**
 * Account id of the Google service account that reads one region's GCS copy. Service
 * account ids are unique per project and at most 30 characters, so the suffix keeps two
 * stacks in one project apart and long region names are cut to fit.
 */
export function gcpReaderAccountId(regionName: string, suffix: string): string {
    const region = regionName.slice(0, 30 - "mfm--".length - suffix.length).replace(/-+$/, "");
    return `mfm-${region}-${suffix}`;
}

/**
 * The one-line command that publishes a model version to the primary bucket. Default
 * encryption (SSE-KMS) applies on upload; replication and transfer carry it to every region.
 */
export function publishCommand(primaryBucket: string, primaryRegion: string): string {
    return `aws s3 cp "./$MODEL.mar" "s3://${primaryBucket}/${MODEL_PREFIX}$MODEL/$VERSION/$MODEL.mar" --region ${primaryRegion}`;
}
