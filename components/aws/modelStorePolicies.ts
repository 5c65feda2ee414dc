import type * as aws from "@pulumi/aws";

/**
 * IAM documents of the model store, as pure functions of plain ARNs: components resolve
 * their outputs and serialise these, tests and the docs read the same documents.
 */

/** A bucket and the KMS key its objects are encrypted with. */
export interface EncryptedBucket {
    bucketArn: string;
    keyArn: string;
    /** AWS region of bucket and key; KMS calls are allowed only through S3 in this region. */
    region: string;
}

/** Denies every request that is not TLS, or is TLS older than 1.2, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): aws.iam.PolicyDocument {
    const resources = [bucketArn, `${bucketArn}/*`];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyTlsOlderThan12",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ],
    };
}

/**
 * KMS permission scoped to one key, used only by S3 in the key's region on this bucket.
 * With S3 Bucket Keys the encryption context is the bucket ARN; objects written before
 * (or without) a bucket key carry the object ARN: both are allowed.
 */
function kmsThroughS3(sid: string, actions: string[], target: EncryptedBucket): aws.iam.PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: target.keyArn,
        Condition: {
            StringEquals: { "kms:ViaService": `s3.${target.region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [target.bucketArn, `${target.bucketArn}/*`] },
        },
    };
}

/**
 * Trust policy of the role S3 assumes to replicate, as the S3 replication guide gives it:
 * S3 may assume it only for the source bucket, in this account. Without the conditions S3
 * could be asked to use the role for another bucket or account (the confused deputy).
 */
export function s3ReplicationTrustPolicy(accountId: string, sourceBucketArn: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId, "aws:SourceArn": sourceBucketArn } },
            },
        ],
    };
}

/**
 * Trust policy of a role that Google's Storage Transfer service agent assumes with its
 * Google identity token: only the one service account whose subject id is given.
 */
export function googleFederationTrustPolicy(subjectId: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: "accounts.google.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "accounts.google.com:sub": subjectId } },
            },
        ],
    };
}

/**
 * Least privilege for S3 replication from one source to several destinations, as the S3
 * replication guide lists it, plus KMS: decrypt with the source key, encrypt with each
 * destination's key.
 */
export function replicationRolePolicy(source: EncryptedBucket, destinations: EncryptedBucket[]): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadReplicationConfiguration",
                Effect: "Allow",
                Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                Resource: source.bucketArn,
            },
            {
                Sid: "ReadSourceVersions",
                Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                Resource: `${source.bucketArn}/*`,
            },
            {
                Sid: "WriteReplicas",
                Effect: "Allow",
                Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                Resource: destinations.map((d) => `${d.bucketArn}/*`),
            },
            kmsThroughS3("DecryptSource", ["kms:Decrypt"], source),
            ...destinations.map((d, i) => kmsThroughS3(`EncryptReplica${i}`, ["kms:Encrypt", "kms:GenerateDataKey"], d)),
        ],
    };
}

/**
 * Read-only access to one bucket's objects: list, get, and decrypt with its key.
 * `withBucketLocation` adds s3:GetBucketLocation, which Storage Transfer always calls.
 */
export function bucketReadPolicy(target: EncryptedBucket, withBucketLocation = false): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListBucket",
                Effect: "Allow",
                Action: withBucketLocation ? ["s3:ListBucket", "s3:GetBucketLocation"] : "s3:ListBucket",
                Resource: target.bucketArn,
            },
            { Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: `${target.bucketArn}/*` },
            kmsThroughS3("DecryptObjects", ["kms:Decrypt"], target),
        ],
    };
}

/**
 * What the one-shot backfill of a new replica needs: read every archive of the source
 * (`aws s3 sync` lists both sides, then copies server-side), write archives under
 * `models/` of the destination, and use each bucket's key only through S3 for that bucket.
 * Decrypt on the destination key too: S3 needs it to finish multipart copies of large
 * archives under SSE-KMS.
 */
export function backfillPolicy(source: EncryptedBucket, destination: EncryptedBucket): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListBoth", Effect: "Allow", Action: "s3:ListBucket", Resource: [source.bucketArn, destination.bucketArn] },
            { Sid: "ReadSourceArchives", Effect: "Allow", Action: "s3:GetObject", Resource: `${source.bucketArn}/models/*` },
            { Sid: "WriteReplicaArchives", Effect: "Allow", Action: "s3:PutObject", Resource: `${destination.bucketArn}/models/*` },
            kmsThroughS3("DecryptSource", ["kms:Decrypt"], source),
            kmsThroughS3("EncryptReplica", ["kms:GenerateDataKey", "kms:Decrypt"], destination),
        ],
    };
}
