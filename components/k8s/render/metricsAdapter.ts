import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterMonitoring } from "../../types";
import { systemDeploymentSpec } from "./systemDeployment";

/**
 * The custom-metrics adapter that carries TorchServe's inference metrics to the HPAs, as
 * plain Kubernetes objects (the HPA controller reads `custom.metrics.k8s.io`).
 *
 * - GKE (Managed Prometheus): Google's Custom Metrics Stackdriver Adapter reads the series
 *   Managed Prometheus stores in Cloud Monitoring, named `prometheus.googleapis.com|<metric>|<kind>`
 *   (https://cloud.google.com/stackdriver/docs/managed-prometheus/hpa). A recording rule
 *   (monitoring.ts) turns the two TorchServe counters into one per-pod gauge first, and
 *   DCGM's GPU utilisation is there already (the cluster enables the DCGM package).
 * - EKS and edge (Prometheus Operator): prometheus-adapter, querying the cluster's
 *   Prometheus (`serving.autoscaling.prometheusUrl`). Chosen over KEDA because the HPAs stay
 *   ordinary `autoscaling/v2` objects the program renders: the policy pack checks their
 *   metrics and bounds and pairs them with PodDisruptionBudgets. KEDA would create each HPA
 *   at run time from a ScaledObject, where no policy sees it, and adds an operator and CRDs.
 */

/** Where both adapters run: kube-system is exempt from the serving namespace's quota and holds the auth reader role. */
export const ADAPTER_NAMESPACE = "kube-system";
export const PROMETHEUS_ADAPTER_NAME = "prometheus-adapter";
export const STACKDRIVER_ADAPTER_NAME = "custom-metrics-stackdriver-adapter";
/** The per-pod, per-model mean queue wait (ms per request) as GKE's recording rule writes it. */
export const QUEUE_LATENCY_RECORD = "modelfleet_ts_queue_latency_ms";
/** The same signal's name in the custom metrics API on prometheus-adapter clusters. */
export const QUEUE_LATENCY_METRIC = "ts_queue_latency_ms_per_request";
/** DCGM's GPU utilisation (%) as GKE's DCGM package exports it. */
export const DCGM_GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";
/** The window the per-request queue wait is averaged over. */
export const QUEUE_LATENCY_WINDOW = "2m";
/**
 * The port both adapters serve on inside their pods: the kubelet's, as metrics-server does,
 * because the firewalls between a managed control plane and the nodes (GKE private-cluster
 * rules: 443 and 10250 only; the EKS cluster security group) already let the API server
 * reach it, and a non-root process cannot bind 443.
 */
export const ADAPTER_PORT = 10250;
const RUN_AS = 65534;

/** The HPA metric names on each monitoring flavour, and the label that selects a model. */
export function inferenceMetricNames(kind: ClusterMonitoring["kind"]): {
    queueLatency: string;
    modelLabel: string;
    gpuUtilization?: string;
} {
    switch (kind) {
        case "gke-managed-prometheus":
            return {
                queueLatency: `prometheus.googleapis.com|${QUEUE_LATENCY_RECORD}|gauge`,
                modelLabel: "metric.labels.model_name",
                gpuUtilization: `prometheus.googleapis.com|${DCGM_GPU_UTIL}|gauge`,
            };
        case "prometheus-operator":
            return { queueLatency: QUEUE_LATENCY_METRIC, modelLabel: "model_name" };
    }
}

/** PromQL: mean queue wait per request (ms) by the given labels; 0 while idle. */
export function queueLatencyExpr(matchers: string, by: string): string {
    const rate = (series: string) => `sum by (${by}) (rate(${series}{${matchers}}[${QUEUE_LATENCY_WINDOW}]))`;
    return `${rate("ts_queue_latency_microseconds")} / clamp_min(${rate("ts_inference_requests_total")}, 1e-9) / 1000`;
}

/** prometheus-adapter's rules: TorchServe's queue counters as one per-pod gauge, selectable by model_name. */
export function prometheusAdapterConfig(): string {
    return stringify({
        rules: [
            {
                seriesQuery: 'ts_queue_latency_microseconds{namespace!="",pod!="",model_name!=""}',
                resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
                name: { matches: "^ts_queue_latency_microseconds$", as: QUEUE_LATENCY_METRIC },
                metricsQuery: queueLatencyExpr("<<.LabelMatchers>>", "<<.GroupBy>>"),
            },
        ],
    });
}

/** The adapter's objects by kind, in the order they are created (the APIService last, once its backend exists). */
export interface MetricsAdapterObjects {
    serviceAccount: k8s.types.input.core.v1.ServiceAccount;
    clusterRoles: k8s.types.input.rbac.v1.ClusterRole[];
    clusterRoleBindings: k8s.types.input.rbac.v1.ClusterRoleBinding[];
    roleBindings: k8s.types.input.rbac.v1.RoleBinding[];
    /** prometheus-adapter's rules; none on GKE. */
    configMaps: k8s.types.input.core.v1.ConfigMap[];
    deployment: k8s.types.input.apps.v1.Deployment;
    podDisruptionBudget: k8s.types.input.policy.v1.PodDisruptionBudget;
    service: k8s.types.input.core.v1.Service;
    apiService: k8s.types.input.apiregistration.v1.APIService;
}

export interface AdapterSettings {
    kind: ClusterMonitoring["kind"];
    /** Pinned image of the adapter for this kind. */
    image: string;
    /** The Prometheus prometheus-adapter reads (ignored on GKE). */
    prometheusUrl: string;
    /** The system pool's node selector. */
    nodeSelector: Record<string, string>;
    /** Annotations of the adapter's service account (GKE: its Workload Identity); default none. */
    serviceAccountAnnotations?: Record<string, pulumi.Input<string>>;
}

/** Every object of the cluster's adapter. */
export function renderMetricsAdapter(settings: AdapterSettings): MetricsAdapterObjects {
    const gke = settings.kind === "gke-managed-prometheus";
    const name = gke ? STACKDRIVER_ADAPTER_NAME : PROMETHEUS_ADAPTER_NAME;
    const selector = { "app.kubernetes.io/name": name };
    const labels = { ...selector, "app.kubernetes.io/component": "metrics-adapter" };
    const meta = (objectName: string, namespace = ADAPTER_NAMESPACE) => ({ name: objectName, namespace, labels });
    const subjects = [{ kind: "ServiceAccount", name, namespace: ADAPTER_NAMESPACE }];
    const port = ADAPTER_PORT;
    const args = gke
        ? ["--use-new-resource-model=true", "--fallback-for-container-metrics=true", `--secure-port=${port}`, "--cert-dir=/tmp"]
        : [
              "--cert-dir=/tmp",
              "--config=/etc/adapter/config.yaml",
              "--metrics-relist-interval=1m",
              `--prometheus-url=${settings.prometheusUrl}`,
              `--secure-port=${port}`,
          ];
    const probe = (path: string) => ({
        httpGet: { path, port: "https", scheme: "HTTPS" },
        initialDelaySeconds: 30,
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 5,
    });
    const volumes: k8s.types.input.core.v1.Volume[] = [{ name: "tmp", emptyDir: {} }];
    const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
    if (!gke) {
        volumes.push({ name: "config", configMap: { name } });
        volumeMounts.push({ name: "config", mountPath: "/etc/adapter", readOnly: true });
    }
    const rbac = { apiGroup: "rbac.authorization.k8s.io" };
    return {
        serviceAccount: {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { ...meta(name), annotations: { ...settings.serviceAccountAnnotations } },
        },
        clusterRoles: [
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRole",
                metadata: { name: `${name}-resource-reader`, labels },
                rules: [{ apiGroups: [""], resources: ["namespaces", "pods", "nodes", "services"], verbs: ["get", "list", "watch"] }],
            },
        ],
        clusterRoleBindings: [
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: `${name}-resource-reader`, labels },
                roleRef: { ...rbac, kind: "ClusterRole", name: `${name}-resource-reader` },
                subjects,
            },
            // Lets it check the API server's delegated requests (TokenReview, SubjectAccessReview).
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: `${name}:system:auth-delegator`, labels },
                roleRef: { ...rbac, kind: "ClusterRole", name: "system:auth-delegator" },
                subjects,
            },
        ],
        roleBindings: [
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: meta(`${name}-auth-reader`),
                roleRef: { ...rbac, kind: "Role", name: "extension-apiserver-authentication-reader" },
                subjects,
            },
        ],
        configMaps: gke
            ? []
            : [{ apiVersion: "v1", kind: "ConfigMap", metadata: meta(name), data: { "config.yaml": prometheusAdapterConfig() } }],
        deployment: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta(name),
            spec: systemDeploymentSpec({
                name,
                selector,
                labels,
                nodeSelector: settings.nodeSelector,
                runAs: RUN_AS,
                container: {
                    image: settings.image,
                    ...(gke ? { command: ["/adapter", ...args] } : { args }),
                    ports: [{ name: "https", containerPort: port, protocol: "TCP" }],
                    // No CPU limit: a throttled adapter answers the HPA late.
                    resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
                    readinessProbe: probe(gke ? "/healthz" : "/readyz"),
                    livenessProbe: probe(gke ? "/healthz" : "/livez"),
                    volumeMounts,
                },
                volumes,
            }),
        },
        podDisruptionBudget: {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: meta(name),
            spec: { minAvailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        },
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta(name),
            spec: { selector, ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }] },
        },
        apiService: {
            apiVersion: "apiregistration.k8s.io/v1",
            kind: "APIService",
            metadata: { name: "v1beta1.custom.metrics.k8s.io", labels },
            spec: {
                group: "custom.metrics.k8s.io",
                version: "v1beta1",
                service: { name, namespace: ADAPTER_NAMESPACE, port: 443 },
                groupPriorityMinimum: 100,
                versionPriority: 100,
                // Both adapters make their own serving certificate at start, as upstream deploys them.
                insecureSkipTLSVerify: true,
            },
        },
    };
}
