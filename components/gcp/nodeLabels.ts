import type * as gcp from "@pulumi/gcp";

/**
 * Node labels, taint and node settings every GKE node pool of the fleet shares. The label
 * keys and the taint are the ones the AWS node groups carry, so the serving stack selects
 * and tolerates the same things on every cloud.
 */

/** Names the node pool; `system` for the CPU pool, the GPU pool's name otherwise. */
export const POOL_LABEL = "modelfleet.io/pool";
/** Accelerator model of a GPU node, e.g. nvidia-l4. */
export const ACCELERATOR_LABEL = "modelfleet.io/accelerator";
export const SYSTEM_POOL = "system";

/**
 * Keeps everything that does not ask for a GPU off the GPU nodes. GKE puts the same taint
 * (nvidia.com/gpu=present:NoSchedule) on GPU nodes by itself, but only when the pool joins a
 * cluster that already has a CPU pool; declaring it makes it hold whatever the creation order.
 */
export const GKE_GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" } as const;

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
