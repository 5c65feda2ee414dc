import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../config";
import type { ProjectApis } from "../gcp/apis";
import { VALIDATION_TTL_SECONDS } from "./dns";

/**
 * Certificate Manager's per-project DNS authorization: the CNAME is
 * `_acme-challenge_<id>.<domain>`, unique to the project, so several projects can each prove
 * control of the same name, and it never collides with the `_acme-challenge.<domain>` TXT
 * records an ACME DNS-01 solver (cert-manager on the edge clusters) writes for the same name.
 */
export const DNS_AUTHORIZATION_TYPE = "PER_PROJECT_RECORD";

export interface GcpDnsAuthorizationArgs {
    /** GCP project whose certificates the authorization serves (required). */
    project: string;
    /** The DNS name being authorized, e.g. serve.example.com (required). */
    domain: string;
    /** Route 53 hosted zone that holds the domain; the authorization's CNAME is written there (required). */
    zoneId: pulumi.Input<string>;
    /** GCP provider of the project (default: the program's default). */
    gcpProvider?: gcp.Provider;
    /** AWS provider for the Route 53 record (default: the program's default). */
    awsProvider?: aws.Provider;
    /** The project's enabled APIs; the authorization waits for certificatemanager.googleapis.com among them (default none). */
    apis?: ProjectApis;
}

/**
 * A Certificate Manager DNS authorization and the Route 53 CNAME that answers it. Google
 * issues a certificate with it by looking up the CNAME, not by connecting to the name, so a
 * certificate for a name that Route 53 latency-routes to other clouds is issued and renewed
 * whichever region the name resolves to.
 */
export class GcpDnsAuthorization extends pulumi.ComponentResource {
    public readonly authorization: gcp.certificatemanager.DnsAuthorization;
    public readonly record: aws.route53.Record;
    /** `projects/<project>/locations/global/dnsAuthorizations/<name>`, what a certificate's `managed.dnsAuthorizations` lists. */
    public readonly authorizationId: pulumi.Output<string>;

    constructor(name: string, args: GcpDnsAuthorizationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:GcpDnsAuthorization", name, {}, opts);

        const problems: string[] = [];
        if (!args.project) problems.push("project is required");
        if (!args.domain || args.domain.includes("*")) problems.push(`domain must be a DNS name without wildcards, got '${args.domain}'`);
        if (problems.length > 0) throw new Error(`GcpDnsAuthorization ${name}: ${problems.join("; ")}`);

        this.authorization = new gcp.certificatemanager.DnsAuthorization(
            `${name}-auth`,
            {
                project: args.project,
                location: "global",
                domain: args.domain,
                type: DNS_AUTHORIZATION_TYPE,
                description: `modelfleet: ${args.domain}`,
            },
            { parent: this, provider: args.gcpProvider, dependsOn: args.apis?.services ?? [] },
        );
        const answer = this.authorization.dnsResourceRecords.apply((records) => {
            const record = records[0];
            if (!record) throw new Error(`GcpDnsAuthorization ${name}: Certificate Manager returned no DNS record for ${args.domain}`);
            return record;
        });
        this.record = new aws.route53.Record(
            `${name}-cname`,
            {
                zoneId: args.zoneId,
                name: answer.name,
                type: answer.type,
                records: [answer.data],
                ttl: VALIDATION_TTL_SECONDS,
                // The name is the project's own; a record left by an earlier authorization of the
                // same project and name is stale and taken over.
                allowOverwrite: true,
            },
            { parent: this, provider: args.awsProvider },
        );
        this.authorizationId = this.authorization.id;

        this.registerOutputs({ authorization: this.authorization, authorizationId: this.authorizationId, record: this.record });
    }
}

/** Logical name of a project's authorization of `<domain>`; it names no region, so regions come and go around it. */
export function globalNameAuthorizationName(project: string): string {
    return `gcp-${project}-global-name`;
}

/** The GCP projects holding a routed region, each of which needs `<domain>` authorized once. */
export function projectsServingGlobalName(config: FleetConfig): string[] {
    return [...new Set(config.regions.flatMap((r) => (r.cloud === "gcp" && config.routedRegions.includes(r.name) ? [r.project] : [])))];
}

export interface GlobalNameAuthorizationsArgs {
    config: FleetConfig;
    zoneId: pulumi.Input<string>;
    awsProvider?: aws.Provider;
    gcpProviders?: Record<string, gcp.Provider>;
    gcpApis?: Record<string, ProjectApis>;
}

/**
 * One authorization of `<domain>` per GCP project with a routed region, shared by that
 * project's regions: a second authorization of the same name in the same project would want
 * the same CNAME with another value. Made without a parent and named after the project only,
 * so adding or removing one of its regions leaves it as it is.
 */
export function globalNameAuthorizations(args: GlobalNameAuthorizationsArgs): Record<string, GcpDnsAuthorization> {
    return Object.fromEntries(
        projectsServingGlobalName(args.config).map((project) => [
            project,
            new GcpDnsAuthorization(globalNameAuthorizationName(project), {
                project,
                domain: args.config.serving.domain,
                zoneId: args.zoneId,
                gcpProvider: args.gcpProviders?.[project],
                awsProvider: args.awsProvider,
                apis: args.gcpApis?.[project],
            }),
        ]),
    );
}
