import type { ListenerArgs } from "@pulumi/aws/lb/listener";
import type { HealthCheckArgs as Route53HealthCheckArgs } from "@pulumi/aws/route53/healthCheck";
import type { BucketArgs } from "@pulumi/aws/s3/bucket";
import type { BucketPolicyArgs } from "@pulumi/aws/s3/bucketPolicy";
import type { HealthCheckArgs as GcpHealthCheckArgs } from "@pulumi/gcp/compute/healthCheck";
import type { SSLPolicyArgs } from "@pulumi/gcp/compute/sslpolicy";
import type { TargetHttpsProxyArgs } from "@pulumi/gcp/compute/targetHttpsProxy";
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { Unwrap } from "@pulumi/pulumi";
import { tlsPolicies } from "../policy/policies";
import { cloud, kube, T, testPolicies, UNKNOWN, urnOf } from "./policy-harness";

type Ingress = Unwrap<k8s.networking.v1.Ingress>;
type Service = Unwrap<k8s.core.v1.Service>;

const ingress = (annotations: Record<string, string>, spec: Ingress["spec"], name = "gateway") =>
    kube(T.ingress, {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name, namespace: "serving", annotations },
        spec,
    } satisfies Ingress);

const backend = { service: { name: "tensorzero", port: { number: 3000 } } };
const rule = (host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ path: "/", pathType: "Prefix", backend }] } });

const ALB_OK = {
    "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:111122223333:certificate/abc",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
    "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
};
const albSpec = (): Ingress["spec"] => ({ ingressClassName: "alb", rules: [rule("api.example.com")] });

const service = (spec: Service["spec"], annotations: Record<string, string> = {}) =>
    kube(T.service, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "gateway", namespace: "serving", annotations },
        spec,
    } satisfies Service);

const listener = (inputs: Unwrap<ListenerArgs>) => cloud("aws:lb/listener:Listener", "https", inputs);
const LB = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/1";
const forward = [{ type: "forward", targetGroupArn: "arn:tg" }];

const sslPolicy = (inputs: Unwrap<SSLPolicyArgs>) => cloud("gcp:compute/sSLPolicy:SSLPolicy", "modern", inputs);
const httpsProxy = (inputs: Unwrap<TargetHttpsProxyArgs>) => cloud("gcp:compute/targetHttpsProxy:TargetHttpsProxy", "proxy", inputs);

const tlsStatement = {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: ["arn:aws:s3:::models", "arn:aws:s3:::models/*"],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const bucketPolicy = (inputs: Unwrap<BucketPolicyArgs>, name = "models-policy", deps?: Record<string, string[]>) =>
    cloud("aws:s3/bucketPolicy:BucketPolicy", name, inputs, deps ? { propertyDependencies: deps } : {});
const bucket = (name: string, inputs: Unwrap<BucketArgs> = {}) => cloud("aws:s3/bucket:Bucket", name, inputs);

const route53 = (inputs: Unwrap<Route53HealthCheckArgs>) => cloud("aws:route53/healthCheck:HealthCheck", "us-east-1", inputs);
const gcpCheck = (inputs: Unwrap<GcpHealthCheckArgs>) => cloud("gcp:compute/healthCheck:HealthCheck", "serving", inputs);

testPolicies(tlsPolicies, {
    "ingress-tls-all-hosts": {
        fields: ["spec.tls", "spec.tls.hosts", "spec.rules.host", 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]'],
        reject: [
            {
                title: "no tls at all",
                field: "spec.tls",
                resources: ingress({}, { rules: [rule("api.example.com")] }),
                message: "has no spec.tls",
            },
            {
                title: "a host outside the tls hosts",
                field: "spec.rules.host",
                resources: ingress(
                    {},
                    {
                        tls: [{ hosts: ["api.example.com"], secretName: "api" }],
                        rules: [rule("api.example.com"), rule("admin.example.com")],
                    },
                ),
                message: 'routes host "admin.example.com" that no spec.tls entry covers',
            },
            {
                title: "a wildcard does not cover two labels",
                field: "spec.tls.hosts",
                resources: ingress({}, { tls: [{ hosts: ["*.example.com"], secretName: "w" }], rules: [rule("a.b.example.com")] }),
                message: 'host "a.b.example.com"',
            },
            {
                title: "a hostless rule without a default certificate",
                field: "spec.rules.host",
                resources: ingress({}, { tls: [{ hosts: ["api.example.com"], secretName: "api" }], rules: [rule()] }),
                message: "rule without host",
            },
            {
                title: "an empty certificate annotation is no certificate",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]',
                resources: ingress({ "alb.ingress.kubernetes.io/certificate-arn": "" }, { rules: [rule("api.example.com")] }),
                message: "Ingress serving/gateway has no spec.tls: its hosts would be served over plain HTTP.",
            },
        ],
        accept: [
            {
                title: "tls covering each host",
                resources: ingress({}, { tls: [{ hosts: ["api.example.com"], secretName: "api" }], rules: [rule("api.example.com")] }),
            },
            {
                title: "a wildcard certificate",
                resources: ingress({}, { tls: [{ hosts: ["*.example.com"], secretName: "w" }], rules: [rule("api.example.com")] }),
            },
            { title: "an ACM certificate on an ALB", resources: ingress(ALB_OK, albSpec()) },
        ],
    },
    "alb-ingress-ssl-policy": {
        fields: [
            "spec.ingressClassName",
            'metadata.annotations["kubernetes.io/ingress.class"]',
            'metadata.annotations["alb.ingress.kubernetes.io/ssl-policy"]',
        ],
        reject: [
            {
                title: "no ssl-policy annotation",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/ssl-policy"]',
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/ssl-policy": "" }, albSpec()),
                message: "has no alb.ingress.kubernetes.io/ssl-policy annotation",
            },
            {
                title: "a TLS 1.0 policy",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/ssl-policy"]',
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08" }, albSpec()),
                message: 'uses SSL policy "ELBSecurityPolicy-2016-08"',
            },
            {
                title: "the legacy class annotation marks an ALB too",
                field: 'metadata.annotations["kubernetes.io/ingress.class"]',
                resources: ingress({ "kubernetes.io/ingress.class": "alb" }, { rules: [rule("api.example.com")] }),
                message: "has no alb.ingress.kubernetes.io/ssl-policy",
            },
            {
                title: "the ALB class without any annotation",
                field: "spec.ingressClassName",
                resources: ingress({}, albSpec()),
                message:
                    "Ingress serving/gateway has no alb.ingress.kubernetes.io/ssl-policy annotation; the controller's default policy may accept TLS 1.0.",
            },
        ],
        accept: [
            { title: "a TLS 1.3 policy", resources: ingress(ALB_OK, albSpec()) },
            {
                title: "not an ALB ingress",
                resources: ingress({}, { ingressClassName: "nginx", tls: [{ hosts: ["a.example.com"] }], rules: [rule("a.example.com")] }),
            },
            {
                title: "a policy added through config",
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/ssl-policy": "Custom-TLS13" }, albSpec()),
                settings: { allowedSslPolicies: ["Custom-TLS13"] },
            },
        ],
    },
    "alb-ingress-ssl-redirect": {
        fields: [
            "spec.ingressClassName",
            'metadata.annotations["kubernetes.io/ingress.class"]',
            'metadata.annotations["alb.ingress.kubernetes.io/listen-ports"]',
            'metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]',
            'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]',
        ],
        reject: [
            {
                title: "HTTP listener without redirect",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]',
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/ssl-redirect": "" }, albSpec()),
                message: "listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect",
            },
            {
                title: "redirect to a port that is not HTTPS",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]',
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/ssl-redirect": "8443" }, albSpec()),
                message: "redirects to port 8443, which is not one of its HTTPS listen ports",
            },
            {
                title: "default HTTP listener without a certificate",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]',
                resources: ingress({}, albSpec()),
                message: "listens on HTTP without",
            },
            {
                title: "malformed listen-ports",
                field: 'metadata.annotations["alb.ingress.kubernetes.io/listen-ports"]',
                resources: ingress({ ...ALB_OK, "alb.ingress.kubernetes.io/listen-ports": "[{HTTP: 80}" }, albSpec()),
                message: "malformed alb.ingress.kubernetes.io/listen-ports",
            },
            {
                title: "the legacy class annotation marks an ALB",
                field: 'metadata.annotations["kubernetes.io/ingress.class"]',
                resources: ingress({ "kubernetes.io/ingress.class": "alb" }, { rules: [rule("api.example.com")] }),
                message:
                    "Ingress serving/gateway listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect; plain HTTP requests would reach the backends.",
            },
            {
                title: "the ALB class with HTTP and HTTPS but no redirect",
                field: "spec.ingressClassName",
                resources: ingress({ "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]' }, albSpec()),
                message:
                    "Ingress serving/gateway listens on HTTP without alb.ingress.kubernetes.io/ssl-redirect; plain HTTP requests would reach the backends.",
            },
        ],
        accept: [
            { title: "HTTP redirected to 443", resources: ingress(ALB_OK, albSpec()) },
            {
                title: "HTTPS only",
                resources: ingress(
                    {
                        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]',
                        "alb.ingress.kubernetes.io/ssl-policy": ALB_OK["alb.ingress.kubernetes.io/ssl-policy"],
                    },
                    albSpec(),
                ),
            },
            {
                title: "a custom ALB class name via config",
                resources: ingress({}, { ingressClassName: "nginx" }),
                settings: { albIngressClasses: ["alb-public"] },
            },
        ],
    },
    "service-lb-tls": {
        fields: [
            "spec.type",
            'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]',
            'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"]',
            "spec.ports.name",
            "spec.ports.port",
            "spec.ports.appProtocol",
        ],
        reject: [
            {
                title: "plain load balancer",
                field: "spec.type",
                resources: service({ type: "LoadBalancer", ports: [{ port: 80, name: "http" }] }),
                message: "is a LoadBalancer without TLS",
            },
            {
                title: "a port outside aws-load-balancer-ssl-ports",
                field: 'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"]',
                resources: service(
                    {
                        type: "LoadBalancer",
                        ports: [
                            { port: 443, name: "https" },
                            { port: 80, name: "http" },
                        ],
                    },
                    {
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert",
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                    },
                ),
                message: "port http is not listed in service.beta.kubernetes.io/aws-load-balancer-ssl-ports",
            },
            {
                title: "an unnamed port outside aws-load-balancer-ssl-ports",
                field: "spec.ports.port",
                resources: service(
                    { type: "LoadBalancer", ports: [{ port: 443 }, { port: 8080 }] },
                    {
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert",
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                    },
                ),
                message:
                    "Service serving/gateway port 8080 is not listed in service.beta.kubernetes.io/aws-load-balancer-ssl-ports, so it is served without TLS.",
            },
            {
                title: "ssl-ports naming another port",
                field: "spec.ports.name",
                resources: service(
                    { type: "LoadBalancer", ports: [{ port: 443, name: "admin" }] },
                    {
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert",
                        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
                    },
                ),
                message: "Service serving/gateway port admin is not listed",
            },
            {
                title: "an empty certificate annotation",
                field: 'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]',
                resources: service(
                    { type: "LoadBalancer", ports: [{ port: 443, name: "https" }] },
                    { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "" },
                ),
                message: "Service serving/gateway is a LoadBalancer without TLS",
            },
            {
                title: "appProtocol http is plain",
                field: "spec.ports.appProtocol",
                resources: service({ type: "LoadBalancer", ports: [{ port: 443, name: "web", appProtocol: "http" }] }),
                message: "(plain ports: web).",
            },
        ],
        accept: [
            {
                title: "ACM certificate on all ports",
                resources: service(
                    { type: "LoadBalancer", ports: [{ port: 443 }] },
                    { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:cert" },
                ),
            },
            {
                title: "TLS passed through to the pods",
                resources: service({ type: "LoadBalancer", ports: [{ port: 443, appProtocol: "https" }] }),
            },
            { title: "a ClusterIP service", resources: service({ type: "ClusterIP", ports: [{ port: 80 }] }) },
        ],
    },
    "service-no-nodeport": {
        fields: ["spec.type"],
        reject: [
            {
                title: "NodePort",
                field: "spec.type",
                resources: service({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }),
                message: "is of type NodePort",
            },
        ],
        accept: [{ title: "ClusterIP", resources: service({ ports: [{ port: 80 }] }) }],
    },
    "lb-listener-https": {
        fields: ["protocol", "sslPolicy", "defaultActions.type", "defaultActions.redirect.protocol"],
        reject: [
            {
                title: "plain HTTP forward",
                field: "defaultActions.type",
                resources: listener({ loadBalancerArn: LB, port: 80, protocol: "HTTP", defaultActions: forward }),
                message: "serves plain HTTP",
            },
            {
                title: "HTTPS with a TLS 1.0 policy",
                field: "sslPolicy",
                resources: listener({
                    loadBalancerArn: LB,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: "ELBSecurityPolicy-2016-08",
                    certificateArn: "arn:c",
                    defaultActions: forward,
                }),
                message: 'uses sslPolicy "ELBSecurityPolicy-2016-08"',
            },
            {
                title: "HTTPS without a policy",
                field: "sslPolicy",
                resources: listener({
                    loadBalancerArn: LB,
                    port: 443,
                    protocol: "HTTPS",
                    certificateArn: "arn:c",
                    defaultActions: forward,
                }),
                message: "sets no sslPolicy",
            },
            {
                title: "plain TCP",
                field: "protocol",
                resources: listener({ loadBalancerArn: LB, port: 80, protocol: "TCP", defaultActions: forward }),
                message: "uses protocol TCP",
            },
            {
                title: "default protocol is HTTP",
                field: "protocol",
                resources: listener({ loadBalancerArn: LB, defaultActions: forward }),
                message: "serves plain HTTP",
            },
            {
                title: "a redirect that stays on HTTP",
                field: "defaultActions.redirect.protocol",
                resources: listener({
                    loadBalancerArn: LB,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } }],
                }),
                message: "listener https serves plain HTTP; an HTTP listener may only redirect to HTTPS.",
            },
        ],
        accept: [
            {
                title: "HTTPS with a TLS 1.3 policy",
                resources: listener({
                    loadBalancerArn: LB,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    certificateArn: "arn:c",
                    defaultActions: forward,
                }),
            },
            {
                title: "HTTP that only redirects to HTTPS",
                resources: listener({
                    loadBalancerArn: LB,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                }),
            },
            {
                title: "the aws:alb alias type",
                resources: cloud("aws:alb/listener:Listener", "tls", {
                    loadBalancerArn: LB,
                    protocol: "TLS",
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
                    defaultActions: forward,
                }),
            },
        ],
    },
    "gcp-ssl-policy-modern": {
        fields: ["minTlsVersion", "profile"],
        reject: [
            { title: "Google's defaults", field: "minTlsVersion", resources: sslPolicy({}), message: "allows TLS_1_0" },
            {
                title: "COMPATIBLE profile",
                field: "profile",
                resources: sslPolicy({ minTlsVersion: "TLS_1_2", profile: "COMPATIBLE" }),
                message: "uses profile COMPATIBLE",
            },
            {
                title: "TLS 1.1 with the MODERN profile",
                field: "minTlsVersion",
                resources: sslPolicy({ minTlsVersion: "TLS_1_1", profile: "MODERN" }),
                message: "SSL policy modern allows TLS_1_1; set minTlsVersion to TLS_1_2 or TLS_1_3.",
            },
        ],
        accept: [
            { title: "TLS 1.2 MODERN", resources: sslPolicy({ minTlsVersion: "TLS_1_2", profile: "MODERN" }) },
            {
                title: "regional RESTRICTED",
                resources: cloud("gcp:compute/regionSslPolicy:RegionSslPolicy", "r", { minTlsVersion: "TLS_1_3", profile: "RESTRICTED" }),
            },
        ],
    },
    "gcp-https-proxy-ssl-policy": {
        fields: ["sslPolicy"],
        reject: [
            {
                title: "no ssl policy",
                field: "sslPolicy",
                resources: httpsProxy({ urlMap: "map", sslCertificates: ["cert"] }),
                message: "has no sslPolicy",
            },
        ],
        accept: [
            { title: "an attached policy", resources: httpsProxy({ urlMap: "map", sslPolicy: "projects/p/global/sslPolicies/modern" }) },
            // The policy's self-link is unknown at preview, but that one is attached is known.
            { title: "an attached policy whose link is unknown at preview", resources: httpsProxy({ urlMap: "map", sslPolicy: UNKNOWN }) },
        ],
    },
    "s3-bucket-policy-tls-only": {
        fields: [
            "policy",
            "policy.Statement.Effect",
            "policy.Statement.Principal",
            "policy.Statement.Action",
            "policy.Statement.Condition.Bool.aws:SecureTransport",
        ],
        reject: [
            {
                title: "no deny statement",
                field: "policy.Statement.Effect",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:role/r" }, Action: "s3:GetObject", Resource: "*" },
                        ],
                    }),
                }),
                message: 'has no statement denying s3:* to "*" when aws:SecureTransport is false',
            },
            {
                title: "a deny that only covers GetObject",
                field: "policy.Statement.Action",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: JSON.stringify({ Statement: [{ ...tlsStatement, Action: "s3:GetObject" }] }),
                }),
                message: "has no statement denying",
            },
            {
                title: "a deny on insecure transport for one role only, not everyone",
                field: "policy.Statement.Principal",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: JSON.stringify({ Statement: [{ ...tlsStatement, Principal: { AWS: "arn:aws:iam::1:role/r" } }] }),
                }),
                message: "has no statement denying",
            },
            {
                title: "a deny on insecure transport for a list of one role",
                field: "policy.Statement.Principal",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: JSON.stringify({ Statement: [{ ...tlsStatement, Principal: { AWS: ["arn:aws:iam::1:role/r"] } }] }),
                }),
                message: "has no statement denying",
            },
            {
                title: "not JSON",
                field: "policy",
                resources: bucketPolicy({ bucket: "models", policy: "{" }),
                message: "is not valid JSON",
            },
            {
                title: "a deny only when the transport is secure",
                field: "policy.Statement.Condition.Bool.aws:SecureTransport",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: JSON.stringify({ Statement: [{ ...tlsStatement, Condition: { Bool: { "aws:SecureTransport": "true" } } }] }),
                }),
                message: 'bucket policy models-policy has no statement denying s3:* to "*" when aws:SecureTransport is false.',
            },
        ],
        accept: [
            {
                title: "a JSON string",
                resources: bucketPolicy({ bucket: "models", policy: JSON.stringify({ Version: "2012-10-17", Statement: [tlsStatement] }) }),
            },
            {
                title: "a policy document object with AWS principal and boolean condition",
                resources: bucketPolicy({
                    bucket: "models",
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Deny",
                                Principal: { AWS: "*" },
                                Action: ["s3:*"],
                                Resource: ["*"],
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                        ],
                    },
                }),
            },
        ],
    },
    "s3-bucket-has-tls-policy": {
        fields: ["BucketPolicy.bucket", "BucketPolicy.policy", "Bucket.policy"],
        reject: [
            {
                title: "bucket without any policy",
                field: "BucketPolicy.bucket",
                resources: [bucket("models", { bucket: "mf-models" })],
                message: "S3 bucket models has no bucket policy denying requests without TLS",
            },
            {
                title: "the policy belongs to another bucket",
                field: "BucketPolicy.bucket",
                resources: [
                    bucket("models", { bucket: "mf-models" }),
                    bucket("logs", { bucket: "mf-logs" }),
                    bucketPolicy({ bucket: "mf-logs", policy: JSON.stringify({ Statement: [tlsStatement] }) }),
                ],
                message: "S3 bucket models has no bucket policy",
            },
            {
                title: "a linked policy without the TLS deny",
                field: "BucketPolicy.policy",
                resources: [
                    bucket("models", { bucket: "mf-models" }),
                    bucketPolicy({ bucket: "mf-models", policy: JSON.stringify({ Statement: [{ ...tlsStatement, Effect: "Allow" }] }) }),
                ],
                message: "S3 bucket models has no bucket policy denying requests without TLS.",
            },
            {
                title: "an inline policy without the TLS deny",
                field: "Bucket.policy",
                resources: [
                    bucket("models", {
                        bucket: "mf-models",
                        policy: JSON.stringify({ Statement: [{ ...tlsStatement, Action: "s3:GetObject" }] }),
                    }),
                ],
                message: "S3 bucket models has no bucket policy denying requests without TLS.",
            },
        ],
        accept: [
            {
                title: "linked by the bucket's name",
                resources: [
                    bucket("models", { bucket: "mf-models" }),
                    bucketPolicy({ bucket: "mf-models", policy: JSON.stringify({ Statement: [tlsStatement] }) }),
                ],
            },
            {
                // At preview the bucket id is unknown; the engine's dependency record still links them.
                title: "linked by property dependencies while the id is unknown",
                resources: [
                    bucket("models"),
                    bucketPolicy({ bucket: UNKNOWN, policy: JSON.stringify({ Statement: [tlsStatement] }) }, "models-policy", {
                        bucket: [urnOf("aws:s3/bucket:Bucket", "models")],
                    }),
                ],
            },
        ],
    },
    "route53-health-check-https": {
        fields: ["type"],
        reject: [
            {
                title: "HTTP probe",
                field: "type",
                resources: route53({ type: "HTTP", fqdn: "api.example.com", port: 80, resourcePath: "/health" }),
                message: 'has type "HTTP"',
            },
        ],
        accept: [
            { title: "HTTPS probe", resources: route53({ type: "HTTPS", fqdn: "api.example.com", port: 443, resourcePath: "/health" }) },
            { title: "calculated", resources: route53({ type: "CALCULATED", childHealthchecks: ["a", "b"], childHealthThreshold: 1 }) },
        ],
    },
    "gcp-health-check-https": {
        fields: ["type", "httpHealthCheck", "tcpHealthCheck", "grpcHealthCheck", "httpsHealthCheck"],
        reject: [
            {
                title: "HTTP probe",
                field: "httpHealthCheck",
                resources: gcpCheck({ httpHealthCheck: { port: 8080, requestPath: "/ping" } }),
                message: "uses httpHealthCheck",
            },
            {
                title: "legacy HttpHealthCheck",
                field: "type",
                resources: cloud("gcp:compute/httpHealthCheck:HttpHealthCheck", "legacy", { requestPath: "/" }),
                message: "legacy HTTP health check",
            },
            {
                title: "TCP probe",
                field: "tcpHealthCheck",
                resources: gcpCheck({ tcpHealthCheck: { port: 8080 } }),
                message: "health check serving uses tcpHealthCheck; use httpsHealthCheck.",
            },
            {
                title: "gRPC probe without TLS",
                field: "grpcHealthCheck",
                resources: gcpCheck({ grpcHealthCheck: { port: 8080 } }),
                message: "health check serving uses grpcHealthCheck; use httpsHealthCheck.",
            },
            {
                title: "a plain probe beside a TLS one",
                field: "httpHealthCheck",
                resources: gcpCheck({ httpsHealthCheck: { port: 443 }, httpHealthCheck: { port: 8080 } }),
                message: "health check serving uses httpHealthCheck; use httpsHealthCheck.",
            },
            {
                title: "no probe at all",
                field: "httpsHealthCheck",
                resources: gcpCheck({}),
                message: "health check serving sets no TLS probe; use httpsHealthCheck.",
            },
        ],
        accept: [
            { title: "HTTPS probe", resources: gcpCheck({ httpsHealthCheck: { port: 443, requestPath: "/health" } }) },
            {
                title: "regional HTTP/2",
                resources: cloud("gcp:compute/regionHealthCheck:RegionHealthCheck", "r", { http2HealthCheck: { port: 443 } }),
            },
        ],
    },
});
