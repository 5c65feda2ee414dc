import { awsGpuInstances, awsRegionZones, gcpGpuMachines, gcpRegionZones } from "../config/catalog";
import { catalogAsOf, catalogProblems } from "../config/pricing";
import { feeKeys, priceCatalog, type PriceSource } from "../config/priceCatalog";

describe("the committed price catalog", () => {
    it("has a source URL, an as-of date and a price for every figure", () => {
        expect(catalogProblems(priceCatalog)).toEqual([]);
        expect(catalogAsOf(priceCatalog)).toBe("2026-01-21");
    });

    it("says for every figure how it was read", () => {
        const sources: Array<[string, PriceSource]> = [
            ...Object.entries(priceCatalog.instances).flatMap(([type, p]): Array<[string, PriceSource]> => [
                [`instances["${type}"].onDemand`, p.onDemand.source],
                ...(p.spot ? [[`instances["${type}"].spot`, p.spot.source] satisfies [string, PriceSource]] : []),
            ]),
            ...Object.entries(priceCatalog.fees).map(([key, f]): [string, PriceSource] => [`fees.${key}`, f.source]),
        ];
        expect(sources.filter(([, s]) => typeof s.note !== "string" || s.note.trim() === "").map(([entry]) => entry)).toEqual([]);
    });

    it("knows these fees, in this order", () => {
        expect([...feeKeys]).toEqual([
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
        ]);
        expect(Object.keys(priceCatalog.fees)).toEqual([...feeKeys]);
    });

    it("prices each fee with the label the summary prints, its unit and the region its figure is for", () => {
        const fees = Object.fromEntries(Object.entries(priceCatalog.fees).map(([key, f]) => [key, [f.label, f.unit, f.usd, f.region]]));
        expect(fees).toEqual({
            eksControlPlane: ["EKS control plane", "hour", 0.1, "us-east-1"],
            eksExtendedSupport: ["EKS extended support", "hour", 0.5, "us-east-1"],
            gkeControlPlane: ["GKE cluster management", "hour", 0.1, "us-central1"],
            natGateway: ["NAT gateway", "hour", 0.045, "us-east-1"],
            alb: ["Application Load Balancer", "hour", 0.0225, "us-east-1"],
            gceForwardingRule: ["GCE load balancer forwarding rule", "hour", 0.025, "us-central1"],
            route53HealthCheckAws: ["Route 53 health check (AWS endpoint)", "month", 0.5, "global"],
            route53HealthCheckOther: ["Route 53 health check (non-AWS endpoint)", "month", 0.75, "global"],
            route53HealthCheckOptionAws: ["Route 53 health check option (AWS endpoint)", "month", 1, "global"],
            route53HealthCheckOptionOther: ["Route 53 health check option (non-AWS endpoint)", "month", 2, "global"],
            route53HostedZone: ["Route 53 hosted zone", "month", 0.5, "global"],
            s3Storage: ["S3 Standard storage", "GB-month", 0.023, "us-east-1"],
            gcsStorage: ["Cloud Storage Standard (regional)", "GB-month", 0.02, "us-central1"],
            s3ReplicationTransfer: ["S3 cross-region replication transfer", "GB", 0.02, "us-east-1"],
            s3ReplicationTimeControl: ["S3 Replication Time Control", "GB", 0.015, "global"],
            internetEgress: ["AWS data transfer out to the internet", "GB", 0.09, "us-east-1"],
        });
    });

    it("prices GCS storage per region, and marks only the recalled S3 replication figures unverified", () => {
        expect(priceCatalog.fees.gcsStorage.byRegion).toEqual({
            "us-east1": 0.02,
            "us-east4": 0.023,
            "us-west1": 0.02,
            "us-west4": 0.023,
            "europe-west1": 0.02,
            "europe-west4": 0.02,
            "asia-east1": 0.02,
            "asia-southeast1": 0.02,
        });
        const unverified = Object.entries(priceCatalog.fees)
            .filter(([, f]) => f.source.verified === false)
            .map(([key]) => key);
        expect(unverified).toEqual(["s3ReplicationTransfer", "s3ReplicationTimeControl"]);
        expect(Object.values(priceCatalog.instances).some((p) => p.onDemand.source.verified === false)).toBe(false);
    });

    it("prices each AWS type on demand in us-east-1 and in Tokyo, with no spot price", () => {
        const aws = Object.entries(priceCatalog.instances)
            .filter(([, p]) => p.cloud === "aws")
            .map(([type, p]) => [type, p.onDemand.region, p.onDemand.usd, p.onDemand.byRegion?.["ap-northeast-1"], p.spot]);
        expect(aws).toEqual([
            ["g5.xlarge", "us-east-1", 1.006, 1.459, undefined],
            ["g5.2xlarge", "us-east-1", 1.212, 1.75776, undefined],
            ["g5.4xlarge", "us-east-1", 1.624, 2.35528, undefined],
            ["g5.12xlarge", "us-east-1", 5.672, 8.22609, undefined],
            ["g5.48xlarge", "us-east-1", 16.288, 23.62246, undefined],
            ["g6.xlarge", "us-east-1", 0.8048, 1.1672, undefined],
            ["g6.2xlarge", "us-east-1", 0.9776, 1.41781, undefined],
            ["g6.4xlarge", "us-east-1", 1.3232, 1.91903, undefined],
            ["g6.12xlarge", "us-east-1", 4.6016, 6.67369, undefined],
            ["g6.48xlarge", "us-east-1", 13.3504, 19.36206, undefined],
            ["g6e.xlarge", "us-east-1", 1.861, 2.699, undefined],
            ["g6e.2xlarge", "us-east-1", 2.24208, 3.25168, undefined],
            ["g6e.12xlarge", "us-east-1", 10.49264, 15.21742, undefined],
            ["g6e.48xlarge", "us-east-1", 30.13118, 43.69912, undefined],
            ["p4d.24xlarge", "us-east-1", 21.957642, 30.09784, undefined],
            ["p4de.24xlarge", "us-east-1", 27.44705, 37.6223, undefined],
            ["p5.48xlarge", "us-east-1", 55.04, 68.8, undefined],
            ["m7i.large", "us-east-1", 0.1008, 0.1302, undefined],
        ]);
    });

    it("prices each GCE machine type on demand and spot in us-central1, with the GPUs included except on N1", () => {
        const gcp = Object.entries(priceCatalog.instances)
            .filter(([, p]) => p.cloud === "gcp")
            .map(([type, p]) => [type, p.onDemand.region, p.onDemand.usd, p.spot?.region, p.spot?.usd, p.includesGpus]);
        expect(gcp).toEqual([
            ["g2-standard-4", "us-central1", 0.706832255, "us-central1", 0.423956, true],
            ["g2-standard-8", "us-central1", 0.853624271, "us-central1", 0.512012, true],
            ["g2-standard-12", "us-central1", 1.000416287, "us-central1", 0.600068, true],
            ["g2-standard-16", "us-central1", 1.147208303, "us-central1", 0.688124, true],
            ["g2-standard-24", "us-central1", 2.000832574, "us-central1", 1.200136, true],
            ["g2-standard-48", "us-central1", 4.001665148, "us-central1", 2.400272, true],
            ["g2-standard-96", "us-central1", 8.003330296, "us-central1", 4.800544, true],
            ["a2-highgpu-1g", "us-central1", 3.673385, "us-central1", 2.12081, true],
            ["a2-highgpu-2g", "us-central1", 7.34677, "us-central1", 4.24162, true],
            ["a2-highgpu-4g", "us-central1", 14.69354, "us-central1", 8.48324, true],
            ["a2-highgpu-8g", "us-central1", 29.38708, "us-central1", 16.96648, true],
            ["a2-ultragpu-1g", "us-central1", 5.06879789041096, "us-central1", 2.92787753424658, true],
            ["a2-ultragpu-8g", "us-central1", 40.5503831232877, "us-central1", 23.4230202739726, true],
            ["a3-highgpu-8g", "us-central1", 88.4899999025753, "us-central1", 53.0936245479452, true],
            ["e2-standard-4", "us-central1", 0.13402284, "us-central1", 0.080424, true],
            ["n1-standard-8", "us-central1", 0.379998, "us-central1", 0.17836, false],
            ["n1-standard-16", "us-central1", 0.759996, "us-central1", 0.35672, false],
        ]);
    });

    it("prices every GPU type config/catalog.ts allows, for the cloud that runs it", () => {
        const cloudOf = (type: string) => priceCatalog.instances[type]?.cloud;
        expect(Object.keys(awsGpuInstances).filter((t) => cloudOf(t) !== "aws")).toEqual([]);
        expect(Object.keys(gcpGpuMachines).filter((t) => cloudOf(t) !== "gcp")).toEqual([]);
    });

    it("prices regions only by names config/catalog.ts knows for the same cloud", () => {
        const unknown: string[] = [];
        for (const [type, p] of Object.entries(priceCatalog.instances)) {
            const known = p.cloud === "aws" ? awsRegionZones : gcpRegionZones;
            for (const price of [p.onDemand, p.spot]) {
                for (const region of [price?.region, ...Object.keys(price?.byRegion ?? {})]) {
                    if (region !== undefined && !(region in known)) unknown.push(`${type} ${region}`);
                }
            }
        }
        for (const region of Object.keys(priceCatalog.fees.gcsStorage.byRegion ?? {})) {
            if (!(region in gcpRegionZones)) unknown.push(`gcsStorage ${region}`);
        }
        expect(unknown).toEqual([]);
    });
});
