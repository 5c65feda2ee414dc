import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import type { FleetConfig, RegionConfig } from "../config";
import { AwsRegion } from "./aws/region";
import { ExistingRegion } from "./existing/region";
import { ProjectApis } from "./gcp/apis";
import { GcpRegion } from "./gcp/region";
import { formerAliases } from "./renames";
import type { RegionCluster } from "./types";

/** The cloud providers the program creates once and hands to every component. */
export interface CloudProviders {
    /** One AWS provider for every AWS region: resources set their own `region` (aws v7). */
    aws: aws.Provider;
    /** One GCP provider per project. */
    gcp: Record<string, gcp.Provider>;
    /**
     * The APIs each GCP project needs, enabled once per project so every region in it
     * waits for them (a fresh project has compute and container off).
     */
    gcpApis: Record<string, ProjectApis>;
}

/** Tags and labels every cloud resource carries, for cost reports and ownership. */
function ownership(config: FleetConfig): Record<string, string> {
    return { "modelfleet-project": config.project, "modelfleet-stack": config.stack, "managed-by": "pulumi" };
}

export function createProviders(config: FleetConfig): CloudProviders {
    const primary = config.regions.find((r) => r.name === config.modelStore.primaryRegion);
    const awsProvider = new aws.Provider("aws", {
        // Only the default for resources that set no region; every regional resource sets its own.
        region: primary?.cloud === "aws" ? (primary.region as aws.Region) : "us-east-1",
        defaultTags: { tags: ownership(config) },
    });
    const projects = [...new Set(config.regions.flatMap((r) => (r.cloud === "gcp" ? [r.project] : [])))];
    const gcpProviders = Object.fromEntries(
        projects.map((project) => [project, new gcp.Provider(`gcp-${project}`, { project, defaultLabels: ownership(config) })]),
    );
    const gcpApis = Object.fromEntries(
        projects.map((project) => [project, new ProjectApis(`gcp-${project}-apis`, { project, provider: gcpProviders[project] })]),
    );
    return { aws: awsProvider, gcp: gcpProviders, gcpApis };
}

/** One region component per configured region; each yields the same RegionCluster shape. */
export function createRegion(config: FleetConfig, region: RegionConfig, providers: CloudProviders): RegionCluster {
    // A renamed region's component takes over its old URN; its children follow (components/renames.ts).
    const opts = { aliases: formerAliases(region, (n) => n) };
    switch (region.cloud) {
        case "aws":
            return new AwsRegion(region.name, { region, config, provider: providers.aws }, opts).cluster;
        case "gcp":
            return new GcpRegion(
                region.name,
                {
                    region,
                    config,
                    provider: providers.gcp[region.project],
                    apis: providers.gcpApis[region.project],
                },
                opts,
            ).cluster;
        case "existing":
            return new ExistingRegion(region.name, { region, config, kubeconfig: config.secrets.kubeconfigs[region.name] }, opts).cluster;
    }
}
