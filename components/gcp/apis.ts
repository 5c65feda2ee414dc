import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The Storage Transfer API: enabled by the model store's transfer job, never by a region. */
export const STORAGE_TRANSFER_API = "storagetransfer.googleapis.com";
/** The Cloud KMS API: enabled by the model store's GCS copy for its key, never by a region. */
export const CLOUD_KMS_API = "cloudkms.googleapis.com";
/** Services the model store components enable themselves; one service has one owner per project. */
export const MODEL_STORE_APIS: readonly string[] = [STORAGE_TRANSFER_API, CLOUD_KMS_API];

/**
 * What a GCP region's own resources call, none of them on in a fresh project. Logging and
 * Monitoring (node logs, DCGM metrics, Managed Prometheus) are on by default; the network
 * uses no Service Networking.
 */
export const REGION_APIS = [
    // Network, subnetwork, Cloud Router and NAT; GKE's nodes are Compute Engine VMs.
    "compute.googleapis.com",
    // The cluster and its node pools.
    "container.googleapis.com",
    // The node service account, and the model store's reader account in the same project.
    "iam.googleapis.com",
    // Workload Identity: the GKE metadata server mints the reader account's tokens through it.
    "iamcredentials.googleapis.com",
    // The node account's project role bindings read and write the project's IAM policy.
    "cloudresourcemanager.googleapis.com",
    // The LLM-track image's repository, and the scan of each push into it.
    "artifactregistry.googleapis.com",
    "containerscanning.googleapis.com",
    // The serving certificate, its DNS authorizations and certificate map (Gateway TLS).
    "certificatemanager.googleapis.com",
] as const;

export interface ProjectApisArgs {
    /** GCP project to enable the services in (required). */
    project: string;
    /** Services to enable, e.g. compute.googleapis.com (default: REGION_APIS). */
    services?: readonly string[];
    /** Provider for `project` (default: the program's default GCP provider). */
    provider?: gcp.Provider;
}

/**
 * Enables a project's APIs before anything that calls them is created. Disabling never
 * follows a delete: other workloads in the project may use the same APIs, and disabling one
 * would take its dependants down with it.
 */
export class ProjectApis extends pulumi.ComponentResource {
    /** One per service, in `services` order. */
    public readonly services: gcp.projects.Service[];
    /** The service names, in order. */
    public readonly serviceNames: string[];

    constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:ProjectApis", name, {}, opts);

        const serviceNames = [...(args.services ?? REGION_APIS)];
        const problems: string[] = [];
        if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(args.project)) problems.push(`project must be a GCP project id, got '${args.project}'`);
        if (serviceNames.length === 0) problems.push("services must list at least one service");
        for (const service of serviceNames) {
            if (!/^[a-z][a-z0-9-]*\.googleapis\.com$/.test(service))
                problems.push(`services: '${service}' is not a service name like compute.googleapis.com`);
            if (MODEL_STORE_APIS.includes(service))
                problems.push(`services: '${service}' is enabled by the model store, and a service has one owner per project`);
        }
        const repeated = serviceNames.filter((s, i) => serviceNames.indexOf(s) !== i);
        if (repeated.length > 0) problems.push(`services lists ${[...new Set(repeated)].join(", ")} more than once`);
        if (problems.length > 0) throw new Error(`ProjectApis ${name}: ${problems.join("; ")}`);

        this.serviceNames = serviceNames;
        this.services = serviceNames.map(
            (service) =>
                new gcp.projects.Service(
                    `${name}-${service.replace(/\.googleapis\.com$/, "")}`,
                    { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
                    { parent: this, provider: args.provider },
                ),
        );

        this.registerOutputs({ serviceNames: this.serviceNames, services: this.services });
    }
}
