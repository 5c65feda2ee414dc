import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ModelStoreBucket } from "./modelStoreBucket";
import { replicationRolePolicy, s3ReplicationTrustPolicy } from "./modelStorePolicies";
import { MODEL_PREFIX } from "../global/modelStoreNames";

export interface ModelStoreReplicationArgs {
    /** The primary bucket every replica copies from (required). */
    source: ModelStoreBucket;
    /** Replica buckets by region entry name (required, at least one); one rule each. */
    destinations: Record<string, ModelStoreBucket>;
    /** Replication Time Control: 15-minute SLA and replication metrics, at extra cost (default false). */
    replicationTimeControl?: boolean;
    /** Provider for every child (default: inherited from the parent). */
    provider?: aws.Provider;
}

/** Minutes of the RTC service-level target and the metrics threshold; S3 accepts only 15. */
const RTC_MINUTES = 15;

/**
 * S3 Cross-Region Replication from the primary bucket to every replica: one rule per
 * replica, delete markers replicated (a deletion stays recoverable in every copy through
 * versioning), KMS-encrypted objects re-encrypted with the replica's own key.
 */
export class ModelStoreReplication extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly rolePolicy: aws.iam.RolePolicy;
    public readonly configuration: aws.s3.BucketReplicationConfig;

    constructor(name: string, args: ModelStoreReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:ModelStoreReplication", name, {}, opts);

        const destinationNames = Object.keys(args.destinations);
        const problems: string[] = [];
        if (destinationNames.length === 0) problems.push("destinations must name at least one replica bucket");
        destinationNames.forEach((d) => {
            if (args.destinations[d] === args.source) problems.push(`destinations.${d} is the source bucket itself`);
        });
        if (problems.length > 0) throw new Error(`ModelStoreReplication ${name}: ${problems.join("; ")}`);

        const child = { parent: this, provider: args.provider };
        const source = args.source;
        const destinations = destinationNames.map((d) => args.destinations[d]);

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "S3 replication of the modelfleet model store from the primary bucket to its replicas",
                assumeRolePolicy: pulumi
                    .all([aws.getCallerIdentityOutput({}, child).accountId, source.bucketArn])
                    .apply(([accountId, bucketArn]) => JSON.stringify(s3ReplicationTrustPolicy(accountId, bucketArn))),
            },
            child,
        );

        const endpoints = (b: ModelStoreBucket) =>
            pulumi.all([b.bucketArn, b.keyArn]).apply(([bucketArn, keyArn]) => ({ bucketArn, keyArn, region: b.region }));
        this.rolePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.name,
                policy: pulumi
                    .all([endpoints(source), pulumi.all(destinations.map(endpoints))])
                    .apply(([src, dsts]) => JSON.stringify(replicationRolePolicy(src, dsts))),
            },
            child,
        );

        const rtc = args.replicationTimeControl ?? false;
        this.configuration = new aws.s3.BucketReplicationConfig(
            `${name}-config`,
            {
                region: source.region,
                bucket: source.bucketName,
                role: this.role.arn,
                rules: destinationNames.map((regionName, i) => {
                    const destination = args.destinations[regionName];
                    return {
                        id: `to-${regionName}`,
                        // Rules of a multi-destination configuration need distinct priorities.
                        priority: i + 1,
                        status: "Enabled",
                        // A filter selects the V2 rule schema, which delete-marker replication needs.
                        filter: { prefix: MODEL_PREFIX },
                        deleteMarkerReplication: { status: "Enabled" },
                        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                        destination: {
                            bucket: destination.bucketArn,
                            storageClass: "STANDARD",
                            encryptionConfiguration: { replicaKmsKeyId: destination.keyArn },
                            ...(rtc
                                ? {
                                      replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
                                      metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
                                  }
                                : {}),
                        },
                    };
                }),
            },
            {
                ...child,
                // S3 refuses a replication configuration unless versioning is already on at
                // the source and every destination; the role needs its permissions in place
                // before the first object replicates.
                dependsOn: [source.versioning, ...destinations.map((d) => d.versioning), this.rolePolicy],
            },
        );

        this.registerOutputs({ roleArn: this.role.arn, role: this.role, rolePolicy: this.rolePolicy, configuration: this.configuration });
    }
}
