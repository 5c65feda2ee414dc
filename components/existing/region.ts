import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../config";
import { ConfigError } from "../../config/errors";
import { NvidiaDevicePlugin } from "../k8s/devicePlugin";
import { MetricsServer } from "../k8s/metricsServer";
import { GPU_TOLERATION } from "../k8s/nodeLabels";
import type { GpuPoolPlacement, RegionCluster } from "../types";
import { currentServer } from "./kubeconfig";
import { existingRegionProblems, type ExistingRegionConfig } from "./validate";

export type { ExistingRegionConfig } from "./validate";

export interface ExistingRegionArgs {
    /** The region entry from config (`cloud: existing`). */
    region: ExistingRegionConfig;
    /** The whole fleet config: pinned images. */
    config: FleetConfig;
    /** Kubeconfig of the cluster, from secret config (`kubeconfigs.<region>`); kept secret. */
    kubeconfig: pulumi.Output<string>;
}

/**
 * A cluster someone else runs (edge site, on-premises, a local kind cluster): no cloud
 * resources, only the Kubernetes provider built from its kubeconfig and, when asked, the
 * NVIDIA device plugin on the GPU nodes the operator declared, and metrics-server.
 */
export class ExistingRegion extends pulumi.ComponentResource {
    public readonly cluster: RegionCluster;
    public readonly provider: k8s.Provider;
    /** Present when `installDevicePlugin` is true. */
    public readonly devicePlugin?: NvidiaDevicePlugin;
    /** Present when `installMetricsServer` is true. */
    public readonly metricsServer?: MetricsServer;

    constructor(name: string, args: ExistingRegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:existing:Region", name, {}, opts);

        const { region, config } = args;
        const index = config.regions.findIndex((r) => r.name === region.name);
        const at = `regions[${index >= 0 ? index : region.name}]`;
        const problems = existingRegionProblems(region, at);
        if (problems.length > 0) throw new ConfigError(problems);

        // The kubeconfig usually carries a client certificate or token: secret in state.
        const kubeconfig = pulumi.secret(args.kubeconfig);
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, { parent: this });

        if (region.installDevicePlugin) {
            this.devicePlugin = new NvidiaDevicePlugin(
                `${name}-device-plugin`,
                {
                    image: config.images.devicePlugin,
                    nodeSelectors: region.gpuPools.map((p) => p.nodeSelector),
                    tolerations: [GPU_TOLERATION],
                },
                { parent: this, provider: this.provider },
            );
        }

        if (region.installMetricsServer) {
            // cert-manager already runs here (it issues the serving certificate), so the API server
            // verifies metrics-server instead of skipping TLS verification.
            this.metricsServer = new MetricsServer(
                `${name}-metrics-server`,
                { image: config.images.metricsServer, provider: this.provider, servingCertificate: "cert-manager" },
                { parent: this },
            );
        }

        const gpuPools: Record<string, GpuPoolPlacement> = Object.fromEntries(
            region.gpuPools.map((pool) => [
                pool.name,
                {
                    name: pool.name,
                    nodeSelector: { ...pool.nodeSelector },
                    tolerations: pool.tainted ? [GPU_TOLERATION] : [],
                    gpusPerNode: pool.gpusPerNode,
                    gpuModel: pool.model,
                },
            ]),
        );

        this.cluster = {
            regionName: region.name,
            cloud: "existing",
            location: region.region,
            clusterName: pulumi.output(region.name),
            // Derived from a secret, so it stays secret in outputs and state.
            endpoint: kubeconfig.apply((text) => currentServer(text) ?? region.name),
            provider: this.provider,
            gpuPools,
            // The operator declares GPU nodes only; CPU workloads may run on any node.
            systemNodeSelector: {},
            // Edge nodes rarely carry topology.kubernetes.io/zone; an empty list means no
            // zone spreading (a spread constraint on a missing label would block scheduling).
            zones: pulumi.output<string[]>([]),
            workloadIdentity: { kind: "static-credentials" },
            ingress: {
                kind: "class",
                className: region.ingressClass,
                certIssuer: { name: region.certIssuer.name, kind: region.certIssuer.kind },
            },
            // With serving.monitoring on, an edge cluster is expected to run the Prometheus Operator already.
            monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
            readyResources: [
                ...(this.devicePlugin ? [this.devicePlugin] : []),
                ...(this.metricsServer ? this.metricsServer.readyResources : []),
            ],
        };

        this.registerOutputs({
            clusterName: this.cluster.clusterName,
            endpoint: this.cluster.endpoint,
            cluster: this.cluster,
            provider: this.provider,
            devicePlugin: this.devicePlugin,
            metricsServer: this.metricsServer,
        });
    }
}
