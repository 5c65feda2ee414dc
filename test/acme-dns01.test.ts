import type * as aws from "@pulumi/aws";
import { acmeChallengeRecordName, acmeDns01Policy, renderAcmeIssuer } from "../components/global/acmeDns01";
import type { Plan } from "../tools/contracts";
import { allows } from "./iam-eval";
import { planOnce } from "./plan-contract";

const ZONE = "Z0123456789ABCDEFGHIJ";
const DOMAIN = "serve.modelfleet.example.com";
const HOSTS = [DOMAIN, `edge-muc.${DOMAIN}`];

/** A ChangeResourceRecordSets batch as Route 53 presents it to IAM. */
function change(zone: string, names: string[], types: string[], actions: string[]) {
    return {
        action: "route53:ChangeResourceRecordSets",
        resource: `arn:aws:route53:::hostedzone/${zone}`,
        context: {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
            "route53:ChangeResourceRecordSetsRecordTypes": types,
            "route53:ChangeResourceRecordSetsActions": actions,
        },
    };
}

describe("the edge issuer's Route 53 key", () => {
    const policy = acmeDns01Policy(ZONE, HOSTS);

    it("writes and removes the challenge TXT records of its names, and waits for the change", () => {
        expect(allows(policy, change(ZONE, [`_acme-challenge.${DOMAIN}`], ["TXT"], ["UPSERT"]))).toBe(true);
        expect(allows(policy, change(ZONE, [`_acme-challenge.edge-muc.${DOMAIN}`], ["TXT"], ["DELETE"]))).toBe(true);
        expect(allows(policy, { action: "route53:GetChange", resource: "arn:aws:route53:::change/C2682N5HXP0BZ4", context: {} })).toBe(
            true,
        );
    });

    it("cannot touch the global name's routing records, another name's challenge, other types or another zone", () => {
        expect(allows(policy, change(ZONE, [DOMAIN], ["CNAME"], ["UPSERT"]))).toBe(false);
        // A batch that slips a routing change in beside a challenge is refused whole.
        expect(allows(policy, change(ZONE, [`_acme-challenge.${DOMAIN}`, DOMAIN], ["TXT"], ["UPSERT"]))).toBe(false);
        expect(allows(policy, change(ZONE, [`_acme-challenge.use1.${DOMAIN}`], ["TXT"], ["UPSERT"]))).toBe(false);
        expect(allows(policy, change(ZONE, [`_acme-challenge.${DOMAIN}`], ["CNAME"], ["UPSERT"]))).toBe(false);
        expect(allows(policy, change(ZONE, [`_acme-challenge.${DOMAIN}`], ["TXT"], ["CREATE"]))).toBe(false);
        expect(allows(policy, change("ZOTHERZONE0000000000", [`_acme-challenge.${DOMAIN}`], ["TXT"], ["UPSERT"]))).toBe(false);
        expect(allows(policy, { action: "route53:ListHostedZonesByName", resource: "*", context: {} })).toBe(false);
    });

    it("names the challenge records as Route 53 normalises them", () => {
        expect(acmeChallengeRecordName("Serve.ModelFleet.example.com.")).toBe("_acme-challenge.serve.modelfleet.example.com");
    });
});

describe("the edge cluster's ACME Issuer", () => {
    it("renders only fields of cert-manager v1.20's Issuer: one DNS-01 Route 53 solver for exactly its names", () => {
        const issuer = renderAcmeIssuer(
            "modelfleet",
            { "app.kubernetes.io/part-of": "modelfleet" },
            {
                name: "modelfleet-acme",
                email: "platform@modelfleet.example.com",
                server: "https://acme-v02.api.letsencrypt.org/directory",
                zoneId: ZONE,
                hosts: HOSTS,
            },
        );
        expect(issuer).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "Issuer",
            metadata: { name: "modelfleet-acme", namespace: "modelfleet", labels: { "app.kubernetes.io/part-of": "modelfleet" } },
            spec: {
                acme: {
                    server: "https://acme-v02.api.letsencrypt.org/directory",
                    email: "platform@modelfleet.example.com",
                    privateKeySecretRef: { name: "modelfleet-acme-account-key" },
                    solvers: [
                        {
                            selector: { dnsNames: HOSTS },
                            dns01: {
                                route53: {
                                    region: "us-east-1",
                                    hostedZoneID: ZONE,
                                    accessKeyIDSecretRef: { name: "serving-acme-route53", key: "access-key-id" },
                                    secretAccessKeySecretRef: { name: "serving-acme-route53", key: "secret-access-key" },
                                },
                            },
                        },
                    ],
                },
            },
        });
    });
});

describe("prod's edge cluster gets its certificate by DNS-01", () => {
    const prod = planOnce("prod");
    const plan = () => prod.read<Plan>("plan.json");
    const named = (name: string) => {
        const found = plan().resources.filter((r) => r.name === name);
        if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
        return found[0];
    };

    it("makes an IAM user whose only policy is the zone's challenge records of edge-muc's names", () => {
        expect(prod.result().code).toBe(0);
        expect(named("edge-muc-tls-acme-user").type).toBe("aws:iam/user:User");
        const policy = JSON.parse(String(named("edge-muc-tls-acme-dns01").inputs["policy"])) as aws.iam.PolicyDocument;
        const statement = (policy.Statement as aws.iam.PolicyStatement[])[0];
        expect(statement.Condition).toEqual({
            "ForAllValues:StringEquals": {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                    "_acme-challenge.serve.modelfleet.example.com",
                    "_acme-challenge.edge-muc.serve.modelfleet.example.com",
                ],
                "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
                "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"],
            },
        });
        expect(named("edge-muc-tls-acme-key").type).toBe("aws:iam/accessKey:AccessKey");
    });

    it("stores the key as a secret beside the Issuer, and the Certificate waits for the Issuer", () => {
        const secret = named("edge-muc-serving-acme-route53");
        expect(secret.inputs["stringData"]).toEqual({ "access-key-id": "[secret]", "secret-access-key": "[secret]" });
        const issuer = named("edge-muc-serving-acme-issuer");
        expect(issuer.dependencies).toEqual(expect.arrayContaining([secret.urn]));
        const certificate = named("edge-muc-serving-certificate");
        expect(certificate.dependencies).toEqual(expect.arrayContaining([issuer.urn]));
        expect((certificate.inputs["spec"] as { issuerRef: unknown }).issuerRef).toEqual({
            name: "modelfleet-acme",
            kind: "Issuer",
            group: "cert-manager.io",
        });
    });
});
