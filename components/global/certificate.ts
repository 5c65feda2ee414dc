import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../../config";
import type { ProjectApis } from "../gcp/apis";
import { formerAliases } from "../renames";
import type { RegionCluster, RegionTls } from "../types";
import { AcmValidationRecord } from "./acmValidationRecord";
import { acmValidationOwner, acmValidationRecordName, certificateHosts, regionalHost } from "./dns";

/** Kubernetes Secret the cert-manager Certificate writes on existing clusters. */
export const SERVING_TLS_SECRET = "serving-tls";

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
    /** GCP provider for the managed certificates, address and SSL policy (default: the program's default). */
    gcpProvider?: gcp.Provider;
    /** The GCP project's enabled APIs; the certificates, address and SSL policy wait for them (default none). */
    gcpApis?: ProjectApis;
}

/**
 * TLS for one region's ingress, made before the serving stack that uses it: an ACM
 * certificate with its DNS validation awaited (AWS), Google-managed certificates with the
 * ingress's global address and SSL policy (GCP), or a cert-manager Certificate from the
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
        if (problems.length > 0) throw new Error(`RegionCertificate ${name}: ${problems.join("; ")}`);

        this.hosts = hosts;
        if (region.cloud === "aws") {
            this.tls = this.acm(name, args, region.region, hosts);
        } else if (region.cloud === "gcp") {
            this.tls = this.gcpManaged(name, args, region.project, hosts);
        } else {
            this.tls = this.certManager(name, region.certIssuer, hosts);
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

        // A Google-managed certificate is issued only when every name on it resolves to this
        // load balancer. `<domain>` is latency-routed across clouds and may resolve elsewhere
        // when Google checks, so it gets a certificate of its own: the regional name, which
        // the health check uses, never waits on it.
        const regionalCert = new gcp.compute.ManagedSslCertificate(
            `${name}-regional-cert`,
            { project, type: "MANAGED", managed: { domains: [regional] }, description: `modelfleet ${args.region.name}: ${regional}` },
            child,
        );
        const globalHosts = hosts.filter((h) => h !== regional);
        const globalCert =
            globalHosts.length > 0
                ? new gcp.compute.ManagedSslCertificate(
                      `${name}-global-cert`,
                      {
                          project,
                          type: "MANAGED",
                          managed: { domains: globalHosts },
                          description: `modelfleet ${args.region.name}: ${globalHosts.join(", ")}`,
                      },
                      child,
                  )
                : undefined;

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

        const certs = globalCert ? [regionalCert, globalCert] : [regionalCert];
        return {
            kind: "gcp-managed",
            hosts,
            // ingress.gcp.kubernetes.io/pre-shared-cert takes a comma-separated list.
            certificateName: pulumi.all(certs.map((c) => c.name)).apply((names) => names.join(",")),
            staticIpName: address.name,
            staticIpAddress: address.address,
            sslPolicyName: sslPolicy.name,
            readyResources: [...certs, address, sslPolicy],
        };
    }

    /**
     * Existing clusters: cert-manager signs the certificate inside the cluster, in the serving
     * namespace, so the serving stack makes the Certificate object after its Namespace.
     */
    private certManager(name: string, issuer: { name: string; kind: "ClusterIssuer" | "Issuer" }, hosts: string[]): RegionTls {
        return {
            kind: "cert-manager",
            hosts,
            secretName: SERVING_TLS_SECRET,
            issuer,
            readyResources: [],
            // Stacks made before the serving stack owned the Certificate have it here.
            certificateAliases: [{ name: `${name}-certificate`, parent: this }],
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
