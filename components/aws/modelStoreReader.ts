import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ModelStoreBucket } from "./modelStoreBucket";
import { bucketReadPolicy } from "./modelStorePolicies";
import { scopedPodIdentityTrust } from "./podIdentityRole";

export interface ModelStoreReaderArgs {
    /** The region's copy of the store the pods read (required). */
    bucket: ModelStoreBucket;
    /** EKS cluster name (required); the cluster's Pod Identity agent hands out the role. */
    clusterName: pulumi.Input<string>;
    /** AWS region of the cluster (required). */
    clusterRegion: string;
    /** Kubernetes namespace of the service account (required). */
    namespace: string;
    /** Kubernetes service account the pods run as (required). */
    serviceAccount: string;
    /** Provider for every child (default: inherited from the parent). */
    provider?: aws.Provider;
}

/**
 * Read-only model-store access for one Kubernetes service account on EKS through Pod
 * Identity: no static keys, and only list/get on this region's bucket plus decrypt with
 * its key.
 */
export class ModelStoreReader extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly rolePolicy: aws.iam.RolePolicy;
    public readonly association: aws.eks.PodIdentityAssociation;

    constructor(name: string, args: ModelStoreReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:ModelStoreReader", name, {}, opts);

        const problems: string[] = [];
        if (!args.clusterRegion) problems.push("clusterRegion is required");
        if (!args.namespace) problems.push("namespace is required");
        if (!args.serviceAccount) problems.push("serviceAccount is required");
        if (problems.length > 0) throw new Error(`ModelStoreReader ${name}: ${problems.join("; ")}`);

        const child = { parent: this, provider: args.provider };
        const bucket = args.bucket;

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Read-only model store access for ${args.namespace}/${args.serviceAccount} (EKS Pod Identity)`,
                // The Pod Identity service may hand this role only to this service account of this cluster.
                assumeRolePolicy: scopedPodIdentityTrust(args.clusterName, { namespace: args.namespace, name: args.serviceAccount }, child),
            },
            child,
        );

        this.rolePolicy = new aws.iam.RolePolicy(
            `${name}-read`,
            {
                role: this.role.name,
                policy: pulumi
                    .all([bucket.bucketArn, bucket.keyArn])
                    .apply(([bucketArn, keyArn]) => JSON.stringify(bucketReadPolicy({ bucketArn, keyArn, region: bucket.region }))),
            },
            child,
        );

        this.association = new aws.eks.PodIdentityAssociation(
            `${name}-association`,
            {
                region: args.clusterRegion,
                clusterName: args.clusterName,
                namespace: args.namespace,
                serviceAccount: args.serviceAccount,
                roleArn: this.role.arn,
            },
            // Pods that start as soon as the association exists must already be allowed to read.
            { ...child, dependsOn: [this.rolePolicy] },
        );

        this.registerOutputs({ roleArn: this.role.arn, role: this.role, rolePolicy: this.rolePolicy, association: this.association });
    }
}
