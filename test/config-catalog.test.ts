import {
    awsGpuInstances,
    awsRegionZones,
    eksStandardSupportEnds,
    gcpGpuMachines,
    gcpRegionZones,
    route53CheckerRegions,
    SUPPORT_WARNING_DAYS,
} from "../config/catalog";

describe("the cloud catalog config validation checks against", () => {
    it("gives each AWS GPU instance type its GPUs, GPU model and memory, vCPUs and node memory", () => {
        const rows = Object.entries(awsGpuInstances).map(([type, s]) => [type, s.gpus, s.model, s.memoryGiB, s.vcpus, s.nodeMemoryGiB]);
        expect(rows).toEqual([
            ["g5.xlarge", 1, "nvidia-a10g", 24, 4, 16],
            ["g5.2xlarge", 1, "nvidia-a10g", 24, 8, 32],
            ["g5.4xlarge", 1, "nvidia-a10g", 24, 16, 64],
            ["g5.12xlarge", 4, "nvidia-a10g", 24, 48, 192],
            ["g5.48xlarge", 8, "nvidia-a10g", 24, 192, 768],
            ["g6.xlarge", 1, "nvidia-l4", 24, 4, 16],
            ["g6.2xlarge", 1, "nvidia-l4", 24, 8, 32],
            ["g6.4xlarge", 1, "nvidia-l4", 24, 16, 64],
            ["g6.12xlarge", 4, "nvidia-l4", 24, 48, 192],
            ["g6.48xlarge", 8, "nvidia-l4", 24, 192, 768],
            ["g6e.xlarge", 1, "nvidia-l40s", 48, 4, 32],
            ["g6e.2xlarge", 1, "nvidia-l40s", 48, 8, 64],
            ["g6e.12xlarge", 4, "nvidia-l40s", 48, 48, 384],
            ["g6e.48xlarge", 8, "nvidia-l40s", 48, 192, 1536],
            ["p4d.24xlarge", 8, "nvidia-a100", 40, 96, 1152],
            ["p4de.24xlarge", 8, "nvidia-a100-80gb", 80, 96, 1152],
            ["p5.48xlarge", 8, "nvidia-h100", 80, 192, 2048],
        ]);
    });

    it("gives each GCE GPU machine type its accelerator type, the GPU counts it takes, the GPU and the node", () => {
        const rows = Object.entries(gcpGpuMachines).map(([type, m]) => [
            type,
            m.acceleratorType,
            m.allowedCounts,
            m.model,
            m.memoryGiB,
            m.vcpus,
            m.nodeMemoryGiB,
        ]);
        expect(rows).toEqual([
            ["g2-standard-4", "nvidia-l4", [1], "nvidia-l4", 24, 4, 16],
            ["g2-standard-8", "nvidia-l4", [1], "nvidia-l4", 24, 8, 32],
            ["g2-standard-12", "nvidia-l4", [1], "nvidia-l4", 24, 12, 48],
            ["g2-standard-16", "nvidia-l4", [1], "nvidia-l4", 24, 16, 64],
            ["g2-standard-24", "nvidia-l4", [2], "nvidia-l4", 24, 24, 96],
            ["g2-standard-48", "nvidia-l4", [4], "nvidia-l4", 24, 48, 192],
            ["g2-standard-96", "nvidia-l4", [8], "nvidia-l4", 24, 96, 384],
            ["a2-highgpu-1g", "nvidia-tesla-a100", [1], "nvidia-a100", 40, 12, 85],
            ["a2-highgpu-2g", "nvidia-tesla-a100", [2], "nvidia-a100", 40, 24, 170],
            ["a2-highgpu-4g", "nvidia-tesla-a100", [4], "nvidia-a100", 40, 48, 340],
            ["a2-highgpu-8g", "nvidia-tesla-a100", [8], "nvidia-a100", 40, 96, 680],
            ["a2-ultragpu-1g", "nvidia-a100-80gb", [1], "nvidia-a100-80gb", 80, 12, 170],
            ["a2-ultragpu-8g", "nvidia-a100-80gb", [8], "nvidia-a100-80gb", 80, 96, 1360],
            ["a3-highgpu-8g", "nvidia-h100-80gb", [8], "nvidia-h100", 80, 208, 1872],
            ["n1-standard-8", "nvidia-tesla-t4", [1, 2, 4], "nvidia-t4", 16, 8, 30],
            ["n1-standard-16", "nvidia-tesla-t4", [1, 2, 4], "nvidia-t4", 16, 16, 60],
        ]);
    });

    it("counts the zones an account can use in each AWS region it accepts", () => {
        expect(awsRegionZones).toEqual({
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
        });
    });

    it("lists the zones of each GCP region it accepts", () => {
        expect(gcpRegionZones).toEqual({
            "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
            "us-east1": ["us-east1-b", "us-east1-c", "us-east1-d"],
            "us-east4": ["us-east4-a", "us-east4-b", "us-east4-c"],
            "us-west1": ["us-west1-a", "us-west1-b", "us-west1-c"],
            "us-west4": ["us-west4-a", "us-west4-b", "us-west4-c"],
            "europe-west1": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
            "europe-west4": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
            "asia-east1": ["asia-east1-a", "asia-east1-b", "asia-east1-c"],
            "asia-southeast1": ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
        });
    });

    it("names the regions Route 53 health checkers run in", () => {
        expect([...route53CheckerRegions]).toEqual([
            "us-east-1",
            "us-west-1",
            "us-west-2",
            "eu-west-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-northeast-1",
            "sa-east-1",
        ]);
    });

    it("dates the end of EKS standard support for each Kubernetes minor it accepts, and warns 60 days ahead", () => {
        expect(eksStandardSupportEnds).toEqual({
            "1.32": "2026-03-23",
            "1.33": "2026-07-29",
            "1.34": "2026-12-02",
            "1.35": "2027-03-27",
        });
        expect(SUPPORT_WARNING_DAYS).toBe(60);
    });
});
