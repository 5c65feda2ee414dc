import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_TOLERATION } from "./nodeLabels";

/** The device plugin's kubelet socket directory on every node. */
const DEVICE_PLUGIN_DIR = "/var/lib/kubelet/device-plugins";

export interface NvidiaDevicePluginArgs {
    /** Device plugin image pinned by version, e.g. nvcr.io/nvidia/k8s-device-plugin:v0.17.2. */
    image: string;
    /**
     * The GPU nodes: the plugin runs on a node that carries every label of at least one of
     * these sets (one set per GPU pool, since pools are told apart by different labels).
     */
    nodeSelectors: Array<Record<string, string>>;
    /** Tolerations for the GPU nodes' taints. Default: the nvidia.com/gpu NoSchedule taint. */
    tolerations?: k8s.types.input.core.v1.Toleration[];
    /** Namespace of the DaemonSet. Default kube-system (where node agents run, and where the policies exempt them). */
    namespace?: string;
}

/**
 * NVIDIA's device plugin as a DaemonSet on the GPU nodes: it advertises each node's GPUs as
 * the `nvidia.com/gpu` resource, without which no GPU pod is ever scheduled. The nodes must
 * already have the NVIDIA driver and container toolkit (the EKS NVIDIA AMI and most edge
 * GPU images do). GKE does not need it: GKE deploys its own plugin on GPU node pools.
 * Create it with the cluster's Kubernetes provider: `{ provider }` in the options.
 */
export class NvidiaDevicePlugin extends pulumi.ComponentResource {
    public readonly daemonSet: k8s.apps.v1.DaemonSet;

    constructor(name: string, args: NvidiaDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:k8s:NvidiaDevicePlugin", name, {}, opts);

        const problems: string[] = [];
        if (args.image.trim().length === 0) problems.push("image must be set");
        if (args.nodeSelectors.length === 0) problems.push("nodeSelectors must list at least one label set");
        args.nodeSelectors.forEach((selector, i) => {
            if (Object.keys(selector).length === 0)
                problems.push(`nodeSelectors[${i}] must have at least one label, or the plugin runs on every node`);
        });
        if (problems.length > 0) throw new Error(`NvidiaDevicePlugin ${name}: ${problems.join("; ")}`);

        const appLabels = { "app.kubernetes.io/name": "nvidia-device-plugin" };
        // Not `part-of: modelfleet`: that label marks the serving application's own pods,
        // and this is a node agent of the cluster.
        const labels = { ...appLabels, "app.kubernetes.io/component": "device-plugin" };

        this.daemonSet = new k8s.apps.v1.DaemonSet(
            `${name}-daemonset`,
            {
                metadata: { name: "nvidia-device-plugin", namespace: args.namespace ?? "kube-system", labels },
                spec: {
                    selector: { matchLabels: appLabels },
                    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
                    template: {
                        metadata: { labels },
                        spec: {
                            // Node-critical: a GPU node without its plugin cannot run GPU pods at all.
                            priorityClassName: "system-node-critical",
                            affinity: {
                                nodeAffinity: {
                                    requiredDuringSchedulingIgnoredDuringExecution: {
                                        nodeSelectorTerms: args.nodeSelectors.map((selector) => ({
                                            matchExpressions: Object.entries(selector).map(([key, value]) => ({
                                                key,
                                                operator: "In",
                                                values: [value],
                                            })),
                                        })),
                                    },
                                },
                            },
                            tolerations: args.tolerations ?? [GPU_TOLERATION],
                            automountServiceAccountToken: false,
                            containers: [
                                {
                                    name: "nvidia-device-plugin",
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    // On a node whose driver is missing or broken, log and wait instead
                                    // of crash-looping.
                                    env: [{ name: "FAIL_ON_INIT_ERROR", value: "false" }],
                                    resources: {
                                        requests: { cpu: "50m", memory: "64Mi" },
                                        limits: { cpu: "200m", memory: "128Mi" },
                                    },
                                    // Root only to create its socket in the kubelet's root-owned
                                    // directory: no privilege, no capabilities. No probes: the plugin
                                    // serves no health endpoint, and the kubelet drops the node's GPUs
                                    // as soon as the socket goes away.
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        privileged: false,
                                        capabilities: { drop: ["ALL"] },
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                    volumeMounts: [{ name: "device-plugins", mountPath: DEVICE_PLUGIN_DIR }],
                                },
                            ],
                            volumes: [{ name: "device-plugins", hostPath: { path: DEVICE_PLUGIN_DIR, type: "Directory" } }],
                        },
                    },
                },
            },
            { parent: this },
        );

        this.registerOutputs({ daemonSet: this.daemonSet });
    }
}
