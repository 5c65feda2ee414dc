import type * as k8s from "@pulumi/kubernetes";

/**
 * Node labels and the GPU taint every AWS node group carries. The serving stack, the device
 * plugin and the cluster-autoscaler's scale-from-zero templates all read these, so they are
 * defined once.
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

/** The toleration pods that run on GPU nodes carry. */
export const GPU_TOLERATION: k8s.types.input.core.v1.Toleration = {
    key: GPU_TAINT.key,
    operator: "Exists",
    effect: GPU_TAINT.effect,
};

/** Labels of a GPU pool's nodes. */
export function gpuNodeLabels(poolName: string, gpuModel: string): Record<string, string> {
    return { [POOL_LABEL]: poolName, [ACCELERATOR_LABEL]: gpuModel, [GPU_PRESENT_LABEL]: "true" };
}

/** Auto-discovery tags the cluster-autoscaler finds a cluster's node groups by. */
export function autoscalerDiscoveryTags(clusterName: string): Record<string, string> {
    return { "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned" };
}

/**
 * `node-template` tags that tell the cluster-autoscaler what a node of an empty group would
 * look like (labels, taint, GPUs), so it can scale a GPU pool up from zero.
 */
export function nodeTemplateTags(labels: Record<string, string>, gpus: number): Record<string, string> {
    const prefix = "k8s.io/cluster-autoscaler/node-template";
    return {
        ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}/label/${k}`, v])),
        [`${prefix}/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
        [`${prefix}/resources/${GPU_RESOURCE}`]: String(gpus),
    };
}
