import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * DNS-01 for the edge clusters' certificates, as pure functions: the Route 53 names
 * cert-manager writes, the IAM policy that allows exactly those, and the ACME Issuer.
 * Fields of the Issuer are cert-manager v1.20's (pkg/apis/acme/v1/types_issuer.go at
 * v1.20.2: ACMEIssuer, ACMEChallengeSolverDNS01, ACMEIssuerDNS01ProviderRoute53).
 */

/** Kubernetes Secret (in serving.namespace) with the Route 53 key of the program-made issuer. */
export const ACME_ROUTE53_SECRET = "serving-acme-route53";
/** Its keys. */
export const ACME_ROUTE53_KEYS = { accessKeyId: "access-key-id", secretAccessKey: "secret-access-key" } as const;

/**
 * The TXT record a DNS-01 challenge for `host` is answered at. cert-manager writes it there
 * (its default CNAME strategy, None, follows no CNAME), as Route 53 normalises names: lower
 * case, no trailing dot.
 */
export function acmeChallengeRecordName(host: string): string {
    return `_acme-challenge.${host.toLowerCase().replace(/\.$/, "")}`;
}

/**
 * What cert-manager's Route 53 solver needs with `hostedZoneID` set (v1.20.2
 * pkg/issuer/acme/dns/route53/route53.go): ChangeResourceRecordSets to UPSERT and DELETE its
 * TXT records in that zone, then GetChange until Route 53 says INSYNC; no zone lookup. The
 * conditions (Route 53 "Using IAM policy conditions for fine-grained access control":
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html)
 * limit every change in a batch to TXT records at the challenge names of these hosts, so the
 * key cannot touch `<domain>`'s routing records or any other name in the zone.
 */
export function acmeDns01Policy(zoneId: string, hosts: string[]): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AnswerDns01Challenges",
                Effect: "Allow",
                Action: "route53:ChangeResourceRecordSets",
                Resource: `arn:aws:route53:::hostedzone/${zoneId}`,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": hosts.map(acmeChallengeRecordName),
                        "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                        "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
                    },
                },
            },
            {
                Sid: "WaitForChanges",
                Effect: "Allow",
                Action: "route53:GetChange",
                Resource: "arn:aws:route53:::change/*",
            },
        ],
    };
}

/** What the serving stack needs to make the ACME Issuer on an edge cluster. */
export interface AcmeIssuerSettings {
    /** Issuer name (regions[].certIssuer.name); kind Issuer, in serving.namespace. */
    name: string;
    /** ACME account contact. */
    email: string;
    /** ACME directory URL. */
    server: string;
    /** Route 53 hosted zone of serving.domain. */
    zoneId: pulumi.Input<string>;
    /** The names the solver answers for; the Issuer's solver selects exactly these. */
    hosts: string[];
}

/**
 * A namespaced ACME Issuer whose only solver is DNS-01 in the fleet's Route 53 zone, with
 * the key from ACME_ROUTE53_SECRET. DNS-01 because HTTP-01 fails for `<domain>`: the ACME
 * server resolves it by latency and may reach another region (or another cloud).
 */
export function renderAcmeIssuer(namespace: string, labels: Record<string, string>, issuer: AcmeIssuerSettings) {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Issuer",
        metadata: { name: issuer.name, namespace, labels },
        spec: {
            acme: {
                server: issuer.server,
                email: issuer.email,
                // The ACME account key; cert-manager creates it on first use.
                privateKeySecretRef: { name: `${issuer.name}-account-key` },
                solvers: [
                    {
                        selector: { dnsNames: [...issuer.hosts] },
                        dns01: {
                            route53: {
                                // Route 53 is global; the region only picks the endpoint's partition.
                                region: "us-east-1",
                                hostedZoneID: issuer.zoneId,
                                accessKeyIDSecretRef: { name: ACME_ROUTE53_SECRET, key: ACME_ROUTE53_KEYS.accessKeyId },
                                secretAccessKeySecretRef: { name: ACME_ROUTE53_SECRET, key: ACME_ROUTE53_KEYS.secretAccessKey },
                            },
                        },
                    },
                ],
            },
        },
    };
}
