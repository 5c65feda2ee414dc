import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../../config";
import type { ProjectApis } from "../gcp/apis";
import { formerAliases } from "../renames";
import type { RegionCluster, RegionTls } from "../types";
import { acmeDns01Policy } from "./acmeDns01";
import { AcmValidationRecord } from "./acmValidationRecord";
import { GcpDnsAuthorization } from "./gcpDnsAuthorization";
import { acmValidationOwner, acmValidationRecordName, certificateHosts, regionalHost } from "./dns";

/** Kubernetes Secret the cert-manager Certificate writes on existing clusters. */
export const SERVING_TLS_SECRET = "serving-tls";

type CertIssuerSettings = Extract<RegionConfig, { cloud: "existing" }>["certIssuer"];

/** ACM refuses a certificate whose first domain name is longer than this (octets). */
const ACM_SUBJECT_MAX = 64;

export interface RegionCertificateArgs {
    /** The validated fleet config: serving.domain, serving.namespace, routedRegions (required). */
    config: FleetConfig;
    /** The region the certificate is for; one of config.regions (required). */
    region: RegionConfig;
    /** The region's cluster, which must be the region's (required). */
    cluster: RegionCluster;
    /** Route 53 hosted zone of serving.domain, from hostedZoneId() (required; used on AWS). */
    zoneId: pulumi.Input<string>;
    /** AWS provider for ACM and Route 53 (default: the program's default provider). */
    awsProvider?: aws.Provider;
    /** GCP provider for the certificate, its map, the address and SSL policy (default: the program's default). */
    gcpProvider?: gcp.Provider;
    /** The GCP project's enabled APIs; the certificates, address and SSL policy wait for them (default none). */
    gcpApis?: ProjectApis;
    /**
     * The project's Certificate Manager authorization of `<domain>` (globalNameAuthorizations);
     * required for a routed GCP region, unused elsewhere.
     */
    globalNameAuthorization?: GcpDnsAuthorization;
}

/**
 * TLS for one region's ingress, made before the serving stack that uses it: an ACM
 * certificate with its DNS validation awaited (AWS), a Certificate Manager certificate issued
 * by DNS authorization in a certificate map, with the Gateway's global address and SSL policy (GCP), or a cert-manager Certificate from the
 * configured issuer, which the serving stack makes in its namespace (existing clusters). It covers `<region>.<domain>` always and `<domain>`
 * when the region is routed.
 */
export class RegionCertificate extends pulumi.ComponentResource {
    public readonly tls: RegionTls;
    public readonly hosts: string[];

    constructor(name: string, args: RegionCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:RegionCertificate", name, {}, opts);

        const { config, region, cluster } = args;
        const problems: string[] = [];
        if (!config.regions.some((r) => r.name === region.name)) {
            problems.push(`region '${region.name}' is not in config.regions (${config.regions.map((r) => r.name).join(", ")})`);
        }
        if (cluster.regionName !== region.name) {
            problems.push(`cluster.regionName is '${cluster.regionName}' but region.name is '${region.name}'`);
        }
        if (cluster.cloud !== region.cloud) {
            problems.push(`cluster.cloud is '${cluster.cloud}' but region ${region.name} is on '${region.cloud}'`);
        }
        const hosts = certificateHosts(config, region);
        if (region.cloud === "aws" && hosts[0].length > ACM_SUBJECT_MAX) {
            problems.push(
                `${hosts[0]} is ${hosts[0].length} characters; ACM limits a certificate's first name to ${ACM_SUBJECT_MAX}: shorten serving.domain`,
            );
        }
        if (region.cloud === "gcp" && hosts.includes(config.serving.domain) && !args.globalNameAuthorization) {
            problems.push(
                `globalNameAuthorization is required: region ${region.name} is routed, so its certificate covers ${config.serving.domain}`,
            );
        }
        if (problems.length > 0) throw new Error(`RegionCertificate ${name}: ${problems.join("; ")}`);

        this.hosts = hosts;
        if (region.cloud === "aws") {
            this.tls = this.acm(name, args, region.region, hosts);
        } else if (region.cloud === "gcp") {
            this.tls = this.gcpManaged(name, args, region.project, hosts);
        } else {
            this.tls = this.certManager(name, args, region.certIssuer, hosts);
        }

        this.registerOutputs({ hosts: this.hosts, tls: this.tls });
    }

    private acm(name: string, args: RegionCertificateArgs, awsRegion: string, hosts: string[]): RegionTls {
        const { config } = args;
        const certificate = new aws.acm.Certificate(
            `${name}-cert`,
            {
                region: awsRegion,
                domainName: hosts[0],
                subjectAlternativeNames: hosts.slice(1),
                validationMethod: "DNS",
                keyAlgorithm: "RSA_2048",
                tags: { Name: regionalHost(config, args.region.name) },
            },
            { parent: this, provider: args.awsProvider },
        );

        // One validation record per DNS name, made by the first AWS region that needs it (see
        // AcmValidationRecord); the other regions' validations wait for ACM to see the same
        // record, without a dependency on another region's resources.
        const owned = hosts
            .filter((host) => acmValidationOwner(config, host) === args.region.name)
            .map(
                (host) =>
                    new AcmValidationRecord(
                        acmValidationRecordName(host),
                        { domainName: host, certificate, zoneId: args.zoneId, provider: args.awsProvider },
                        { provider: args.awsProvider, aliases: formerHostAliases(config, args.region, host) },
                    ),
            );

        const validation = new aws.acm.CertificateValidation(
            `${name}-validation`,
            {
                region: awsRegion,
                certificateArn: certificate.arn,
                validationRecordFqdns: certificate.domainValidationOptions.apply((options) =>
                    options.filter((o) => hosts.includes(o.domainName)).map((o) => o.resourceRecordName),
                ),
            },
            { parent: this, provider: args.awsProvider, dependsOn: owned },
        );

        return {
            kind: "acm",
            hosts,
            // From the validation, not the certificate: the Ingress must wait until it is issued.
            certificateArn: validation.certificateArn,
            readyResources: [validation],
        };
    }

    private gcpManaged(name: string, args: RegionCertificateArgs, project: string, hosts: string[]): RegionTls {
        const { config } = args;
        const child = { parent: this, provider: args.gcpProvider, dependsOn: args.gcpApis?.services ?? [] };
        const regional = regionalHost(config, args.region.name);

        // Google issues the certificate by DNS authorization: it looks up a CNAME in Route 53
        // instead of connecting to the names. `<domain>` latency-routes across clouds and may
        // resolve to another region when Google checks; with DNS authorization that does not
        // matter, so one certificate covers both names.
        const regionalAuth = new GcpDnsAuthorization(
            `${name}-regional-auth`,
            {
                project,
                domain: regional,
                zoneId: args.zoneId,
                gcpProvider: args.gcpProvider,
                awsProvider: args.awsProvider,
                apis: args.gcpApis,
            },
            { parent: this },
        );
        const authorizations = hosts.map((host) => (host === regional ? regionalAuth : args.globalNameAuthorization));
        const authorizationIds = authorizations.flatMap((a) => (a ? [a.authorizationId] : []));
        const certificate = new gcp.certificatemanager.Certificate(
            `${name}-cert`,
            {
                project,
                location: "global",
                // DEFAULT: served by global external Application Load Balancers, the Gateway's class.
                scope: "DEFAULT",
                description: `modelfleet ${args.region.name}: ${hosts.join(", ")}`,
                managed: { domains: hosts, dnsAuthorizations: authorizationIds },
            },
            // Google validates as soon as the certificate exists: the CNAMEs are there first.
            { ...child, dependsOn: [...child.dependsOn, ...authorizations.flatMap((a) => (a ? [a.record] : []))] },
        );
        const certificateMap = new gcp.certificatemanager.CertificateMap(
            `${name}-cert-map`,
            { project, description: `modelfleet ${args.region.name}: ${hosts.join(", ")}` },
            child,
        );
        // One entry per name the load balancer is asked for by SNI, and the primary entry for
        // clients that send none.
        const entries: Array<{ role: string; hostname?: string; matcher?: string }> = [
            ...hosts.map((host) => ({ role: host === regional ? "regional" : "global", hostname: host })),
            { role: "primary", matcher: "PRIMARY" },
        ];
        const mapEntries = entries.map(
            (entry) =>
                new gcp.certificatemanager.CertificateMapEntry(
                    `${name}-cert-map-${entry.role}`,
                    {
                        project,
                        map: certificateMap.name,
                        certificates: [certificate.id],
                        description: `modelfleet ${args.region.name}: ${entry.hostname ?? "clients without SNI"}`,
                        hostname: entry.hostname,
                        matcher: entry.matcher,
                    },
                    child,
                ),
        );

        const address = new gcp.compute.GlobalAddress(
            `${name}-ip`,
            {
                project,
                addressType: "EXTERNAL",
                ipVersion: "IPV4",
                description: `modelfleet ${args.region.name}: ingress of ${hosts.join(", ")}`,
            },
            child,
        );
        const sslPolicy = new gcp.compute.SSLPolicy(
            `${name}-ssl-policy`,
            { project, minTlsVersion: "TLS_1_2", profile: "MODERN", description: `modelfleet ${args.region.name}: TLS 1.2 or newer` },
            child,
        );

        return {
            kind: "gcp-managed",
            hosts,
            certificateMapName: certificateMap.name,
            staticIpName: address.name,
            staticIpAddress: address.address,
            sslPolicyName: sslPolicy.name,
            readyResources: [certificate, certificateMap, ...mapEntries, address, sslPolicy],
        };
    }

    /**
     * Existing clusters: cert-manager signs the certificate inside the cluster, in the serving
     * namespace, so the serving stack makes the Certificate object after its Namespace. With
     * `certIssuer.acme` the program also makes what the issuer needs outside the cluster: an
     * IAM user whose only right is to write the challenge TXT records of these names in the
     * zone, and its access key, which the serving stack stores as a Secret beside the Issuer.
     */
    private certManager(name: string, args: RegionCertificateArgs, issuer: CertIssuerSettings, hosts: string[]): RegionTls {
        const tls: RegionTls = {
            kind: "cert-manager",
            hosts,
            secretName: SERVING_TLS_SECRET,
            issuer: { name: issuer.name, kind: issuer.kind },
            readyResources: [],
            // Stacks made before the serving stack owned the Certificate have it here.
            certificateAliases: [{ name: `${name}-certificate`, parent: this }],
        };
        if (!issuer.acme) return tls;

        const child = { parent: this, provider: args.awsProvider };
        const user = new aws.iam.User(
            `${name}-acme-user`,
            { path: "/modelfleet/", tags: { Name: `${args.region.name} ACME DNS-01 (${hosts.join(", ")})` } },
            child,
        );
        const policy = new aws.iam.UserPolicy(
            `${name}-acme-dns01`,
            { user: user.name, policy: pulumi.output(args.zoneId).apply((zoneId) => JSON.stringify(acmeDns01Policy(zoneId, hosts))) },
            child,
        );
        // The key's secret is a secret output of the provider: encrypted in state, redacted in plans.
        const key = new aws.iam.AccessKey(`${name}-acme-key`, { user: user.name }, { ...child, dependsOn: [policy] });
        return {
            ...tls,
            acme: {
                issuer: { name: issuer.name, email: issuer.acme.email, server: issuer.acme.server, zoneId: args.zoneId, hosts },
                accessKeyId: key.id,
                secretAccessKey: pulumi.secret(key.secret),
            },
            readyResources: [policy, key],
        };
    }
}

/**
 * A renamed region's own name, `<region>.<domain>`, had its validation record under the old
 * host's name; the record itself is replaced (it is the new name's), the URN is kept.
 */
function formerHostAliases(config: FleetConfig, region: RegionConfig, host: string): pulumi.Alias[] | undefined {
    return host === regionalHost(config, region.name)
        ? formerAliases(region, (n) => acmValidationRecordName(regionalHost(config, n)))
        : undefined;
}
