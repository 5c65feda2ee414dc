import type * as k8s from "@pulumi/kubernetes";

/**
 * Node labels and the GPU taint every node pool of the fleet carries, on every cloud. The
 * serving stack, the device plugin and the cluster-autoscaler read these, so an EKS node group
 * and a GKE node pool are selected and tolerated alike. How each cloud's API spells them stays
 * with that cloud.
 */

/** Names the node pool; `system` for the CPU pool, the GPU pool's name otherwise. */
export const POOL_LABEL = "modelfleet.io/pool";
/** Accelerator model of a GPU node, e.g. nvidia-l4. */
export const ACCELERATOR_LABEL = "modelfleet.io/accelerator";
/** The label NVIDIA's components select GPU nodes by. */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";
/** The extended resource the device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";
export const SYSTEM_POOL = "system";

/** Keeps everything that does not ask for a GPU off the expensive nodes. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;

/**
 * Tolerates the `nvidia.com/gpu` NoSchedule taint whatever its value: the one this fleet
 * puts on GPU nodes (`present`) and the ones EKS, GKE and the GPU operator add themselves.
 */
export const GPU_TOLERATION: k8s.types.input.core.v1.Toleration = {
    key: GPU_TAINT.key,
    operator: "Exists",
    effect: GPU_TAINT.effect,
};

/** Labels that place a GPU pool's nodes: the pool's name and its accelerator model. */
export function gpuPoolLabels(poolName: string, gpuModel: string): Record<string, string> {
    return { [POOL_LABEL]: poolName, [ACCELERATOR_LABEL]: gpuModel };
}
