import type { RunnerResource } from "../tools/policy-runner";
import { MODERN_ELB_SSL_POLICIES } from "../policy/policies/tls";
import { tlsPolicies } from "../policy/policies";
import { cloud, kube, notApplicableReason, runPolicy, T, urnOf } from "./policy-harness";

async function messages(name: string, resources: RunnerResource | RunnerResource[], settings?: Record<string, unknown>): Promise<string[]> {
    return (await runPolicy(name, resources, settings)).map((v) => v.message);
}

const ingress = (annotations: Record<string, string>, spec: Record<string, unknown>) =>
    kube(T.ingress, {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "gateway", namespace: "serving", annotations },
        spec,
    });
const rule = (host?: string) => ({ ...(host !== undefined ? { host } : {}), http: { paths: [] } });
const tlsIngress = (tlsHosts: string[][], hosts: Array<string | undefined>) =>
    ingress({}, { tls: tlsHosts.map((h) => (h.length > 0 ? { hosts: h } : {})), rules: hosts.map(rule) });

const alb = (annotations: Record<string, string>) => ingress(annotations, { ingressClassName: "alb", rules: [rule("api.example.com")] });
const CERT = { "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:111122223333:certificate/abc" };

const service = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    kube(T.service, { apiVersion: "v1", kind: "Service", metadata: { name: "gateway", namespace: "serving", annotations }, spec });
const SSL_CERT = { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert" };

const listener = (inputs: Record<string, unknown>, type = "aws:lb/listener:Listener") => cloud(type, "https", inputs);
const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];
const toHttps = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };

const statement = {
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: ["arn:aws:s3:::models/*"],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const bucketPolicy = (policy: unknown) => cloud("aws:s3/bucketPolicy:BucketPolicy", "models-policy", { bucket: "models", policy });
const bucketPolicyWith = (changes: Record<string, unknown>) => bucketPolicy(JSON.stringify({ Statement: [{ ...statement, ...changes }] }));
const NO_DENY = 'bucket policy models-policy has no statement denying s3:* to "*" when aws:SecureTransport is false.';

describe("TLS policies as the pack lists them", () => {
    test("names, descriptions and enforcement", () => {
        expect(tlsPolicies.map((p) => [p.name, p.description, p.enforcementLevel])).toEqual([
            ["ingress-tls-all-hosts", "Every Ingress terminates TLS for every host it routes.", "mandatory"],
            ["alb-ingress-ssl-policy", "ALB Ingresses pin an ELB security policy whose minimum protocol is TLS 1.2 or newer.", "mandatory"],
            ["alb-ingress-ssl-redirect", "ALB Ingresses that listen on HTTP redirect it to HTTPS.", "mandatory"],
            [
                "service-lb-tls",
                "Services of type LoadBalancer terminate TLS at the load balancer or pass TLS through to the pods.",
                "mandatory",
            ],
            [
                "service-no-nodeport",
                "No Service of type NodePort: it opens a plain port on every node, outside the load balancer's TLS.",
                "mandatory",
            ],
            [
                "lb-listener-https",
                "AWS load balancer listeners use HTTPS/TLS with a TLS 1.2+ security policy; HTTP only to redirect to HTTPS.",
                "mandatory",
            ],
            ["gcp-ssl-policy-modern", "GCP SSL policies require TLS 1.2+ and the MODERN or RESTRICTED profile.", "mandatory"],
            [
                "gcp-https-proxy-ssl-policy",
                "GCP HTTPS and SSL proxies attach an SSL policy, so the modern-TLS policy actually applies.",
                "mandatory",
            ],
            [
                "s3-bucket-policy-tls-only",
                "S3 bucket policies deny every request made without TLS (aws:SecureTransport = false).",
                "mandatory",
            ],
            ["s3-bucket-has-tls-policy", "Every S3 bucket has a bucket policy that refuses requests without TLS.", "mandatory"],
            [
                "route53-health-check-https",
                "Route 53 health checks probe over HTTPS (calculated and metric checks send no probe).",
                "mandatory",
            ],
            ["gcp-health-check-https", "GCP health checks probe over TLS (HTTPS, HTTP/2, SSL or gRPC with TLS).", "mandatory"],
        ]);
    });

    test("the ELB security policies accepted by default", () => {
        expect(MODERN_ELB_SSL_POLICIES).toEqual([
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
            "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            "ELBSecurityPolicy-FS-1-2-2019-08",
            "ELBSecurityPolicy-FS-1-2-Res-2019-08",
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        ]);
    });

    test("config schemas with their defaults", () => {
        const schemas = Object.fromEntries(tlsPolicies.filter((p) => p.configSchema !== undefined).map((p) => [p.name, p.configSchema]));
        const policies = {
            type: "array",
            items: { type: "string" },
            description: "ELB security policies accepted (TLS 1.2+).",
            default: [...MODERN_ELB_SSL_POLICIES],
        };
        const classes = {
            type: "array",
            items: { type: "string" },
            description: "Ingress classes served by the AWS Load Balancer Controller.",
            default: ["alb"],
        };
        expect(schemas).toEqual({
            "alb-ingress-ssl-policy": { properties: { albIngressClasses: classes, allowedSslPolicies: policies } },
            "alb-ingress-ssl-redirect": { properties: { albIngressClasses: classes } },
            "lb-listener-https": { properties: { allowedSslPolicies: policies } },
        });
    });

    test("each default ELB security policy passes an ALB Ingress and a listener", async () => {
        for (const policy of MODERN_ELB_SSL_POLICIES) {
            expect(await messages("alb-ingress-ssl-policy", alb({ "alb.ingress.kubernetes.io/ssl-policy": policy }))).toEqual([]);
            expect(
                await messages("lb-listener-https", listener({ protocol: "HTTPS", sslPolicy: policy, defaultActions: forward })),
            ).toEqual([]);
        }
    });
});

describe("ingress-tls-all-hosts", () => {
    const name = "ingress-tls-all-hosts";
    test("a certificate managed by GKE or a pre-shared certificate stands in for spec.tls", async () => {
        const spec = { rules: [rule("api.example.com")] };
        expect(await messages(name, ingress({ "networking.gke.io/managed-certificates": "api" }, spec))).toEqual([]);
        expect(await messages(name, ingress({ "ingress.gcp.kubernetes.io/pre-shared-cert": "api" }, spec))).toEqual([]);
        expect(await messages(name, ingress({ "networking.gke.io/managed-certificates": "" }, spec))).toEqual([
            "Ingress serving/gateway has no spec.tls: its hosts would be served over plain HTTP.",
        ]);
    });
    test("each uncovered host and hostless rule is reported", async () => {
        expect(await messages(name, tlsIngress([["api.example.com"]], ["api.example.com", "admin.example.com", undefined, ""]))).toEqual([
            'Ingress serving/gateway routes host "admin.example.com" that no spec.tls entry covers.',
            "Ingress serving/gateway has a rule without host but no spec.tls entry without hosts to serve it.",
            "Ingress serving/gateway has a rule without host but no spec.tls entry without hosts to serve it.",
        ]);
    });
    test("a tls entry without hosts serves hostless rules", async () => {
        expect(await messages(name, tlsIngress([["api.example.com"], []], ["api.example.com", undefined]))).toEqual([]);
    });
    test("a wildcard covers one label, not the bare domain or a look-alike", async () => {
        expect(
            await messages(name, tlsIngress([["*.example.com"]], ["api.example.com", "example.com", "apiexample.com", "a.b.example.com"])),
        ).toEqual([
            'Ingress serving/gateway routes host "example.com" that no spec.tls entry covers.',
            'Ingress serving/gateway routes host "apiexample.com" that no spec.tls entry covers.',
            'Ingress serving/gateway routes host "a.b.example.com" that no spec.tls entry covers.',
        ]);
    });
    test("a plain certificate host covers only itself", async () => {
        expect(await messages(name, tlsIngress([["api.example.com"]], ["xpi.example.com", "x.api.example.com"]))).toEqual([
            'Ingress serving/gateway routes host "xpi.example.com" that no spec.tls entry covers.',
            'Ingress serving/gateway routes host "x.api.example.com" that no spec.tls entry covers.',
        ]);
    });
    test("a second tls entry can cover a host", async () => {
        expect(await messages(name, tlsIngress([["a.example.com"], ["b.example.com"]], ["b.example.com"]))).toEqual([]);
    });
});

describe("alb-ingress-ssl-policy", () => {
    const name = "alb-ingress-ssl-policy";
    test("does not apply to other Ingresses", () => {
        expect(notApplicableReason(name, ingress({}, { ingressClassName: "nginx" }))).toBe("not an ALB Ingress");
        expect(notApplicableReason(name, ingress({}, {}))).toBe("not an ALB Ingress");
        expect(notApplicableReason(name, ingress({ "kubernetes.io/ingress.class": "nginx" }, {}))).toBe("not an ALB Ingress");
        expect(notApplicableReason(name, alb({}))).toBeUndefined();
    });
    test("lists the allowed policies when one is refused", async () => {
        expect(
            await messages(name, alb({ "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08" }), {
                allowedSslPolicies: ["A", "B"],
            }),
        ).toEqual(['Ingress serving/gateway uses SSL policy "ELBSecurityPolicy-2016-08", which is not a TLS 1.2+ policy (allowed: A, B).']);
    });
    test("a class configured as ALB", async () => {
        const custom = ingress({}, { ingressClassName: "alb-public" });
        expect(await messages(name, custom, { albIngressClasses: ["alb-public"] })).toEqual([
            "Ingress serving/gateway has no alb.ingress.kubernetes.io/ssl-policy annotation; the controller's default policy may accept TLS 1.0.",
        ]);
    });
});

describe("alb-ingress-ssl-redirect", () => {
    const name = "alb-ingress-ssl-redirect";
    const ports = (value: string, more: Record<string, string> = {}) => alb({ "alb.ingress.kubernetes.io/listen-ports": value, ...more });
    const redirect = (port: string) => ({ "alb.ingress.kubernetes.io/ssl-redirect": port });
    test("does not apply to other Ingresses", () => {
        expect(notApplicableReason(name, ingress({}, { ingressClassName: "nginx" }))).toBe("not an ALB Ingress");
        expect(notApplicableReason(name, alb({}))).toBeUndefined();
        expect(notApplicableReason(name, ingress({}, { ingressClassName: "alb" }), { albIngressClasses: ["alb-public"] })).toBe(
            "not an ALB Ingress",
        );
    });
    test("with a certificate and no listen-ports the controller listens on HTTPS only", async () => {
        expect(await messages(name, alb(CERT))).toEqual([]);
        expect(await messages(name, alb({ "alb.ingress.kubernetes.io/certificate-arn": "" }))).toEqual([
            "Ingress serving/gateway listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect; plain HTTP requests would reach the backends.",
        ]);
    });
    test("listen-ports that are not a list of protocol-to-port objects are malformed", async () => {
        for (const value of ['{"HTTP": 80}', "[80]", '[{"HTTP": "eighty"}]', "[null]"]) {
            expect(await messages(name, ports(value))).toEqual([
                `Ingress serving/gateway has a malformed alb.ingress.kubernetes.io/listen-ports annotation: ${value}`,
            ]);
        }
    });
    test("protocols are read in any case and ports as numbers or text", async () => {
        expect(await messages(name, ports('[{"http": "80"}, {"https": 443}]', redirect("443")))).toEqual([]);
        expect(await messages(name, ports('[{"http": 80}]'))).toEqual([
            "Ingress serving/gateway listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect; plain HTTP requests would reach the backends.",
        ]);
        expect(await messages(name, ports('[{"HTTP": 80, "HTTPS": 8443}]', redirect("8443")))).toEqual([]);
    });
    test("the redirect must name an HTTPS listen port", async () => {
        const both = '[{"HTTP": 80}, {"HTTPS": 443}]';
        expect(await messages(name, ports(both, redirect("80")))).toEqual([
            "Ingress serving/gateway redirects to port 80, which is not one of its HTTPS listen ports.",
        ]);
        expect(await messages(name, ports(both, redirect("https")))).toEqual([
            "Ingress serving/gateway redirects to port https, which is not one of its HTTPS listen ports.",
        ]);
        expect(await messages(name, ports(both, redirect("443")))).toEqual([]);
    });
});

describe("service-lb-tls", () => {
    const name = "service-lb-tls";
    const NO_TLS =
        "Service serving/gateway is a LoadBalancer without TLS: set service.beta.kubernetes.io/aws-load-balancer-ssl-cert, or mark TLS pass-through ports with appProtocol https/tls";
    test("applies to LoadBalancer Services only", () => {
        expect(notApplicableReason(name, service({ type: "ClusterIP" }))).toBe("not a LoadBalancer Service");
        expect(notApplicableReason(name, service({}))).toBe("not a LoadBalancer Service");
        expect(notApplicableReason(name, service({ type: "LoadBalancer" }))).toBeUndefined();
    });
    test("ssl-ports are a comma list of port numbers or names, spaces allowed", async () => {
        const spec = { type: "LoadBalancer", ports: [{ port: 443 }, { port: 8443, name: "admin" }, { port: 9443, name: "metrics" }] };
        expect(
            await messages(
                name,
                service(spec, { ...SSL_CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443, admin ,9443" }),
            ),
        ).toEqual([]);
        expect(
            await messages(name, service(spec, { ...SSL_CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443,admin,*" })),
        ).toEqual([]);
        expect(
            await messages(name, service(spec, { ...SSL_CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "admin" })),
        ).toEqual([
            "Service serving/gateway port 443 is not listed in service.beta.kubernetes.io/aws-load-balancer-ssl-ports, so it is served without TLS.",
            "Service serving/gateway port metrics is not listed in service.beta.kubernetes.io/aws-load-balancer-ssl-ports, so it is served without TLS.",
        ]);
    });
    test("a port named like a listed number is listed by number", async () => {
        const spec = { type: "LoadBalancer", ports: [{ port: 443, name: "web" }] };
        expect(
            await messages(name, service(spec, { ...SSL_CERT, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443" })),
        ).toEqual([]);
    });
    test("without a certificate each plain port is named, by name or number", async () => {
        const spec = {
            type: "LoadBalancer",
            ports: [
                { port: 443, appProtocol: "HTTPS" },
                { port: 8443, appProtocol: "TLS" },
                { port: 80, name: "http" },
                { port: 8080 },
                {},
            ],
        };
        expect(await messages(name, service(spec))).toEqual([`${NO_TLS} (plain ports: http, 8080, ?).`]);
    });
    test("without a certificate or ports the message names no port", async () => {
        expect(await messages(name, service({ type: "LoadBalancer" }))).toEqual([`${NO_TLS}.`]);
        expect(await messages(name, service({ type: "LoadBalancer", ports: [] }))).toEqual([`${NO_TLS}.`]);
    });
    test("every port passed through with TLS needs no certificate", async () => {
        expect(
            await messages(
                name,
                service({
                    type: "LoadBalancer",
                    ports: [
                        { port: 443, appProtocol: "tls" },
                        { port: 8443, appProtocol: "https" },
                    ],
                }),
            ),
        ).toEqual([]);
    });
});

describe("service-no-nodeport", () => {
    test("names the NodePort Service; a LoadBalancer is no NodePort", async () => {
        expect(await messages("service-no-nodeport", service({ type: "NodePort" }))).toEqual([
            "Service serving/gateway is of type NodePort.",
        ]);
        expect(await messages("service-no-nodeport", service({ type: "LoadBalancer" }))).toEqual([]);
    });
});

describe("lb-listener-https", () => {
    const name = "lb-listener-https";
    test("exact messages per protocol", async () => {
        expect(await messages(name, listener({ protocol: "TLS" }))).toEqual([
            "listener https (TLS) sets no sslPolicy; AWS would apply ELBSecurityPolicy-2016-08, which accepts TLS 1.0.",
        ]);
        expect(await messages(name, listener({ protocol: "https", sslPolicy: "ELBSecurityPolicy-2016-08" }))).toEqual([
            'listener https uses sslPolicy "ELBSecurityPolicy-2016-08", which is not a TLS 1.2+ policy.',
        ]);
        expect(await messages(name, listener({ protocol: "udp" }))).toEqual([
            "listener https uses protocol UDP; only HTTPS, TLS, or an HTTP-to-HTTPS redirect are allowed.",
        ]);
    });
    test("the older aws:alb type is checked the same way", async () => {
        expect(await messages(name, listener({ protocol: "HTTP", defaultActions: forward }, "aws:alb/listener:Listener"))).toEqual([
            "listener https serves plain HTTP; an HTTP listener may only redirect to HTTPS.",
        ]);
    });
    test("HTTP must redirect every request to HTTPS", async () => {
        const plain = ["listener https serves plain HTTP; an HTTP listener may only redirect to HTTPS."];
        expect(await messages(name, listener({ protocol: "http", defaultActions: [] }))).toEqual(plain);
        expect(await messages(name, listener({ protocol: "HTTP" }))).toEqual(plain);
        expect(await messages(name, listener({ protocol: "HTTP", defaultActions: [toHttps, ...forward] }))).toEqual(plain);
        expect(
            await messages(name, listener({ protocol: "HTTP", defaultActions: [{ type: "forward", redirect: { protocol: "HTTPS" } }] })),
        ).toEqual(plain);
        expect(await messages(name, listener({ protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: {} }] }))).toEqual(plain);
        expect(
            await messages(name, listener({ protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "https" } }] })),
        ).toEqual([]);
        expect(await messages(name, listener({ protocol: "HTTP", defaultActions: [toHttps, toHttps] }))).toEqual([]);
    });
    test("configured policies replace the defaults", async () => {
        const settings = { allowedSslPolicies: ["Custom-TLS13"] };
        expect(await messages(name, listener({ protocol: "HTTPS", sslPolicy: "Custom-TLS13" }), settings)).toEqual([]);
        expect(await messages(name, listener({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }), settings)).toEqual([
            'listener https uses sslPolicy "ELBSecurityPolicy-TLS13-1-2-2021-06", which is not a TLS 1.2+ policy.',
        ]);
    });
});

describe("gcp-ssl-policy-modern", () => {
    const name = "gcp-ssl-policy-modern";
    test("Google's defaults fail both ways", async () => {
        expect(await messages(name, cloud("gcp:compute/regionSslPolicy:RegionSslPolicy", "r", {}))).toEqual([
            "SSL policy r allows TLS_1_0; set minTlsVersion to TLS_1_2 or TLS_1_3.",
            "SSL policy r uses profile COMPATIBLE; use MODERN or RESTRICTED.",
        ]);
    });
    test("TLS 1.3 with the MODERN profile passes; CUSTOM does not", async () => {
        expect(
            await messages(name, cloud("gcp:compute/sSLPolicy:SSLPolicy", "p", { minTlsVersion: "TLS_1_3", profile: "MODERN" })),
        ).toEqual([]);
        expect(
            await messages(name, cloud("gcp:compute/sSLPolicy:SSLPolicy", "p", { minTlsVersion: "TLS_1_2", profile: "CUSTOM" })),
        ).toEqual(["SSL policy p uses profile CUSTOM; use MODERN or RESTRICTED."]);
    });
});

describe("gcp-https-proxy-ssl-policy", () => {
    test("every proxy type needs an SSL policy", async () => {
        for (const type of [
            "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
            "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
            "gcp:compute/targetSSLProxy:TargetSSLProxy",
        ]) {
            expect(await messages("gcp-https-proxy-ssl-policy", cloud(type, "proxy", { sslPolicy: "" }))).toEqual([
                "proxy proxy has no sslPolicy; Google's default accepts TLS 1.0.",
            ]);
            expect(await messages("gcp-https-proxy-ssl-policy", cloud(type, "proxy", { sslPolicy: "projects/p/sslPolicies/m" }))).toEqual(
                [],
            );
        }
    });
});

describe("s3-bucket-policy-tls-only", () => {
    const name = "s3-bucket-policy-tls-only";
    test("the deny may name everyone as AWS * in any form", async () => {
        expect(await messages(name, bucketPolicyWith({ Principal: { AWS: "*" } }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Principal: { AWS: ["arn:aws:iam::1:root", "*"] } }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Principal: { Service: "*" } }))).toEqual([NO_DENY]);
        expect(await messages(name, bucketPolicyWith({ Principal: "arn:aws:iam::1:root" }))).toEqual([NO_DENY]);
    });
    test("the deny covers s3:* or *, alone or in a list", async () => {
        expect(await messages(name, bucketPolicyWith({ Action: "*" }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Action: ["s3:GetObject", "s3:*"] }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Action: ["*"] }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Action: ["s3:GetObject", "s3:PutObject"] }))).toEqual([NO_DENY]);
        expect(await messages(name, bucketPolicyWith({ Action: undefined }))).toEqual([NO_DENY]);
    });
    test("the condition may be a boolean or a list", async () => {
        expect(await messages(name, bucketPolicyWith({ Condition: { Bool: { "aws:SecureTransport": false } } }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Condition: { Bool: { "aws:SecureTransport": ["false"] } } }))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Condition: { Bool: { "aws:SecureTransport": [true, "true"] } } }))).toEqual([
            NO_DENY,
        ]);
        expect(await messages(name, bucketPolicyWith({ Condition: {} }))).toEqual([NO_DENY]);
    });
    test("a single statement without the list counts; a deny that is not Deny does not", async () => {
        expect(await messages(name, bucketPolicy(JSON.stringify({ Statement: statement })))).toEqual([]);
        expect(await messages(name, bucketPolicyWith({ Effect: "deny" }))).toEqual([NO_DENY]);
        expect(await messages(name, bucketPolicy(JSON.stringify({ Statement: ["text", statement] })))).toEqual([]);
    });
    test("a document that is not an object has no statements", async () => {
        expect(await messages(name, bucketPolicy("[]"))).toEqual([NO_DENY]);
        expect(await messages(name, bucketPolicy(JSON.stringify([{ Statement: [statement] }])))).toEqual([NO_DENY]);
        expect(await messages(name, bucketPolicy("{"))).toEqual(["bucket policy models-policy is not valid JSON."]);
    });
});

describe("s3-bucket-has-tls-policy", () => {
    const name = "s3-bucket-has-tls-policy";
    const bucket = (inputs: Record<string, unknown>) => cloud("aws:s3/bucket:Bucket", "models", { bucket: "mf-models", ...inputs });
    test("an inline policy with the TLS deny is enough", async () => {
        expect(await messages(name, bucket({ policy: JSON.stringify({ Statement: [statement] }) }))).toEqual([]);
        expect(await messages(name, bucket({ policy: { Statement: [statement] } }))).toEqual([]);
    });
    test("the violation names the bucket's URN", async () => {
        const violations = await runPolicy(name, bucket({ policy: "" }));
        expect(violations.map((v) => [v.message, v.urn])).toEqual([
            ["S3 bucket models has no bucket policy denying requests without TLS.", urnOf("aws:s3/bucket:Bucket", "models")],
        ]);
    });
    test("a companion policy that is not JSON does not count", async () => {
        const policy = cloud("aws:s3/bucketPolicy:BucketPolicy", "models-policy", { bucket: "mf-models", policy: "{" });
        expect(await messages(name, [bucket({}), policy])).toEqual(["S3 bucket models has no bucket policy denying requests without TLS."]);
    });
});

describe("route53-health-check-https", () => {
    const name = "route53-health-check-https";
    const check = (inputs: Record<string, unknown>) => cloud("aws:route53/healthCheck:HealthCheck", "probe", inputs);
    test("types that probe over HTTPS or send no probe pass", async () => {
        for (const type of ["HTTPS", "HTTPS_STR_MATCH", "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"]) {
            expect(await messages(name, check({ type }))).toEqual([]);
        }
    });
    test("other types, or none, are named", async () => {
        expect(await messages(name, check({ type: "TCP" }))).toEqual(['health check probe has type "TCP"; use HTTPS or HTTPS_STR_MATCH.']);
        expect(await messages(name, check({}))).toEqual(['health check probe has type ""; use HTTPS or HTTPS_STR_MATCH.']);
    });
});

describe("gcp-health-check-https", () => {
    const name = "gcp-health-check-https";
    const check = (inputs: Record<string, unknown>, type = "gcp:compute/healthCheck:HealthCheck") => cloud(type, "probe", inputs);
    test("each TLS probe passes, in either health check type", async () => {
        for (const probe of ["httpsHealthCheck", "http2HealthCheck", "sslHealthCheck", "grpcTlsHealthCheck"]) {
            expect(await messages(name, check({ [probe]: { port: 443 } }))).toEqual([]);
            expect(await messages(name, check({ [probe]: { port: 443 } }, "gcp:compute/regionHealthCheck:RegionHealthCheck"))).toEqual([]);
        }
    });
    test("names every plain probe", async () => {
        expect(
            await messages(name, check({ httpHealthCheck: { port: 80 }, tcpHealthCheck: { port: 80 }, grpcHealthCheck: { port: 80 } })),
        ).toEqual(["health check probe uses httpHealthCheck, tcpHealthCheck, grpcHealthCheck; use httpsHealthCheck."]);
        expect(await messages(name, check({}, "gcp:compute/regionHealthCheck:RegionHealthCheck"))).toEqual([
            "health check probe sets no TLS probe; use httpsHealthCheck.",
        ]);
    });
    test("the legacy HTTP health check is refused by type", async () => {
        expect(await messages(name, check({ httpsHealthCheck: { port: 443 } }, "gcp:compute/httpHealthCheck:HttpHealthCheck"))).toEqual([
            "health check probe is a legacy HTTP health check; use compute.HealthCheck with httpsHealthCheck.",
        ]);
    });
});
