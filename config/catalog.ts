/**
 * Facts about the clouds that config validation checks against. Kept as data so that a
 * new instance type or region is one line, not new code. Sources: the AWS EC2
 * accelerated-computing instance pages and the Google Cloud GPU machine-type tables.
 */

/** An accelerator a GPU node carries. */
export interface GpuShape {
    /** GPUs per node. */
    gpus: number;
    /** Marketing name, used in node labels (`modelfleet.io/accelerator`). */
    model: string;
    /** GPU memory per GPU, GiB. */
    memoryGiB: number;
    /** Allocatable vCPUs on the node (before system reservations). */
    vcpus: number;
    /** Memory on the node, GiB. */
    nodeMemoryGiB: number;
}

/** AWS GPU instance types that the NVIDIA AL2023 EKS AMI supports. */
export const awsGpuInstances: Record<string, GpuShape> = {
    "g5.xlarge": { gpus: 1, model: "nvidia-a10g", memoryGiB: 24, vcpus: 4, nodeMemoryGiB: 16 },
    "g5.2xlarge": { gpus: 1, model: "nvidia-a10g", memoryGiB: 24, vcpus: 8, nodeMemoryGiB: 32 },
    "g5.4xlarge": { gpus: 1, model: "nvidia-a10g", memoryGiB: 24, vcpus: 16, nodeMemoryGiB: 64 },
    "g5.12xlarge": { gpus: 4, model: "nvidia-a10g", memoryGiB: 24, vcpus: 48, nodeMemoryGiB: 192 },
    "g5.48xlarge": { gpus: 8, model: "nvidia-a10g", memoryGiB: 24, vcpus: 192, nodeMemoryGiB: 768 },
    "g6.xlarge": { gpus: 1, model: "nvidia-l4", memoryGiB: 24, vcpus: 4, nodeMemoryGiB: 16 },
    "g6.2xlarge": { gpus: 1, model: "nvidia-l4", memoryGiB: 24, vcpus: 8, nodeMemoryGiB: 32 },
    "g6.4xlarge": { gpus: 1, model: "nvidia-l4", memoryGiB: 24, vcpus: 16, nodeMemoryGiB: 64 },
    "g6.12xlarge": { gpus: 4, model: "nvidia-l4", memoryGiB: 24, vcpus: 48, nodeMemoryGiB: 192 },
    "g6.48xlarge": { gpus: 8, model: "nvidia-l4", memoryGiB: 24, vcpus: 192, nodeMemoryGiB: 768 },
    "g6e.xlarge": { gpus: 1, model: "nvidia-l40s", memoryGiB: 48, vcpus: 4, nodeMemoryGiB: 32 },
    "g6e.2xlarge": { gpus: 1, model: "nvidia-l40s", memoryGiB: 48, vcpus: 8, nodeMemoryGiB: 64 },
    "g6e.12xlarge": { gpus: 4, model: "nvidia-l40s", memoryGiB: 48, vcpus: 48, nodeMemoryGiB: 384 },
    "g6e.48xlarge": { gpus: 8, model: "nvidia-l40s", memoryGiB: 48, vcpus: 192, nodeMemoryGiB: 1536 },
    "p4d.24xlarge": { gpus: 8, model: "nvidia-a100", memoryGiB: 40, vcpus: 96, nodeMemoryGiB: 1152 },
    "p4de.24xlarge": { gpus: 8, model: "nvidia-a100-80gb", memoryGiB: 80, vcpus: 96, nodeMemoryGiB: 1152 },
    "p5.48xlarge": { gpus: 8, model: "nvidia-h100", memoryGiB: 80, vcpus: 192, nodeMemoryGiB: 2048 },
};

/** A GCP accelerator type and the GPU counts each machine type it fits on must carry. */
export interface GcpGpuMachine {
    /** The `guestAccelerator.type` value. */
    acceleratorType: string;
    /** GPU counts this machine type can carry; accelerator-optimized types have exactly one. */
    allowedCounts: number[];
    model: string;
    memoryGiB: number;
    vcpus: number;
    nodeMemoryGiB: number;
}

/** GCP machine types for GPU pools. G2/A2/A3 fix the GPU count; N1 takes T4s in 1, 2 or 4. */
export const gcpGpuMachines: Record<string, GcpGpuMachine> = {
    "g2-standard-4": { acceleratorType: "nvidia-l4", allowedCounts: [1], model: "nvidia-l4", memoryGiB: 24, vcpus: 4, nodeMemoryGiB: 16 },
    "g2-standard-8": { acceleratorType: "nvidia-l4", allowedCounts: [1], model: "nvidia-l4", memoryGiB: 24, vcpus: 8, nodeMemoryGiB: 32 },
    "g2-standard-12": { acceleratorType: "nvidia-l4", allowedCounts: [1], model: "nvidia-l4", memoryGiB: 24, vcpus: 12, nodeMemoryGiB: 48 },
    "g2-standard-16": { acceleratorType: "nvidia-l4", allowedCounts: [1], model: "nvidia-l4", memoryGiB: 24, vcpus: 16, nodeMemoryGiB: 64 },
    "g2-standard-24": { acceleratorType: "nvidia-l4", allowedCounts: [2], model: "nvidia-l4", memoryGiB: 24, vcpus: 24, nodeMemoryGiB: 96 },
    "g2-standard-48": {
        acceleratorType: "nvidia-l4",
        allowedCounts: [4],
        model: "nvidia-l4",
        memoryGiB: 24,
        vcpus: 48,
        nodeMemoryGiB: 192,
    },
    "g2-standard-96": {
        acceleratorType: "nvidia-l4",
        allowedCounts: [8],
        model: "nvidia-l4",
        memoryGiB: 24,
        vcpus: 96,
        nodeMemoryGiB: 384,
    },
    "a2-highgpu-1g": {
        acceleratorType: "nvidia-tesla-a100",
        allowedCounts: [1],
        model: "nvidia-a100",
        memoryGiB: 40,
        vcpus: 12,
        nodeMemoryGiB: 85,
    },
    "a2-highgpu-2g": {
        acceleratorType: "nvidia-tesla-a100",
        allowedCounts: [2],
        model: "nvidia-a100",
        memoryGiB: 40,
        vcpus: 24,
        nodeMemoryGiB: 170,
    },
    "a2-highgpu-4g": {
        acceleratorType: "nvidia-tesla-a100",
        allowedCounts: [4],
        model: "nvidia-a100",
        memoryGiB: 40,
        vcpus: 48,
        nodeMemoryGiB: 340,
    },
    "a2-highgpu-8g": {
        acceleratorType: "nvidia-tesla-a100",
        allowedCounts: [8],
        model: "nvidia-a100",
        memoryGiB: 40,
        vcpus: 96,
        nodeMemoryGiB: 680,
    },
    "a2-ultragpu-1g": {
        acceleratorType: "nvidia-a100-80gb",
        allowedCounts: [1],
        model: "nvidia-a100-80gb",
        memoryGiB: 80,
        vcpus: 12,
        nodeMemoryGiB: 170,
    },
    "a2-ultragpu-8g": {
        acceleratorType: "nvidia-a100-80gb",
        allowedCounts: [8],
        model: "nvidia-a100-80gb",
        memoryGiB: 80,
        vcpus: 96,
        nodeMemoryGiB: 1360,
    },
    "a3-highgpu-8g": {
        acceleratorType: "nvidia-h100-80gb",
        allowedCounts: [8],
        model: "nvidia-h100",
        memoryGiB: 80,
        vcpus: 208,
        nodeMemoryGiB: 1872,
    },
    "n1-standard-8": {
        acceleratorType: "nvidia-tesla-t4",
        allowedCounts: [1, 2, 4],
        model: "nvidia-t4",
        memoryGiB: 16,
        vcpus: 8,
        nodeMemoryGiB: 30,
    },
    "n1-standard-16": {
        acceleratorType: "nvidia-tesla-t4",
        allowedCounts: [1, 2, 4],
        model: "nvidia-t4",
        memoryGiB: 16,
        vcpus: 16,
        nodeMemoryGiB: 60,
    },
};

/**
 * Availability zones an account can use in each AWS region (opt-in zones and Local Zones
 * excluded). A region not listed here is rejected so a typo never reaches a cloud.
 */
export const awsRegionZones: Record<string, number> = {
    "us-east-1": 6,
    "us-east-2": 3,
    "us-west-1": 2,
    "us-west-2": 4,
    "ca-central-1": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "eu-central-1": 3,
    "eu-north-1": 3,
    "ap-northeast-1": 3,
    "ap-northeast-2": 4,
    "ap-south-1": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "sa-east-1": 3,
};

/** GCP regions and their zones; GKE regional clusters spread nodes across these. */
export const gcpRegionZones: Record<string, string[]> = {
    "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
    "us-east1": ["us-east1-b", "us-east1-c", "us-east1-d"],
    "us-east4": ["us-east4-a", "us-east4-b", "us-east4-c"],
    "us-west1": ["us-west1-a", "us-west1-b", "us-west1-c"],
    "us-west4": ["us-west4-a", "us-west4-b", "us-west4-c"],
    "europe-west1": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
    "europe-west4": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
    "asia-east1": ["asia-east1-a", "asia-east1-b", "asia-east1-c"],
    "asia-southeast1": ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
};

/** Route 53 health checkers run in these regions; a health check must name at least three. */
export const route53CheckerRegions = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
] as const;

/**
 * End of Amazon EKS standard support per Kubernetes minor (UTC dates), from the EKS release
 * calendar: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 * ("A minor version is under standard support in Amazon EKS for the first 14 months after
 * it's released", then extended support at extra cost per cluster hour). A minor not listed
 * here is refused until its dates are added.
 */
export const eksStandardSupportEnds: Record<string, string> = {
    "1.32": "2026-03-23",
    "1.33": "2026-07-29",
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
};

/** Days before the end of standard support from which the plan warns. */
export const SUPPORT_WARNING_DAYS = 60;
