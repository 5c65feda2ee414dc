import { GPU_PRESENT_LABEL, GPU_RESOURCE, GPU_TAINT, gpuPoolLabels } from "../k8s/nodeLabels";

/**
 * What AWS node groups carry beyond the fleet's shared labels and taint (../k8s/nodeLabels):
 * NVIDIA's GPU-present label and the tags the cluster-autoscaler discovers and models node
 * groups by, scale-from-zero templates included.
 */

/**
 * The label the cluster-autoscaler's AWS provider reads to know a node has GPUs
 * (`GPULabel` in cluster-autoscaler/cloudprovider/aws). Until the device plugin advertises
 * `nvidia.com/gpu` on a new node, the autoscaler treats a node with this label as one whose
 * GPUs are still coming, rather than as unfit for the pending pods, and does not add more.
 */
export const AWS_ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator";

/** Labels of a GPU pool's nodes. */
export function gpuNodeLabels(poolName: string, gpuModel: string): Record<string, string> {
    return { ...gpuPoolLabels(poolName, gpuModel), [GPU_PRESENT_LABEL]: "true", [AWS_ACCELERATOR_LABEL]: gpuModel };
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
