import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The prometheus-operator release whose CRDs are installed; a kube-prometheus-stack installed later keeps them. */
export const PROMETHEUS_OPERATOR_VERSION = "v0.86.1";

/** The CRDs the serving stack's monitoring objects need (ServiceMonitor, PrometheusRule), by plural name. */
export const SERVING_MONITORING_CRDS = ["servicemonitors", "prometheusrules"] as const;
export type MonitoringCrd = (typeof SERVING_MONITORING_CRDS)[number];

/** One CRD of a prometheus-operator release, as the project publishes it. */
export function prometheusOperatorCrdUrl(version: string, crd: MonitoringCrd): string {
    return `https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/${version}/example/prometheus-operator-crd/monitoring.coreos.com_${crd}.yaml`;
}

export interface PrometheusOperatorCrdsArgs {
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** prometheus-operator release tag (vX.Y.Z); default PROMETHEUS_OPERATOR_VERSION. */
    version?: string;
    /** What the CRDs must wait for; default nothing beyond the provider. */
    dependsOn?: pulumi.Resource[];
}

/**
 * Only the Prometheus Operator CRDs the serving stack uses, so its ServiceMonitors and
 * PrometheusRule apply on a cluster without the operator (a fresh EKS cluster). Without an
 * operator they are inert; installing one later (kube-prometheus-stack) picks them up.
 */
export class PrometheusOperatorCrds extends pulumi.ComponentResource {
    /** Monitoring objects must wait for these. */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: PrometheusOperatorCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        const version = args.version ?? PROMETHEUS_OPERATOR_VERSION;
        if (!/^v\d+\.\d+\.\d+$/.test(version)) {
            throw new Error(
                `PrometheusOperatorCrds ${name}: version '${version}' must be a release tag such as ${PROMETHEUS_OPERATOR_VERSION}`,
            );
        }
        super("modelfleet:k8s:PrometheusOperatorCrds", name, {}, opts);

        this.readyResources = SERVING_MONITORING_CRDS.map(
            (crd) =>
                new k8s.yaml.v2.ConfigFile(
                    `${name}-${crd}`,
                    { file: prometheusOperatorCrdUrl(version, crd) },
                    { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] },
                ),
        );
        this.registerOutputs({ readyResources: this.readyResources });
    }
}
