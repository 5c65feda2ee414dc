/**
 * TLS everywhere traffic enters or leaves the fleet: Kubernetes Ingresses and Services,
 * AWS and GCP load balancers, health checks, and S3 bucket policies.
 */
import type { ListenerArgs } from "@pulumi/aws/lb/listener";
import type { HealthCheckArgs as Route53HealthCheckArgs } from "@pulumi/aws/route53/healthCheck";
import type { BucketPolicyArgs } from "@pulumi/aws/s3/bucketPolicy";
import type * as awsInputs from "@pulumi/aws/types/input";
import type { HealthCheckArgs as GcpHealthCheckArgs } from "@pulumi/gcp/compute/healthCheck";
import type { RegionHealthCheckArgs } from "@pulumi/gcp/compute/regionHealthCheck";
import type { RegionSslPolicyArgs } from "@pulumi/gcp/compute/regionSslPolicy";
import type { RegionTargetHttpsProxyArgs } from "@pulumi/gcp/compute/regionTargetHttpsProxy";
import type { SSLPolicyArgs } from "@pulumi/gcp/compute/sslpolicy";
import type { TargetHttpsProxyArgs } from "@pulumi/gcp/compute/targetHttpsProxy";
import type { TargetSSLProxyArgs } from "@pulumi/gcp/compute/targetSSLProxy";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { K8S, namespaceOf, objectName } from "./kubernetes";
import {
    count,
    dig,
    forTypes,
    get,
    inputsOf,
    isRecord,
    isSet,
    list,
    setting,
    settingsOf,
    stringMap,
    strings,
    text,
    type GuardPolicy,
    type Inputs,
} from "./util";
import { bucketsWithout, S3, type S3BucketInputs } from "./buckets";

type Ingress = Inputs<k8s.networking.v1.Ingress>;
type PolicyStatement = Inputs<awsInputs.iam.PolicyStatement>;

/**
 * ELB security policies whose minimum protocol is TLS 1.2 or 1.3. ELBSecurityPolicy-2016-08,
 * the default when none is given outside the console, still accepts TLS 1.0.
 */
export const MODERN_ELB_SSL_POLICIES: readonly string[] = [
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
];

const ALB = {
    sslPolicy: "alb.ingress.kubernetes.io/ssl-policy",
    sslRedirect: "alb.ingress.kubernetes.io/ssl-redirect",
    listenPorts: "alb.ingress.kubernetes.io/listen-ports",
    certificateArn: "alb.ingress.kubernetes.io/certificate-arn",
} as const;

/** Annotations by which a cloud controller attaches a certificate it manages itself. */
const CLOUD_CERTIFICATE_ANNOTATIONS: readonly string[] = [
    ALB.certificateArn,
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
];

const AWS_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const AWS_SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";

function hostCovered(host: string, tlsHosts: readonly string[]): boolean {
    return tlsHosts.some((tlsHost) => {
        if (tlsHost === host) return true;
        // A wildcard certificate covers exactly one extra label.
        if (tlsHost.startsWith("*.")) {
            const suffix = tlsHost.slice(1);
            return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".");
        }
        return false;
    });
}

const ingressTlsAllHosts: GuardPolicy = {
    name: "ingress-tls-all-hosts",
    description: "Every Ingress terminates TLS for every host it routes.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<k8s.networking.v1.Ingress>([K8S.ingress], (ingress, args, report) => {
        const label = `Ingress ${namespaceOf(ingress)}/${objectName(ingress, args.name)}`;
        const annotations = stringMap(get(ingress, "metadata", "annotations"));
        if (CLOUD_CERTIFICATE_ANNOTATIONS.some((a) => (annotations[a] ?? "") !== "")) return;

        const tls = list(get(ingress, "spec", "tls"));
        if (tls.length === 0) {
            report(`${label} has no spec.tls: its hosts would be served over plain HTTP.`);
            return;
        }
        const tlsHosts = tls.flatMap((entry) => strings(get(entry, "hosts")));
        const hasDefaultCertificate = tls.some((entry) => strings(get(entry, "hosts")).length === 0);
        for (const rule of list(get(ingress, "spec", "rules"))) {
            const host = text(get(rule, "host"));
            if (host === undefined || host === "") {
                if (!hasDefaultCertificate) {
                    report(`${label} has a rule without host but no spec.tls entry without hosts to serve it.`);
                }
            } else if (!hostCovered(host, tlsHosts)) {
                report(`${label} routes host "${host}" that no spec.tls entry covers.`);
            }
        }
    }),
};

function isAlbIngress(ingress: Ingress, albClasses: readonly string[]): boolean {
    const className = text(get(ingress, "spec", "ingressClassName"));
    const legacyClass = stringMap(get(ingress, "metadata", "annotations"))["kubernetes.io/ingress.class"];
    return albClasses.includes(className ?? "") || albClasses.includes(legacyClass ?? "");
}

const albSettings = {
    albIngressClasses: ["alb"],
    allowedSslPolicies: [...MODERN_ELB_SSL_POLICIES],
};

const albIngressSslPolicy: GuardPolicy = {
    name: "alb-ingress-ssl-policy",
    description: "ALB Ingresses pin an ELB security policy whose minimum protocol is TLS 1.2 or newer.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            albIngressClasses: setting.strings(
                "Ingress classes served by the AWS Load Balancer Controller.",
                albSettings.albIngressClasses,
            ),
            allowedSslPolicies: setting.strings("ELB security policies accepted (TLS 1.2+).", albSettings.allowedSslPolicies),
        },
    },
    validateResource: forTypes<k8s.networking.v1.Ingress>([K8S.ingress], (ingress, args, report) => {
        const { albIngressClasses, allowedSslPolicies } = settingsOf(args, albSettings);
        if (!isAlbIngress(ingress, albIngressClasses)) args.notApplicable("not an ALB Ingress");
        const label = `Ingress ${namespaceOf(ingress)}/${objectName(ingress, args.name)}`;
        const policy = stringMap(get(ingress, "metadata", "annotations"))[ALB.sslPolicy];
        if (policy === undefined || policy === "") {
            report(`${label} has no ${ALB.sslPolicy} annotation; the controller's default policy may accept TLS 1.0.`);
        } else if (!allowedSslPolicies.includes(policy)) {
            report(`${label} uses SSL policy "${policy}", which is not a TLS 1.2+ policy (allowed: ${allowedSslPolicies.join(", ")}).`);
        }
    }),
};

interface ListenPort {
    protocol: string;
    port: number;
}

/** `[{"HTTP": 80}, {"HTTPS": 443}]`; undefined when the annotation is not valid JSON of that shape. */
function parseListenPorts(annotation: string): ListenPort[] | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(annotation);
    } catch {
        return undefined;
    }
    if (!Array.isArray(parsed)) return undefined;
    const ports: ListenPort[] = [];
    for (const entry of parsed) {
        if (!isRecord(entry)) return undefined;
        for (const [protocol, port] of Object.entries(entry)) {
            const number = count(port);
            if (number === undefined) return undefined;
            ports.push({ protocol: protocol.toUpperCase(), port: number });
        }
    }
    return ports;
}

const albIngressSslRedirect: GuardPolicy = {
    name: "alb-ingress-ssl-redirect",
    description: "ALB Ingresses that listen on HTTP redirect it to HTTPS.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            albIngressClasses: setting.strings(
                "Ingress classes served by the AWS Load Balancer Controller.",
                albSettings.albIngressClasses,
            ),
        },
    },
    validateResource: forTypes<k8s.networking.v1.Ingress>([K8S.ingress], (ingress, args, report) => {
        const { albIngressClasses } = settingsOf(args, { albIngressClasses: albSettings.albIngressClasses });
        if (!isAlbIngress(ingress, albIngressClasses)) args.notApplicable("not an ALB Ingress");
        const label = `Ingress ${namespaceOf(ingress)}/${objectName(ingress, args.name)}`;
        const annotations = stringMap(get(ingress, "metadata", "annotations"));

        // The controller's default listener is HTTP:80 without a certificate, HTTPS:443 with one.
        const listenAnnotation = annotations[ALB.listenPorts];
        const defaultPorts: ListenPort[] =
            (annotations[ALB.certificateArn] ?? "") !== "" ? [{ protocol: "HTTPS", port: 443 }] : [{ protocol: "HTTP", port: 80 }];
        const ports = listenAnnotation === undefined ? defaultPorts : parseListenPorts(listenAnnotation);
        if (ports === undefined) {
            report(`${label} has a malformed ${ALB.listenPorts} annotation: ${listenAnnotation}`);
            return;
        }
        if (!ports.some((p) => p.protocol === "HTTP")) return;

        const redirect = annotations[ALB.sslRedirect];
        if (redirect === undefined || redirect === "") {
            report(`${label} listens on HTTP without ${ALB.sslRedirect}; plain HTTP requests would reach the backends.`);
            return;
        }
        const redirectPort = count(redirect);
        if (redirectPort === undefined || !ports.some((p) => p.protocol === "HTTPS" && p.port === redirectPort)) {
            report(`${label} redirects to port ${redirect}, which is not one of its HTTPS listen ports.`);
        }
    }),
};

const serviceLoadBalancerTls: GuardPolicy = {
    name: "service-lb-tls",
    description: "Services of type LoadBalancer terminate TLS at the load balancer or pass TLS through to the pods.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<k8s.core.v1.Service>([K8S.service], (service, args, report) => {
        if (text(get(service, "spec", "type")) !== "LoadBalancer") args.notApplicable("not a LoadBalancer Service");
        const label = `Service ${namespaceOf(service)}/${objectName(service, args.name)}`;
        const annotations = stringMap(get(service, "metadata", "annotations"));
        const ports = list(get(service, "spec", "ports"));

        if ((annotations[AWS_SSL_CERT] ?? "") !== "") {
            const sslPorts = (annotations[AWS_SSL_PORTS] ?? "*").split(",").map((p) => p.trim());
            if (sslPorts.includes("*")) return;
            for (const port of ports) {
                const name = text(get(port, "name"));
                const number = String(count(get(port, "port")) ?? "");
                if (!sslPorts.includes(number) && (name === undefined || !sslPorts.includes(name))) {
                    report(`${label} port ${name ?? number} is not listed in ${AWS_SSL_PORTS}, so it is served without TLS.`);
                }
            }
            return;
        }
        // Without a certificate at the load balancer, every port must carry TLS to the pod.
        const plain = ports.filter((port) => !["https", "tls"].includes((text(get(port, "appProtocol")) ?? "").toLowerCase()));
        if (ports.length === 0 || plain.length > 0) {
            const names = plain.map((p) => text(get(p, "name")) ?? String(count(get(p, "port")) ?? "?"));
            report(
                `${label} is a LoadBalancer without TLS: set ${AWS_SSL_CERT}, or mark TLS pass-through ports with appProtocol https/tls` +
                    (names.length > 0 ? ` (plain ports: ${names.join(", ")}).` : "."),
            );
        }
    }),
};

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

type ListenerAction = NonNullable<Inputs<ListenerArgs>["defaultActions"]>[number];

function isHttpsRedirect(action: ListenerAction): boolean {
    return text(get(action, "type")) === "redirect" && (text(get(action, "redirect", "protocol")) ?? "").toUpperCase() === "HTTPS";
}

const lbListenerHttps: GuardPolicy = {
    name: "lb-listener-https",
    description: "AWS load balancer listeners use HTTPS/TLS with a TLS 1.2+ security policy; HTTP only to redirect to HTTPS.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedSslPolicies: setting.strings("ELB security policies accepted (TLS 1.2+).", MODERN_ELB_SSL_POLICIES),
        },
    },
    // aws.alb.Listener is the same resource under its older module name, with the same inputs.
    validateResource: forTypes<ListenerArgs>(LISTENER_TYPES, (listener, args, report) => {
        const { allowedSslPolicies } = settingsOf(args, { allowedSslPolicies: [...MODERN_ELB_SSL_POLICIES] });
        const label = `listener ${args.name}`;
        // The provider's default protocol is HTTP for application load balancers.
        const protocol = (text(listener.protocol) ?? "HTTP").toUpperCase();
        if (protocol === "HTTPS" || protocol === "TLS") {
            const sslPolicy = text(listener.sslPolicy);
            if (sslPolicy === undefined) {
                report(`${label} (${protocol}) sets no sslPolicy; AWS would apply ELBSecurityPolicy-2016-08, which accepts TLS 1.0.`);
            } else if (!allowedSslPolicies.includes(sslPolicy)) {
                report(`${label} uses sslPolicy "${sslPolicy}", which is not a TLS 1.2+ policy.`);
            }
            return;
        }
        if (protocol === "HTTP") {
            const actions = list(listener.defaultActions);
            if (actions.length === 0 || !actions.every(isHttpsRedirect)) {
                report(`${label} serves plain HTTP; an HTTP listener may only redirect to HTTPS.`);
            }
            return;
        }
        report(`${label} uses protocol ${protocol}; only HTTPS, TLS, or an HTTP-to-HTTPS redirect are allowed.`);
    }),
};

const gcpSslPolicyModern: GuardPolicy = {
    name: "gcp-ssl-policy-modern",
    description: "GCP SSL policies require TLS 1.2+ and the MODERN or RESTRICTED profile.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<SSLPolicyArgs | RegionSslPolicyArgs>(
        ["gcp:compute/sSLPolicy:SSLPolicy", "gcp:compute/regionSslPolicy:RegionSslPolicy"],
        (policy, args, report) => {
            // Google's defaults are TLS_1_0 and COMPATIBLE.
            const minTls = text(policy.minTlsVersion) ?? "TLS_1_0";
            const profile = text(policy.profile) ?? "COMPATIBLE";
            if (!["TLS_1_2", "TLS_1_3"].includes(minTls)) {
                report(`SSL policy ${args.name} allows ${minTls}; set minTlsVersion to TLS_1_2 or TLS_1_3.`);
            }
            if (!["MODERN", "RESTRICTED"].includes(profile)) {
                report(`SSL policy ${args.name} uses profile ${profile}; use MODERN or RESTRICTED.`);
            }
        },
    ),
};

const gcpHttpsProxySslPolicy: GuardPolicy = {
    name: "gcp-https-proxy-ssl-policy",
    description: "GCP HTTPS and SSL proxies attach an SSL policy, so the modern-TLS policy actually applies.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<TargetHttpsProxyArgs | RegionTargetHttpsProxyArgs | TargetSSLProxyArgs>(
        [
            "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
            "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
            "gcp:compute/targetSSLProxy:TargetSSLProxy",
        ],
        (proxy, args, report) => {
            if (!isSet(proxy, "sslPolicy")) {
                report(`proxy ${args.name} has no sslPolicy; Google's default accepts TLS 1.0.`);
            }
        },
    ),
};

/** Statement denies every S3 action to everyone when the request is not over TLS. */
function deniesInsecureTransport(statement: PolicyStatement): boolean {
    if (text(statement.Effect) !== "Deny") return false;
    const principal = statement.Principal;
    const everyone = principal === "*" || strings(get(principal, "AWS")).includes("*") || text(get(principal, "AWS")) === "*";
    const actions = Array.isArray(statement.Action) ? strings(statement.Action) : [text(statement.Action) ?? ""];
    // Condition keys are open-ended in the SDK's type: `Bool` and the key are IAM's own.
    const condition: unknown = dig(statement.Condition, ["Bool", "aws:SecureTransport"]);
    const values = Array.isArray(condition) ? list(condition) : [condition];
    const onInsecure = values.some((v) => v === false || v === "false");
    return everyone && (actions.includes("s3:*") || actions.includes("*")) && onInsecure;
}

/** The statements of a policy document given as JSON text or as an object; undefined when the text is not JSON. */
function policyStatements(policy: Inputs<BucketPolicyArgs>["policy"]): PolicyStatement[] | undefined {
    let document: unknown = policy;
    if (typeof policy === "string") {
        try {
            document = JSON.parse(policy);
        } catch {
            return undefined;
        }
    }
    if (!isRecord(document)) return [];
    // A single statement may be written without the array.
    const statements: unknown = document.Statement;
    const entries = Array.isArray(statements) ? list(statements) : [statements];
    return entries.filter(isRecord).map((s) => inputsOf<awsInputs.iam.PolicyStatement>(s));
}

const s3BucketPolicyTlsOnly: GuardPolicy = {
    name: "s3-bucket-policy-tls-only",
    description: "S3 bucket policies deny every request made without TLS (aws:SecureTransport = false).",
    enforcementLevel: "mandatory",
    validateResource: forTypes<BucketPolicyArgs>([S3.bucketPolicy], (policy, args, report) => {
        const statements = policyStatements(policy.policy);
        if (statements === undefined) {
            report(`bucket policy ${args.name} is not valid JSON.`);
        } else if (!statements.some(deniesInsecureTransport)) {
            report(`bucket policy ${args.name} has no statement denying s3:* to "*" when aws:SecureTransport is false.`);
        }
    }),
};

const s3BucketHasTlsPolicy: GuardPolicy = {
    name: "s3-bucket-has-tls-policy",
    description: "Every S3 bucket has a bucket policy that refuses requests without TLS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const tlsOnly = (props: Inputs<BucketPolicyArgs> | S3BucketInputs) =>
            (policyStatements(props.policy) ?? []).some(deniesInsecureTransport);
        const missing = bucketsWithout<BucketPolicyArgs>(args, {
            companionTypes: [S3.bucketPolicy],
            companionSatisfies: tlsOnly,
            inlineSatisfies: (bucket) => isSet(bucket, "policy") && tlsOnly(bucket),
        });
        for (const bucket of missing) {
            report(`S3 bucket ${bucket.name} has no bucket policy denying requests without TLS.`, bucket.urn);
        }
    },
};

const ROUTE53_ALLOWED = ["HTTPS", "HTTPS_STR_MATCH", "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"];

const route53HealthCheckHttps: GuardPolicy = {
    name: "route53-health-check-https",
    description: "Route 53 health checks probe over HTTPS (calculated and metric checks send no probe).",
    enforcementLevel: "mandatory",
    validateResource: forTypes<Route53HealthCheckArgs>(["aws:route53/healthCheck:HealthCheck"], (check, args, report) => {
        const type = text(check.type) ?? "";
        if (!ROUTE53_ALLOWED.includes(type)) {
            report(`health check ${args.name} has type "${type}"; use HTTPS or HTTPS_STR_MATCH.`);
        }
    }),
};

const GCP_TLS_CHECKS = ["httpsHealthCheck", "http2HealthCheck", "sslHealthCheck", "grpcTlsHealthCheck"] as const satisfies ReadonlyArray<
    keyof GcpHealthCheckArgs & keyof RegionHealthCheckArgs
>;
const GCP_PLAIN_CHECKS = ["httpHealthCheck", "tcpHealthCheck", "grpcHealthCheck"] as const satisfies ReadonlyArray<
    keyof GcpHealthCheckArgs & keyof RegionHealthCheckArgs
>;

const gcpHealthCheckHttps: GuardPolicy = {
    name: "gcp-health-check-https",
    description: "GCP health checks probe over TLS (HTTPS, HTTP/2, SSL or gRPC with TLS).",
    enforcementLevel: "mandatory",
    validateResource: forTypes<GcpHealthCheckArgs | RegionHealthCheckArgs>(
        [
            "gcp:compute/healthCheck:HealthCheck",
            "gcp:compute/regionHealthCheck:RegionHealthCheck",
            "gcp:compute/httpHealthCheck:HttpHealthCheck",
        ],
        (check, args, report) => {
            if (args.type === "gcp:compute/httpHealthCheck:HttpHealthCheck") {
                report(`health check ${args.name} is a legacy HTTP health check; use compute.HealthCheck with httpsHealthCheck.`);
                return;
            }
            const plain = GCP_PLAIN_CHECKS.filter((k) => isSet(check, k));
            if (plain.length > 0 || !GCP_TLS_CHECKS.some((k) => isSet(check, k))) {
                report(
                    `health check ${args.name} ${plain.length > 0 ? `uses ${plain.join(", ")}` : "sets no TLS probe"}; use httpsHealthCheck.`,
                );
            }
        },
    ),
};

const serviceNoNodePort: GuardPolicy = {
    name: "service-no-nodeport",
    description: "No Service of type NodePort: it opens a plain port on every node, outside the load balancer's TLS.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<k8s.core.v1.Service>([K8S.service], (service, args, report) => {
        if (text(get(service, "spec", "type")) === "NodePort") {
            report(`Service ${namespaceOf(service)}/${objectName(service, args.name)} is of type NodePort.`);
        }
    }),
};

export const tlsPolicies: GuardPolicy[] = [
    ingressTlsAllHosts,
    albIngressSslPolicy,
    albIngressSslRedirect,
    serviceLoadBalancerTls,
    serviceNoNodePort,
    lbListenerHttps,
    gcpSslPolicyModern,
    gcpHttpsProxySslPolicy,
    s3BucketPolicyTlsOnly,
    s3BucketHasTlsPolicy,
    route53HealthCheckHttps,
    gcpHealthCheckHttps,
];
