import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface MetricsAdapterIdentityArgs {
    /** GCP project of the cluster (required). */
    project: string;
    /** Service account id, 6-30 characters, unique in the project (required). */
    accountId: string;
    /** The cluster's Workload Identity pool, `<project>.svc.id.goog` (required). */
    workloadPool: pulumi.Input<string>;
    /** Kubernetes namespace and service account of the adapter (required). */
    namespace: string;
    serviceAccount: string;
    /** Provider for the project (default: inherited from the parent). */
    provider?: gcp.Provider;
}

/**
 * The identity of GKE's Custom Metrics Stackdriver Adapter: a Google service account that
 * may read Cloud Monitoring (`roles/monitoring.viewer`, where Managed Prometheus stores the
 * series the HPAs read), impersonated by the adapter's Kubernetes service account through
 * Workload Identity. Without it the adapter answers every HPA query with 403.
 */
export class MetricsAdapterIdentity extends pulumi.ComponentResource {
    /** Goes into the adapter service account's `iam.gke.io/gcp-service-account` annotation. */
    public readonly email: pulumi.Output<string>;
    /** The grants the adapter needs before it can answer. */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: MetricsAdapterIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:MetricsAdapterIdentity", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const account = new gcp.serviceaccount.Account(
            `${name}-account`,
            {
                project: args.project,
                accountId: args.accountId,
                displayName: `modelfleet custom metrics adapter (${args.namespace}/${args.serviceAccount})`,
                description: "Reads Cloud Monitoring for the serving HPAs; impersonated through Workload Identity.",
            },
            child,
        );
        this.email = account.email;
        const viewer = new gcp.projects.IAMMember(
            `${name}-monitoring-viewer`,
            { project: args.project, role: "roles/monitoring.viewer", member: account.member },
            child,
        );
        const workloadIdentity = new gcp.serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: account.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.workloadPool}[${args.namespace}/${args.serviceAccount}]`,
            },
            child,
        );
        this.readyResources = [viewer, workloadIdentity];
        this.registerOutputs({ email: this.email });
    }
}
