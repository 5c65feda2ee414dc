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
    note: "generated from instances.vantage.sh (its 'Last updated' line); Linux on-demand per region; no spot prices",
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

function gcp(hour: number, hourSpot: number): InstancePrice {
    return {
        cloud: "gcp",
        onDemand: { usd: hour, region: "us-central1", source: gcpMachines },
        spot: { usd: hourSpot, region: "us-central1", source: gcpMachines },
    };
}

function unverifiedAws(usd: number, url: string): InstancePrice {
    return {
        cloud: "aws",
        onDemand: {
            usd,
            region: "us-east-1",
            source: {
                url,
                asOf: "2026-12-04",
                verified: false,
                note: "no stored copy of the source carried this type; the figure is the published us-east-1 Linux on-demand price as recalled on the day given, not checked: confirm it when refreshing",
            },
        },
    };
}

export const priceCatalog: PriceCatalog = {
    instances: {
        "g5.xlarge": aws(1.006, { "eu-west-1": 1.123 }),
        "g5.2xlarge": aws(1.212, { "eu-west-1": 1.35296 }),
        "g5.4xlarge": aws(1.624, { "eu-west-1": 1.81287 }),
        "g5.12xlarge": aws(5.672, { "eu-west-1": 6.33167 }),
        "g5.48xlarge": aws(16.288, { "eu-west-1": 18.18233 }),
        "g6.xlarge": aws(0.8048),
        "g6.2xlarge": aws(0.9776),
        "g6.4xlarge": aws(1.3232),
        "g6.12xlarge": aws(4.6016),
        "g6.48xlarge": aws(13.3504),
        "g6e.xlarge": aws(1.861),
        "g6e.2xlarge": aws(2.24208),
        "g6e.12xlarge": aws(10.49264),
        "g6e.48xlarge": aws(30.13118),
        "p4d.24xlarge": aws(21.957642, { "eu-west-1": 23.71569 }),
        "p4de.24xlarge": aws(27.44705),
        "p5.48xlarge": aws(55.04),
        // The EKS system pool's default type (config/defaults.ts).
        "m7i.large": unverifiedAws(0.1008, "https://aws.amazon.com/ec2/pricing/on-demand/"),
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
        // n1-standard-8 and n1-standard-16 (and the T4s they carry) are not priced yet: the
        // estimate reports their pools as unpriced until an entry or a stack override gives one.
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
                url: "https://wewantcode.com/en/course/aws/lesson/7-84-health-checks-status-check.html",
                asOf: "2026-12-04",
                note: "basic check; calculated checks are priced as basic checks (read on the day given)",
            },
        },
        route53HealthCheckOther: {
            label: "Route 53 health check (non-AWS endpoint)",
            unit: "month",
            usd: 0.75,
            region: "global",
            source: { url: "https://wewantcode.com/en/course/aws/lesson/7-84-health-checks-status-check.html", asOf: "2026-12-04" },
        },
        route53HealthCheckOptionAws: {
            label: "Route 53 health check option (AWS endpoint)",
            unit: "month",
            usd: 1,
            region: "global",
            source: {
                url: "https://aws.amazon.com/route53/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "each of HTTPS, string matching, fast interval and latency measurement; the pages read name these options but not their price; figure as recalled from the pricing page, not checked",
            },
        },
        route53HealthCheckOptionOther: {
            label: "Route 53 health check option (non-AWS endpoint)",
            unit: "month",
            usd: 2,
            region: "global",
            source: {
                url: "https://aws.amazon.com/route53/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "as route53HealthCheckOptionAws, for endpoints outside AWS; figure as recalled, not checked",
            },
        },
        route53HostedZone: {
            label: "Route 53 hosted zone",
            unit: "month",
            usd: 0.5,
            region: "global",
            source: {
                url: "https://aws.amazon.com/route53/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "first 25 zones; counted only for a zone the program creates; figure as recalled, not checked",
            },
        },
        s3Storage: {
            label: "S3 Standard storage",
            unit: "GB-month",
            usd: 0.023,
            region: "us-east-1",
            source: {
                url: "https://aws.amazon.com/s3/pricing/",
                asOf: "2026-12-04",
                verified: false,
                note: "first 50 TB; figure as recalled from the pricing page, not checked",
            },
        },
        gcsStorage: {
            label: "Cloud Storage Standard (regional)",
            unit: "GB-month",
            usd: 0.02,
            region: "us-central1",
            source: {
                url: "https://cloud.google.com/storage/pricing",
                asOf: "2026-12-04",
                verified: false,
                note: "figure as recalled from the pricing page, not checked",
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
