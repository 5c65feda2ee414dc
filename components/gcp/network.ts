import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../net/ipv4";

/** Secondary range of the subnetwork that GKE takes pod addresses from. */
export const PODS_RANGE_NAME = "pods";
/** Secondary range of the subnetwork that GKE takes Service addresses from. */
export const SERVICES_RANGE_NAME = "services";

export interface GcpNetworkArgs {
    /** GCP project that holds the network; set on every resource rather than left to the provider. */
    project: string;
    /** Region of the subnetwork, router and NAT, e.g. us-central1. */
    region: string;
    /** Base of the physical names, e.g. modelfleet-prod-usc1 (at most 50 characters). */
    baseName: string;
    /** Primary range of the subnetwork: node addresses, e.g. 10.30.0.0/20. */
    nodeCidr: string;
    /** Secondary range for pod addresses, e.g. 10.32.0.0/14. */
    podsCidr: string;
    /** Secondary range for Service addresses, e.g. 10.36.0.0/20. */
    servicesCidr: string;
    /** Resources the network waits for, e.g. the project's API services; the subnetwork, router and NAT follow the network. Default none. */
    dependsOn?: pulumi.Resource[];
    /** Provider for `project`; default: the program's default GCP provider. */
    provider?: gcp.Provider;
}

/**
 * A custom-mode VPC with one subnetwork for a VPC-native GKE cluster (pod and Service
 * ranges as secondary ranges), and Cloud NAT so private nodes can pull images from
 * registries outside Google (Docker Hub, nvcr.io). Private Google Access lets them reach
 * Google APIs and Artifact Registry without going through NAT.
 */
export class GcpNetwork extends pulumi.ComponentResource {
    public readonly network: gcp.compute.Network;
    public readonly subnetwork: gcp.compute.Subnetwork;
    public readonly router: gcp.compute.Router;
    public readonly nat: gcp.compute.RouterNat;
    public readonly podsRangeName = PODS_RANGE_NAME;
    public readonly servicesRangeName = SERVICES_RANGE_NAME;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:Network", name, {}, opts);

        const problems: string[] = [];
        for (const key of ["nodeCidr", "podsCidr", "servicesCidr"] as const) {
            if (!parseCidr(args[key])) problems.push(`${key} must be an IPv4 CIDR block, got '${args[key]}'`);
        }
        if (args.baseName.length === 0 || args.baseName.length > 50)
            problems.push(`baseName must be 1-50 characters, got '${args.baseName}'`);
        if (problems.length > 0) throw new Error(`GcpNetwork ${name}: ${problems.join("; ")}`);

        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };

        this.network = new gcp.compute.Network(
            `${name}-vpc`,
            {
                project: args.project,
                name: args.baseName,
                description: `modelfleet network for ${args.region}`,
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
            },
            { ...childOpts, dependsOn: args.dependsOn ?? [] },
        );

        this.subnetwork = new gcp.compute.Subnetwork(
            `${name}-nodes`,
            {
                project: args.project,
                region: args.region,
                name: `${args.baseName}-nodes`,
                network: this.network.selfLink,
                ipCidrRange: args.nodeCidr,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE_NAME, ipCidrRange: args.podsCidr },
                    { rangeName: SERVICES_RANGE_NAME, ipCidrRange: args.servicesCidr },
                ],
                privateIpGoogleAccess: true,
                stackType: "IPV4_ONLY",
                // Half the flows at 10-minute aggregation: enough to trace a connection, at a
                // fraction of full logging's cost.
                logConfig: { aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
            },
            childOpts,
        );

        this.router = new gcp.compute.Router(
            `${name}-router`,
            { project: args.project, region: args.region, name: `${args.baseName}-router`, network: this.network.id },
            childOpts,
        );

        this.nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                project: args.project,
                region: args.region,
                name: `${args.baseName}-nat`,
                router: this.router.name,
                natIpAllocateOption: "AUTO_ONLY",
                // Pods keep their own addresses on a VPC-native cluster, so the pod range needs
                // NAT as much as the node range does.
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            childOpts,
        );

        this.registerOutputs({
            network: this.network,
            subnetwork: this.subnetwork,
            router: this.router,
            nat: this.nat,
            podsRangeName: this.podsRangeName,
            servicesRangeName: this.servicesRangeName,
        });
    }
}
