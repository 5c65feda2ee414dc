import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GcsModelStoreBucket } from "./modelStoreBucket";

export interface GcsModelStoreReaderArgs {
    /** The region's GCS copy the pods read (required). */
    bucket: GcsModelStoreBucket;
    /** Service account id, 6-30 characters, unique in the project (required). */
    accountId: pulumi.Input<string>;
    /** The cluster's Workload Identity pool, `<project>.svc.id.goog` (required). */
    workloadPool: pulumi.Input<string>;
    /** Kubernetes namespace of the service account (required). */
    namespace: string;
    /** Kubernetes service account the pods run as (required). */
    serviceAccount: string;
    /** Provider for the project (default: inherited from the parent). */
    provider?: gcp.Provider;
    /** What the service account waits for: the project's iam.googleapis.com service (default none). */
    dependsOn?: pulumi.Resource[];
}

/**
 * Read-only model-store access for one Kubernetes service account on GKE: a Google
 * service account with object-viewer on this region's bucket only, which the Kubernetes
 * service account impersonates through Workload Identity. No keys are created.
 */
export class GcsModelStoreReader extends pulumi.ComponentResource {
    public readonly account: gcp.serviceaccount.Account;
    public readonly bucketViewer: gcp.storage.BucketIAMMember;
    public readonly workloadIdentityUser: gcp.serviceaccount.IAMMember;
    /** Goes into the `iam.gke.io/gcp-service-account` annotation. */
    public readonly email: pulumi.Output<string>;

    constructor(name: string, args: GcsModelStoreReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:GcsModelStoreReader", name, {}, opts);

        const problems: string[] = [];
        if (!args.namespace) problems.push("namespace is required");
        if (!args.serviceAccount) problems.push("serviceAccount is required");
        if (problems.length > 0) throw new Error(`GcsModelStoreReader ${name}: ${problems.join("; ")}`);

        const child = { parent: this, provider: args.provider };
        const project = args.bucket.project;

        this.account = new gcp.serviceaccount.Account(
            `${name}-account`,
            {
                project,
                accountId: args.accountId,
                displayName: `modelfleet model store reader (${args.namespace}/${args.serviceAccount})`,
                description: pulumi.interpolate`Reads models from gs://${args.bucket.bucketName}; impersonated by ${args.namespace}/${args.serviceAccount} through Workload Identity`,
            },
            { ...child, dependsOn: args.dependsOn ?? [] },
        );
        this.email = this.account.email;

        this.bucketViewer = new gcp.storage.BucketIAMMember(
            `${name}-viewer`,
            { bucket: args.bucket.bucketName, role: "roles/storage.objectViewer", member: this.account.member },
            child,
        );

        this.workloadIdentityUser = new gcp.serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: this.account.name,
                role: "roles/iam.workloadIdentityUser",
                // The pool comes from the cluster, so the binding waits for the cluster that creates the pool.
                member: pulumi.interpolate`serviceAccount:${args.workloadPool}[${args.namespace}/${args.serviceAccount}]`,
            },
            child,
        );

        this.registerOutputs({
            email: this.email,
            account: this.account,
            bucketViewer: this.bucketViewer,
            workloadIdentityUser: this.workloadIdentityUser,
        });
    }
}
