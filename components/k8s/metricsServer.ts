import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isPinnedImage } from "../../config/schema";
import { systemDeploymentSpec } from "./render/systemDeployment";
import { selfSignedServingCertificate } from "./servingCertificate";

export const METRICS_SERVER_NAMESPACE = "kube-system";
export const METRICS_SERVER_NAME = "metrics-server";
/** The aggregated API the HPA controller and `kubectl top` read. */
export const METRICS_API_SERVICE = "v1beta1.metrics.k8s.io";
/**
 * The port metrics-server listens on inside its pod. Upstream picked the kubelet's port
 * because firewalls between a managed control plane and the nodes (EKS cluster security
 * group, GKE private-cluster rules) already let the API server reach it.
 */
export const METRICS_SERVER_PORT = 10250;
const SERVING_CERT = "metrics-server-serving-cert";
const SERVING_SECRET = "metrics-server-tls";
const SERVING_ISSUER = "metrics-server-selfsigned-issuer";
const TLS_DIR = "/etc/metrics-server/tls";
const RUN_AS = 1000;

/** How the API server trusts metrics-server's serving certificate. */
export type MetricsServingCertificate =
    /** cert-manager issues it and its cainjector writes the CA into the APIService, which the API server then verifies. */
    | "cert-manager"
    /** Upstream's default: metrics-server makes its own at start and the APIService skips verification. */
    | "self-signed";

/** The command line of the upstream release manifest, plus the certificate files when cert-manager issues them. */
export function metricsServerArgs(servingCertificate: MetricsServingCertificate): string[] {
    return [
        "--cert-dir=/tmp",
        `--secure-port=${METRICS_SERVER_PORT}`,
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--kubelet-use-node-status-port",
        "--metric-resolution=15s",
        ...(servingCertificate === "cert-manager"
            ? [`--tls-cert-file=${TLS_DIR}/tls.crt`, `--tls-private-key-file=${TLS_DIR}/tls.key`]
            : []),
    ];
}

export interface MetricsServerArgs {
    /** Pinned metrics-server image, e.g. registry.k8s.io/metrics-server/metrics-server:v0.8.1. */
    image: string;
    /** Kubernetes provider of the cluster; every object is created through it. */
    provider: k8s.Provider;
    /** Node selector for the Deployment (the system pool); default none (any Linux node). */
    nodeSelector?: Record<string, string>;
    /** Who signs the serving certificate; default cert-manager (which must run in the cluster). */
    servingCertificate?: MetricsServingCertificate;
    /** What every object must wait for (the system node group, the cert-manager add-on). */
    dependsOn?: pulumi.Resource[];
}

/**
 * Kubernetes metrics-server as plain objects, following the upstream release manifest with its
 * high-availability variant: the resource metrics API (`metrics.k8s.io`) that CPU-based
 * HorizontalPodAutoscalers read. Without it an HPA shows `<unknown>` targets and never scales.
 * GKE runs its own; EKS and most self-managed clusters do not.
 */
export class MetricsServer extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly apiService: k8s.apiregistration.v1.APIService;
    /** Workloads whose HPAs need metrics wait for these. */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:k8s:MetricsServer", name, {}, opts);
        const servingCertificate = args.servingCertificate ?? "cert-manager";
        const problems: string[] = [];
        if (!isPinnedImage(args.image))
            problems.push(
                `image '${args.image}' must be pinned by version tag or digest, e.g. registry.k8s.io/metrics-server/metrics-server:v0.8.1`,
            );
        for (const [key, value] of Object.entries(args.nodeSelector ?? {})) {
            if (key.trim() === "") problems.push(`nodeSelector has an empty label key (value '${value}')`);
        }
        if (problems.length > 0) throw new Error(`MetricsServer ${name}: ${problems.join("; ")}`);

        const base = args.dependsOn ?? [];
        const opt = (...extra: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
            parent: this,
            provider: args.provider,
            dependsOn: [...base, ...extra],
        });
        const selectorLabels = { "k8s-app": METRICS_SERVER_NAME };
        // Not `part-of: modelfleet`: that label marks the serving application's own pods.
        const labels = { ...selectorLabels, "app.kubernetes.io/name": METRICS_SERVER_NAME };
        const namespaced = (objectName: string) => ({ name: objectName, namespace: METRICS_SERVER_NAMESPACE, labels });
        const subjects = [{ kind: "ServiceAccount", name: METRICS_SERVER_NAME, namespace: METRICS_SERVER_NAMESPACE }];
        const read = ["get", "list", "watch"];

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: namespaced(METRICS_SERVER_NAME) }, opt());

        // Aggregated into view, edit and admin, so anyone who can read pods can `kubectl top` them.
        new k8s.rbac.v1.ClusterRole(
            `${name}-aggregated-reader`,
            {
                metadata: {
                    name: "system:aggregated-metrics-reader",
                    labels: {
                        ...labels,
                        "rbac.authorization.k8s.io/aggregate-to-view": "true",
                        "rbac.authorization.k8s.io/aggregate-to-edit": "true",
                        "rbac.authorization.k8s.io/aggregate-to-admin": "true",
                    },
                },
                rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: read }],
            },
            opt(),
        );
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-clusterrole`,
            {
                metadata: { name: "system:metrics-server", labels },
                rules: [
                    // The kubelets' resource metrics endpoint, scraped every metric resolution.
                    { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
                    { apiGroups: [""], resources: ["pods", "nodes"], verbs: read },
                ],
            },
            opt(),
        );
        const bindings = [
            // Lets it check the API server's delegated requests (TokenReview, SubjectAccessReview).
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-auth-delegator`,
                {
                    metadata: { name: "metrics-server:system:auth-delegator", labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
                    subjects,
                },
                opt(),
            ),
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-clusterrolebinding`,
                {
                    metadata: { name: "system:metrics-server", labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:metrics-server" },
                    subjects,
                },
                opt(clusterRole),
            ),
            // Reads the front-proxy CA from kube-system/extension-apiserver-authentication to trust the API server.
            new k8s.rbac.v1.RoleBinding(
                `${name}-auth-reader`,
                {
                    metadata: namespaced("metrics-server-auth-reader"),
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
                    subjects,
                },
                opt(),
            ),
        ];

        // Only the API server calls metrics-server; cert-manager injects the CA into the APIService.
        let certificate: k8s.apiextensions.CustomResource | undefined;
        if (servingCertificate === "cert-manager") {
            certificate = selfSignedServingCertificate(
                name,
                {
                    namespace: METRICS_SERVER_NAMESPACE,
                    serviceName: METRICS_SERVER_NAME,
                    issuerName: SERVING_ISSUER,
                    certificateName: SERVING_CERT,
                    secretName: SERVING_SECRET,
                    labels,
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                    issuerGroup: "cert-manager.io",
                },
                { parent: this, provider: args.provider, dependsOn: base },
            ).certificate;
        }

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: namespaced(METRICS_SERVER_NAME),
                spec: {
                    selector: selectorLabels,
                    ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }],
                },
            },
            opt(),
        );

        const httpsProbe = (path: string) => ({
            httpGet: { path, port: "https", scheme: "HTTPS" },
            periodSeconds: 10,
            failureThreshold: 3,
        });
        const volumeMounts = [{ name: "tmp-dir", mountPath: "/tmp" }];
        const volumes: k8s.types.input.core.v1.Volume[] = [{ name: "tmp-dir", emptyDir: {} }];
        if (certificate) {
            volumeMounts.push({ name: "serving-cert", mountPath: TLS_DIR });
            // Group-readable only; fsGroup gives the pod's group ownership of the key.
            volumes.push({ name: "serving-cert", secret: { secretName: SERVING_SECRET, defaultMode: 0o440 } });
        }

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: namespaced(METRICS_SERVER_NAME),
                spec: systemDeploymentSpec({
                    name: METRICS_SERVER_NAME,
                    selector: selectorLabels,
                    labels,
                    nodeSelector: args.nodeSelector,
                    runAs: RUN_AS,
                    pod: {
                        // Preferred rather than required: a one-node edge cluster or a system pool
                        // at its minimum must still run both replicas (and a rollout's surge pod).
                        affinity: {
                            podAntiAffinity: {
                                preferredDuringSchedulingIgnoredDuringExecution: [
                                    {
                                        weight: 100,
                                        podAffinityTerm: {
                                            labelSelector: { matchLabels: selectorLabels },
                                            namespaces: [METRICS_SERVER_NAMESPACE],
                                            topologyKey: "kubernetes.io/hostname",
                                        },
                                    },
                                ],
                            },
                        },
                    },
                    podSecurityContext: { fsGroup: RUN_AS },
                    container: {
                        image: args.image,
                        args: metricsServerArgs(servingCertificate),
                        ports: [{ name: "https", containerPort: METRICS_SERVER_PORT, protocol: "TCP" }],
                        // No CPU limit: a throttled scrape arrives late and the HPA acts on stale
                        // or missing metrics. Memory grows with pods and nodes, so it is capped.
                        resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "500Mi" } },
                        readinessProbe: { ...httpsProbe("/readyz"), initialDelaySeconds: 20 },
                        livenessProbe: httpsProbe("/livez"),
                        volumeMounts,
                    },
                    containerSecurityContext: { runAsUser: RUN_AS },
                    volumes,
                }),
            },
            opt(serviceAccount, clusterRole, ...bindings, ...(certificate ? [certificate] : [])),
        );

        const budget = new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: namespaced(METRICS_SERVER_NAME),
                spec: {
                    minAvailable: 1,
                    selector: { matchLabels: selectorLabels },
                    // A crash-looping replica must not block node drains.
                    unhealthyPodEvictionPolicy: "AlwaysAllow",
                },
            },
            opt(),
        );

        // Registered only once the pods are ready: an APIService with no backend makes API
        // discovery fail for every client (and stalls namespace deletion) until it has one.
        this.apiService = new k8s.apiregistration.v1.APIService(
            `${name}-apiservice`,
            {
                metadata: {
                    name: METRICS_API_SERVICE,
                    labels,
                    ...(certificate
                        ? { annotations: { "cert-manager.io/inject-ca-from": `${METRICS_SERVER_NAMESPACE}/${SERVING_CERT}` } }
                        : {}),
                },
                spec: {
                    group: "metrics.k8s.io",
                    version: "v1beta1",
                    service: { name: METRICS_SERVER_NAME, namespace: METRICS_SERVER_NAMESPACE, port: 443 },
                    groupPriorityMinimum: 100,
                    versionPriority: 100,
                    // With cert-manager the caBundle is injected and verified; the API server refuses
                    // insecureSkipTLSVerify next to a caBundle, so it is set only without one.
                    ...(certificate ? {} : { insecureSkipTLSVerify: true }),
                },
            },
            opt(this.deployment, service, ...(certificate ? [certificate] : [])),
        );

        this.readyResources = [this.deployment, budget, this.apiService];
        this.registerOutputs({ deployment: this.deployment, apiService: this.apiService, readyResources: this.readyResources });
    }
}
