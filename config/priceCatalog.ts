/**
 * The dated price catalog the plan's cost estimate reads: hourly prices of every instance
 * and machine type config/catalog.ts allows (and the system pools' defaults), the fixed fees
 * of the managed services the program creates, and storage and transfer per GB. USD, list
 * prices, Linux, no discounts; `modelfleet:pricing` overrides them per stack. Every entry
 * names its source and the day its figure is from; docs/cost.md says how to refresh it.
 */

/** Where a figure comes from and the day it describes. */
export interface PriceSource {
    /** The page or data file the figure was read from. */
    url: string;
    /** The day the figure is from (YYYY-MM-DD): the source's own date where it has one. */
    asOf: string;
    /** How the figure was read, or why it could not be checked against a stored copy. */
    note?: string;
    /** False when the figure was not found in a copy of the source that could be read. */
    verified?: boolean;
}

/** A price in USD per unit, for `region`; `byRegion` holds the regions the source prices differently. */
export interface RegionalPrice {
    usd: number;
    /** The region `usd` is for; other regions use it unless `byRegion` names them. */
    region: string;
    byRegion?: Record<string, number>;
    source: PriceSource;
}

export interface InstancePrice {
    cloud: "aws" | "gcp";
    /** USD per node-hour, on-demand. */
    onDemand: RegionalPrice;
    /** USD per node-hour, spot; absent where the source has none (the estimate then uses on-demand, spot's ceiling). */
    spot?: RegionalPrice;
    /**
     * GCE only: whether the machine price includes its GPUs (G2, A2, A3). N1 machines carry
     * T4s billed per GPU: the estimate adds `count ×` the accelerator type's own entry.
     */
    includesGpus?: boolean;
}

export type FeeUnit = "hour" | "month" | "GB-month" | "GB";

export interface FeePrice extends RegionalPrice {
    unit: FeeUnit;
    /** What the fee is for, as the summary names it. */
    label: string;
}

/** The fees the estimate knows; `modelfleet:pricing.fees` overrides them by these names. */
export const feeKeys = [
    "eksControlPlane",
    "eksExtendedSupport",
    "gkeControlPlane",
    "natGateway",
    "alb",
    "gceForwardingRule",
    "route53HealthCheckAws",
    "route53HealthCheckOther",
    "route53HealthCheckOptionAws",
    "route53HealthCheckOptionOther",
    "route53HostedZone",
    "s3Storage",
    "gcsStorage",
    "s3ReplicationTransfer",
    "s3ReplicationTimeControl",
    "internetEgress",
] as const;
export type FeeKey = (typeof feeKeys)[number];

export interface PriceCatalog {
    instances: Record<string, InstancePrice>;
    fees: Record<FeeKey, FeePrice>;
}

/** Vantage's EC2 data (from the AWS Price List API), as a dated snapshot: Linux on-demand per region. */
const awsInstances: PriceSource = {
    url: "https://github.com/tsaol/aws-gpu/blob/77fcd9f/data/all_gpu_instances.js",
    asOf: "2026-01-21",
    note: "generated from instances.vantage.sh (its 'Last updated' line); Linux on-demand, us-east-1 and every region of config/catalog.ts the file prices; no spot prices",
};

/** The Cloud Billing Catalog SKUs per machine type and region, as Cyclenerd's calculator publishes them. */
const gcpMachines: PriceSource = {
    url: "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator/blob/dac31281f2a4575f0a8bff20ac04fc71a5ff2190/pricing.yml",
    asOf: "2026-08-20",
    note: "compute.instance.<type>.cost.us-central1 'hour' and 'hour_spot' (file generated 2026-08-20 from the Cloud Billing Catalog API); G2/A2/A3 prices include their GPUs",
};

function aws(usEast1: number, byRegion?: Record<string, number>): InstancePrice {
    return { cloud: "aws", onDemand: { usd: usEast1, region: "us-east-1", byRegion, source: awsInstances } };
}

function gcp(hour: number, hourSpot: number, includesGpus = true): InstancePrice {
    return {
        cloud: "gcp",
        includesGpus,
        onDemand: { usd: hour, region: "us-central1", source: gcpMachines },
        spot: { usd: hourSpot, region: "us-central1", source: gcpMachines },
    };
}

export const priceCatalog: PriceCatalog = {
    instances: {
        "g5.xlarge": aws(1.006, {
            "us-east-2": 1.006,
            "us-west-2": 1.006,
            "ca-central-1": 1.117,
            "eu-west-1": 1.123,
            "eu-west-2": 1.277,
            "eu-central-1": 1.258,
            "eu-north-1": 1.067,
            "ap-northeast-1": 1.459,
            "ap-northeast-2": 1.237,
            "ap-south-1": 1.208,
            "ap-southeast-2": 1.308,
            "sa-east-1": 1.71,
        }),
        "g5.2xlarge": aws(1.212, {
            "us-east-2": 1.212,
            "us-west-2": 1.212,
            "ca-central-1": 1.34573,
            "eu-west-1": 1.35296,
            "eu-west-2": 1.53849,
            "eu-central-1": 1.5156,
            "eu-north-1": 1.28549,
            "ap-northeast-1": 1.75776,
            "ap-northeast-2": 1.4903,
            "ap-south-1": 1.45536,
            "ap-southeast-2": 1.57584,
            "sa-east-1": 2.06016,
        }),
        "g5.4xlarge": aws(1.624, {
            "us-east-2": 1.624,
            "us-west-2": 1.624,
            "ca-central-1": 1.80319,
            "eu-west-1": 1.81287,
            "eu-west-2": 2.06148,
            "eu-central-1": 2.03081,
            "eu-north-1": 1.72247,
            "ap-northeast-1": 2.35528,
            "ap-northeast-2": 1.99691,
            "ap-south-1": 1.95009,
            "ap-southeast-2": 2.11152,
            "sa-east-1": 2.76048,
        }),
        "g5.12xlarge": aws(5.672, {
            "us-east-2": 5.672,
            "us-west-2": 5.672,
            "ca-central-1": 6.29784,
            "eu-west-1": 6.33167,
            "eu-west-2": 7.19994,
            "eu-central-1": 7.09282,
            "eu-north-1": 6.01593,
            "ap-northeast-1": 8.22609,
            "ap-northeast-2": 6.97442,
            "ap-south-1": 6.81091,
            "ap-southeast-2": 7.37473,
            "sa-east-1": 9.64127,
        }),
        "g5.48xlarge": aws(16.288, {
            "us-east-2": 16.288,
            "us-west-2": 16.288,
            "ca-central-1": 18.08518,
            "eu-west-1": 18.18233,
            "eu-west-2": 20.67572,
            "eu-central-1": 20.3681,
            "eu-north-1": 17.27564,
            "ap-northeast-1": 23.62246,
            "ap-northeast-2": 20.02809,
            "ap-south-1": 19.55855,
            "ap-southeast-2": 21.17764,
            "sa-east-1": 27.68636,
        }),
        "g6.xlarge": aws(0.8048, {
            "us-east-2": 0.8048,
            "us-west-2": 0.8048,
            "ca-central-1": 0.8936,
            "eu-west-2": 1.0216,
            "eu-west-3": 1.0216,
            "eu-central-1": 1.0064,
            "eu-north-1": 0.8536,
            "ap-northeast-1": 1.1672,
            "ap-northeast-2": 0.9896,
            "ap-south-1": 0.9664,
            "ap-southeast-2": 1.0464,
            "sa-east-1": 1.368,
        }),
        "g6.2xlarge": aws(0.9776, {
            "us-east-2": 0.9776,
            "us-west-2": 0.9776,
            "ca-central-1": 1.08547,
            "eu-west-2": 1.24095,
            "eu-west-3": 1.24095,
            "eu-central-1": 1.22249,
            "eu-north-1": 1.03688,
            "ap-northeast-1": 1.41781,
            "ap-northeast-2": 1.20208,
            "ap-south-1": 1.1739,
            "ap-southeast-2": 1.27107,
            "sa-east-1": 1.66173,
        }),
        "g6.4xlarge": aws(1.3232, {
            "us-east-2": 1.3232,
            "us-west-2": 1.3232,
            "ca-central-1": 1.4692,
            "eu-west-2": 1.67965,
            "eu-west-3": 1.67965,
            "eu-central-1": 1.65466,
            "eu-north-1": 1.40343,
            "ap-northeast-1": 1.91903,
            "ap-northeast-2": 1.62704,
            "ap-south-1": 1.58889,
            "ap-southeast-2": 1.72042,
            "sa-east-1": 2.24918,
        }),
        "g6.12xlarge": aws(4.6016, {
            "us-east-2": 4.6016,
            "us-west-2": 4.6016,
            "ca-central-1": 5.10933,
            "eu-west-2": 5.8412,
            "eu-west-3": 5.8412,
            "eu-central-1": 5.75429,
            "eu-north-1": 4.88062,
            "ap-northeast-1": 6.67369,
            "ap-northeast-2": 5.65823,
            "ap-south-1": 5.52558,
            "ap-southeast-2": 5.98299,
            "sa-east-1": 7.82181,
        }),
        "g6.48xlarge": aws(13.3504, {
            "us-east-2": 13.3504,
            "us-west-2": 13.3504,
            "ca-central-1": 14.82346,
            "eu-west-2": 16.94678,
            "eu-west-3": 16.94678,
            "eu-central-1": 16.69464,
            "eu-north-1": 14.15992,
            "ap-northeast-1": 19.36206,
            "ap-northeast-2": 16.41595,
            "ap-south-1": 16.0311,
            "ap-southeast-2": 17.35817,
            "sa-east-1": 22.69303,
        }),
        "g6e.xlarge": aws(1.861, {
            "us-east-2": 1.861,
            "us-west-2": 1.861,
            "eu-central-1": 2.327,
            "eu-north-1": 1.974,
            "ap-northeast-1": 2.699,
            "ap-northeast-2": 2.288,
        }),
        "g6e.2xlarge": aws(2.24208, {
            "us-east-2": 2.24208,
            "us-west-2": 2.24208,
            "eu-central-1": 2.8035,
            "eu-north-1": 2.37822,
            "ap-northeast-1": 3.25168,
            "ap-northeast-2": 2.75652,
        }),
        "g6e.12xlarge": aws(10.49264, {
            "us-east-2": 10.49264,
            "us-west-2": 10.49264,
            "eu-central-1": 13.12002,
            "eu-north-1": 11.12975,
            "ap-northeast-1": 15.21742,
            "ap-northeast-2": 12.90014,
        }),
        "g6e.48xlarge": aws(30.13118, {
            "us-east-2": 30.13118,
            "us-west-2": 30.13118,
            "eu-central-1": 37.67612,
            "eu-north-1": 31.96075,
            "ap-northeast-1": 43.69912,
            "ap-northeast-2": 37.04468,
        }),
        "p4d.24xlarge": aws(21.957642, {
            "us-east-2": 21.95764,
            "us-west-2": 21.95764,
            "ca-central-1": 25.25174,
            "eu-west-1": 23.71569,
            "eu-west-2": 28.54493,
            "eu-central-1": 27.43298,
            "eu-north-1": 23.71569,
            "ap-northeast-1": 30.09784,
            "ap-northeast-2": 30.41028,
            "ap-south-1": 26.3444,
            "ap-southeast-1": 26.34917,
            "ap-southeast-2": 28.54493,
            "sa-east-1": 35.5569,
        }),
        "p4de.24xlarge": aws(27.44705, {
            "us-west-2": 27.44705,
            "eu-central-1": 34.29122,
            "ap-northeast-1": 37.6223,
            "ap-southeast-1": 32.93646,
        }),
        "p5.48xlarge": aws(55.04, {
            "us-east-2": 55.04,
            "us-west-1": 68.8,
            "us-west-2": 55.04,
            "ca-central-1": 63.296,
            "eu-west-2": 71.552,
            "eu-north-1": 58.8928,
            "ap-northeast-1": 68.8,
            "ap-northeast-2": 75.9552,
            "ap-south-1": 66.048,
            "ap-southeast-2": 71.552,
            "sa-east-1": 92.4672,
        }),
        // The EKS system pool's default type (config/defaults.ts).
        "m7i.large": {
            cloud: "aws",
            onDemand: {
                usd: 0.1008,
                region: "us-east-1",
                byRegion: {
                    "us-east-2": 0.1008,
                    "us-west-1": 0.1176,
                    "us-west-2": 0.1008,
                    "ca-central-1": 0.11235,
                    "eu-west-1": 0.11235,
                    "eu-west-2": 0.11655,
                    "eu-west-3": 0.1176,
                    "eu-central-1": 0.12075,
                    "eu-north-1": 0.1071,
                    "ap-northeast-1": 0.1302,
                    "ap-northeast-2": 0.1239,
                    "ap-south-1": 0.10605,
                    "ap-southeast-1": 0.126,
                    "ap-southeast-2": 0.126,
                },
                source: {
                    url: "https://github.com/skypilot-org/skypilot-catalog/blob/00148f2af3672e2229b4f7bf8157d5a3f36e3c35/catalogs/v8/aws/vms.csv",
                    asOf: "2026-12-04",
                    note: "the Price column of the m7i.large rows (Linux on-demand); the snapshot's own date is not recorded in it, so the day given is the day it was read",
                },
            },
        },
        "g2-standard-4": gcp(0.706832255, 0.423956),
        "g2-standard-8": gcp(0.853624271, 0.512012),
        "g2-standard-12": gcp(1.000416287, 0.600068),
        "g2-standard-16": gcp(1.147208303, 0.688124),
        "g2-standard-24": gcp(2.000832574, 1.200136),
        "g2-standard-48": gcp(4.001665148, 2.400272),
        "g2-standard-96": gcp(8.003330296, 4.800544),
        "a2-highgpu-1g": gcp(3.673385, 2.12081),
        "a2-highgpu-2g": gcp(7.34677, 4.24162),
        "a2-highgpu-4g": gcp(14.69354, 8.48324),
        "a2-highgpu-8g": gcp(29.38708, 16.96648),
        "a2-ultragpu-1g": gcp(5.06879789041096, 2.92787753424658),
        "a2-ultragpu-8g": gcp(40.5503831232877, 23.4230202739726),
        "a3-highgpu-8g": gcp(88.4899999025753, 53.0936245479452),
        // The GKE system pool's default type (config/defaults.ts).
        "e2-standard-4": gcp(0.13402284, 0.080424),
        "n1-standard-8": gcp(0.379998, 0.17836, false),
        "n1-standard-16": gcp(0.759996, 0.35672, false),
        // The T4s N1 pools carry (per GPU) are not priced yet: the estimate reports such pools
        // as unpriced until an entry here or modelfleet:pricing.instances["nvidia-tesla-t4"] gives one.
    },
    fees: {
        eksControlPlane: {
            label: "EKS control plane",
            unit: "hour",
            usd: 0.1,
            region: "us-east-1",
            source: { url: "https://cloudburn.io/blog/amazon-eks-pricing", asOf: "2026-04-01", note: "standard support, per cluster-hour" },
        },
        eksExtendedSupport: {
            label: "EKS extended support",
            unit: "hour",
            usd: 0.5,
            region: "us-east-1",
            source: {
                url: "https://cloudburn.io/blog/amazon-eks-pricing",
                asOf: "2026-04-01",
                note: "extended support is $0.60 per cluster-hour in all, i.e. $0.50 on top of the control plane",
            },
        },
        gkeControlPlane: {
            label: "GKE cluster management",
            unit: "hour",
            usd: 0.1,
            region: "us-central1",
            source: {
                url: "https://cloud.google.com/kubernetes-engine/pricing",
                asOf: "2026-12-04",
                note: "read on the day given; the free-tier credit applies to zonal and Autopilot clusters only, so regional clusters pay it in full",
            },
        },
        natGateway: {
            label: "NAT gateway",
            unit: "hour",
            usd: 0.045,
            region: "us-east-1",
            source: {
                url: "https://cloudburn.io/blog/aws-nat-gateway-pricing",
                asOf: "2026-02-24",
                note: "hourly charge only; per-GB processing not counted",
            },
        },
        alb: {
            label: "Application Load Balancer",
            unit: "hour",
            usd: 0.0225,
            region: "us-east-1",
            source: {
                url: "https://awsnegotiations.com/elastic-load-balancer-cost.html",
                asOf: "2026-12-04",
                note: "hourly fee only, LCUs not counted; the page carries no date, read on the day given",
            },
        },
        gceForwardingRule: {
            label: "GCE load balancer forwarding rule",
            unit: "hour",
            usd: 0.025,
            region: "us-central1",
            source: {
                url: "https://cloud.google.com/load-balancing/pricing",
                asOf: "2026-12-04",
                note: "first 5 forwarding rules; read on the day given; data processing not counted",
            },
        },
        route53HealthCheckAws: {
            label: "Route 53 health check (AWS endpoint)",
            unit: "month",
            usd: 0.5,
            region: "global",
            source: {
                url: "https://github.com/api-evangelist/amazon-route53-resolver/blob/1c78eb06bd0bfa4611316eca2dd0240ad0bb733e/plans/amazon-route53-resolver-plans-pricing.yml",
                asOf: "2026-09-20",
                note: "https://aws.amazon.com/route53/pricing/ as transcribed on 2026-09-20: basic health checks, AWS endpoints; calculated checks are priced as these (the page lists no price of their own); the page's 50 free checks for AWS endpoints are an account's, not deducted",
            },
        },
        route53HealthCheckOther: {
            label: "Route 53 health check (non-AWS endpoint)",
            unit: "month",
            usd: 0.75,
            region: "global",
            source: {
                url: "https://github.com/api-evangelist/amazon-route53-resolver/blob/1c78eb06bd0bfa4611316eca2dd0240ad0bb733e/plans/amazon-route53-resolver-plans-pricing.yml",
                asOf: "2026-09-20",
                note: "https://aws.amazon.com/route53/pricing/ as transcribed on 2026-09-20: basic health checks, non-AWS endpoints",
            },
        },
        route53HealthCheckOptionAws: {
            label: "Route 53 health check option (AWS endpoint)",
            unit: "month",
            usd: 1,
            region: "global",
            source: {
                url: "https://github.com/api-evangelist/amazon-route53-resolver/blob/1c78eb06bd0bfa4611316eca2dd0240ad0bb733e/plans/amazon-route53-resolver-plans-pricing.yml",
                asOf: "2026-09-20",
                note: "optional health check features, AWS endpoints, per feature: HTTPS, string matching, fast interval, latency measurement",
            },
        },
        route53HealthCheckOptionOther: {
            label: "Route 53 health check option (non-AWS endpoint)",
            unit: "month",
            usd: 2,
            region: "global",
            source: {
                url: "https://github.com/api-evangelist/amazon-route53-resolver/blob/1c78eb06bd0bfa4611316eca2dd0240ad0bb733e/plans/amazon-route53-resolver-plans-pricing.yml",
                asOf: "2026-09-20",
                note: "optional health check features, non-AWS endpoints, per feature",
            },
        },
        route53HostedZone: {
            label: "Route 53 hosted zone",
            unit: "month",
            usd: 0.5,
            region: "global",
            source: {
                url: "https://github.com/api-evangelist/amazon-route53-resolver/blob/1c78eb06bd0bfa4611316eca2dd0240ad0bb733e/plans/amazon-route53-resolver-plans-pricing.yml",
                asOf: "2026-09-20",
                note: "first 25 hosted zones; counted only for a zone the program creates",
            },
        },
        s3Storage: {
            label: "S3 Standard storage",
            unit: "GB-month",
            usd: 0.023,
            region: "us-east-1",
            source: {
                url: "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples",
                asOf: "2026-12-04",
                note: "S3 Standard from $0.023 per GB-month (US East); the page carries no date, read on the day given",
            },
        },
        gcsStorage: {
            label: "Cloud Storage Standard (regional)",
            unit: "GB-month",
            usd: 0.02,
            region: "us-central1",
            byRegion: {
                "us-east1": 0.02,
                "us-east4": 0.023,
                "us-west1": 0.02,
                "us-west4": 0.023,
                "europe-west1": 0.02,
                "europe-west4": 0.02,
                "asia-east1": 0.02,
                "asia-southeast1": 0.02,
            },
            source: {
                url: "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator/blob/dac31281f2a4575f0a8bff20ac04fc71a5ff2190/pricing.yml",
                asOf: "2026-08-20",
                note: "storage.bucket.standard.cost.<region>.month",
            },
        },
        s3ReplicationTransfer: {
            label: "S3 cross-region replication transfer",
            unit: "GB",
            usd: 0.02,
            region: "us-east-1",
            source: {
                url: "https://aws.amazon.com/s3/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "inter-region data transfer out of the source region; figure as recalled, not checked",
            },
        },
        s3ReplicationTimeControl: {
            label: "S3 Replication Time Control",
            unit: "GB",
            usd: 0.015,
            region: "global",
            source: {
                url: "https://aws.amazon.com/s3/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "per GB replicated with RTC on; figure as recalled, not checked",
            },
        },
        internetEgress: {
            label: "AWS data transfer out to the internet",
            unit: "GB",
            usd: 0.09,
            region: "us-east-1",
            source: {
                url: "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/",
                asOf: "2026-12-04",
                note: "first 10 TB tier; used for the Storage Transfer Service's copy from S3 to a GCS region; read on the day given",
            },
        },
    },
};
