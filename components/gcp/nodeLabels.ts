import type * as gcp from "@pulumi/gcp";
import { GPU_TAINT } from "../k8s/nodeLabels";

/**
 * How GKE node pools spell the fleet's shared taint (../k8s/nodeLabels), and the node settings
 * every GKE node pool of the fleet shares.
 */

/**
 * The fleet's GPU taint, with the effect in the upper snake case the GKE API takes. GKE puts
 * the same taint (nvidia.com/gpu=present:NoSchedule) on GPU nodes by itself, but only when the
 * pool joins a cluster that already has a CPU pool; declaring it makes it hold whatever the
 * creation order.
 */
export const GKE_GPU_TAINT = { key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" } as const;

/** Full access scope: what a node may do is decided by its service account's IAM roles. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** Node settings shared by every pool: hardened boot, Workload Identity's metadata server. */
export function hardenedNodeConfig(): Pick<
    gcp.types.input.container.NodePoolNodeConfig,
    "imageType" | "shieldedInstanceConfig" | "workloadMetadataConfig" | "metadata" | "oauthScopes"
> {
    return {
        imageType: "COS_CONTAINERD",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        // Pods see the GKE metadata server, never the node's own service account.
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        metadata: { "disable-legacy-endpoints": "true" },
        oauthScopes: [CLOUD_PLATFORM_SCOPE],
    };
}
