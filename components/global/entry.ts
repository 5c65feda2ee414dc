import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud, FleetConfig, RegionConfig } from "../../config";
import { formerAliases, physicalRegionName } from "../renames";
import type { ServingEndpoint } from "../types";
import {
    globalUrl,
    isZoneApex,
    latencyRegionOf,
    REGIONAL_TTL_SECONDS,
    regionalHost,
    REGION_HEALTH_CHECKS,
    ROUTING_TTL_SECONDS,
    SECONDARY_LABEL,
    secondaryHost,
} from "./dns";

export { hostedZoneId } from "./dns";

/** CloudWatch keeps Route 53 health-check metrics in us-east-1 only. */
const ROUTE53_METRICS_REGION = "us-east-1";

export interface GlobalEntryArgs {
    /** The validated fleet config: serving.domain, globalEntry, regions, routedRegions (required). */
    config: FleetConfig;
    /** Route 53 hosted zone of serving.domain, from hostedZoneId() (required). */
    zoneId: pulumi.Input<string>;
    /** What each region's serving stack exposes; one per routed region (required). */
    endpoints: ServingEndpoint[];
    /** AWS provider for Route 53 and CloudWatch (default: the program's default provider). */
    awsProvider?: aws.Provider;
    /** SNS topic ARNs told when a region leaves DNS (its calculated health check fails) and returns (default none). */
    alarmActions?: pulumi.Input<string>[];
}

/** How one region takes part in routing. */
export interface RoutedRegion {
    name: string;
    cloud: Cloud;
    /** `https://<region>.<domain>`. */
    url: string;
    /** AWS region Route 53 measures latency against; undefined for the failover primary. */
    latencyRegion?: string;
    /** `latency`, `primary` (failover) or `secondary` (failover, in the secondaries' latency set). */
    role: "latency" | "primary" | "secondary";
}

/** A region's Route 53 health checks: one per server on its name, and the one routing uses. */
export interface RegionHealthChecks {
    /** HTTPS to `/health` on `<region>.<domain>`: the TensorZero gateway. */
    gateway: aws.route53.HealthCheck;
    /** HTTPS to `/ping` on `<region>.<domain>`, body must say `Healthy`: TorchServe. */
    torchserve: aws.route53.HealthCheck;
    /** CALCULATED, healthy only while both of the above are; the routing records and the alarm use it. */
    routing: aws.route53.HealthCheck;
}

/**
 * The one name clients use, `serving.domain`, in Route 53: a record per routed region
 * (`<region>.<domain>`, to its load balancer); per region an HTTPS health check of the
 * gateway and one of TorchServe on that name, a calculated check healthy only while both
 * are, and a CloudWatch alarm on it; and `<domain>` routed by latency (or failover) to the
 * regional names, each answer tied to its region's calculated check, so a region leaves DNS
 * when either server fails. Every region's records, checks and alarm depend only on that
 * region's endpoint, so one region can be added or removed without touching the others.
 * Record shapes and failover details: docs/global-entry.md.
 */
export class GlobalEntry extends pulumi.ComponentResource {
    /** `https://<domain>`. */
    public readonly url: pulumi.Output<string>;
    /** Region name → `https://<region>.<domain>`, routed regions only. */
    public readonly regionUrls: pulumi.Output<Record<string, string>>;
    /** Region name → id of the calculated Route 53 health check its routing records use. */
    public readonly healthCheckIds: pulumi.Output<Record<string, string>>;
    /** Region name → ids of the endpoint checks the calculated one combines (`get-health-check-status` works on these only). */
    public readonly endpointHealthCheckIds: pulumi.Output<Record<string, { gateway: string; torchserve: string }>>;
    /** Region name → `{ url, cloud }`, the shape `npm run health -- --stack` reads (regionEndpoints). */
    public readonly regionEndpoints: pulumi.Output<Record<string, { url: string; cloud: Cloud }>>;
    /** Regions left out of routing, each with the reason, e.g. for the plan summary. */
    public readonly skippedRegions: string[];
    /** How each routed region takes part, in config order. */
    public readonly routed: RoutedRegion[];

    constructor(name: string, args: GlobalEntryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:Entry", name, {}, opts);

        const { config } = args;
        const ge = config.globalEntry;
        const routedConfigs = config.regions.filter((r) => config.routedRegions.includes(r.name));
        const endpointByRegion = new Map(args.endpoints.map((e) => [e.regionName, e]));
        const failover = ge.routing === "failover";
        const roleOf = (r: RegionConfig): RoutedRegion["role"] =>
            !failover ? "latency" : r.name === ge.failoverPrimary ? "primary" : "secondary";

        const problems = validate(args, routedConfigs, roleOf);
        if (problems.length > 0) throw new Error(`GlobalEntry ${name}: ${problems.join("; ")}`);

        this.skippedRegions = config.regions
            .map((r, i) => ({ r, i }))
            .filter(({ r }) => !config.routedRegions.includes(r.name))
            .map(({ r, i }) =>
                r.globalRouting
                    ? `${r.name}: existing cluster without a publicEndpoint, left out of global routing (set regions[${i}].publicEndpoint to route it)`
                    : `${r.name}: regions[${i}].globalRouting is false, left out of global routing (set it to true to route it)`,
            );

        this.routed = routedConfigs.map((r) => ({
            name: r.name,
            cloud: r.cloud,
            url: `https://${regionalHost(config, r.name)}`,
            latencyRegion: roleOf(r) === "primary" ? undefined : latencyRegionOf(r),
            role: roleOf(r),
        }));

        const child = { parent: this, provider: args.awsProvider };
        const domain = config.serving.domain;
        const healthCheckIds: Record<string, pulumi.Output<string>> = {};
        const endpointHealthCheckIds: Record<string, { gateway: pulumi.Output<string>; torchserve: pulumi.Output<string> }> = {};

        for (const region of routedConfigs) {
            const endpoint = endpointByRegion.get(region.name);
            const role = roleOf(region);
            const latencyRegion = latencyRegionOf(region);
            // validate() has refused both already; this only narrows the types.
            if (!endpoint || (role !== "primary" && !latencyRegion)) continue;
            const host = regionalHost(config, region.name);

            const regional = this.regionalRecord(name, args, region, endpoint, host);

            const checks = this.healthChecks(name, args, region, host, regional);
            const healthCheck = checks.routing;
            healthCheckIds[region.name] = healthCheck.id;
            endpointHealthCheckIds[region.name] = { gateway: checks.gateway.id, torchserve: checks.torchserve.id };

            new aws.cloudwatch.MetricAlarm(
                `${name}-${region.name}-unhealthy`,
                {
                    region: ROUTE53_METRICS_REGION,
                    alarmDescription: `modelfleet ${config.stack}: ${host} fails its Route 53 health check (the gateway at ${REGION_HEALTH_CHECKS.gateway.path} or TorchServe at ${REGION_HEALTH_CHECKS.torchserve.path}); ${domain} no longer sends traffic to ${region.name}`,
                    namespace: "AWS/Route53",
                    metricName: "HealthCheckStatus",
                    dimensions: { HealthCheckId: healthCheck.id },
                    statistic: "Minimum",
                    period: 60,
                    evaluationPeriods: 1,
                    threshold: 1,
                    comparisonOperator: "LessThanThreshold",
                    // No data means the checkers cannot report: treat it as down, not as fine.
                    treatMissingData: "breaching",
                    alarmActions: args.alarmActions ?? [],
                    okActions: args.alarmActions ?? [],
                    tags: { Name: `${host}-unhealthy` },
                },
                { ...child, aliases: formerAliases(region, (n) => `${name}-${n}-unhealthy`) },
            );

            if (role === "primary" || !latencyRegion) {
                new aws.route53.Record(
                    `${name}-${region.name}-primary`,
                    {
                        zoneId: args.zoneId,
                        name: domain,
                        type: "CNAME",
                        ttl: ROUTING_TTL_SECONDS,
                        records: [host],
                        setIdentifier: physicalRegionName(region),
                        failoverRoutingPolicies: [{ type: "PRIMARY" }],
                        healthCheckId: healthCheck.id,
                    },
                    { ...child, aliases: formerAliases(region, (n) => `${name}-${n}-primary`) },
                );
            } else {
                new aws.route53.Record(
                    `${name}-${region.name}-latency`,
                    {
                        zoneId: args.zoneId,
                        // Failover: the secondaries share a latency set under their own name.
                        name: role === "secondary" ? secondaryHost(config) : domain,
                        type: "CNAME",
                        ttl: ROUTING_TTL_SECONDS,
                        records: [host],
                        setIdentifier: physicalRegionName(region),
                        latencyRoutingPolicies: [{ region: latencyRegion }],
                        healthCheckId: healthCheck.id,
                    },
                    { ...child, aliases: formerAliases(region, (n) => `${name}-${n}-latency`) },
                );
            }
        }

        if (failover && this.routed.some((r) => r.role === "secondary")) {
            // Route 53 allows one SECONDARY per name: it is an alias to the secondaries'
            // latency set, healthy while any of them is. It names no region's resources.
            new aws.route53.Record(
                `${name}-failover-secondary`,
                {
                    zoneId: args.zoneId,
                    name: domain,
                    type: "CNAME",
                    setIdentifier: SECONDARY_LABEL,
                    failoverRoutingPolicies: [{ type: "SECONDARY" }],
                    aliases: [{ name: secondaryHost(config), zoneId: args.zoneId, evaluateTargetHealth: true }],
                },
                child,
            );
        }

        this.url = pulumi.output(globalUrl(config));
        this.regionUrls = pulumi.output(Object.fromEntries(this.routed.map((r) => [r.name, r.url])));
        this.regionEndpoints = pulumi.output(Object.fromEntries(this.routed.map((r) => [r.name, { url: r.url, cloud: r.cloud }])));
        this.healthCheckIds = pulumi.all(healthCheckIds);
        this.endpointHealthCheckIds = pulumi.all(endpointHealthCheckIds);

        this.registerOutputs({
            url: this.url,
            regionUrls: this.regionUrls,
            healthCheckIds: this.healthCheckIds,
            endpointHealthCheckIds: this.endpointHealthCheckIds,
            regionEndpoints: this.regionEndpoints,
            skippedRegions: this.skippedRegions,
            routed: this.routed,
        });
    }

    /**
     * The gateway's and TorchServe's checks on `<region>.<domain>` and the calculated check
     * that needs both. Each server can fail behind a healthy other (the Ingress routes `/ping`
     * past the gateway), so routing on either alone would keep a broken region in DNS.
     */
    private healthChecks(
        name: string,
        args: GlobalEntryArgs,
        region: RegionConfig,
        host: string,
        regional: aws.route53.Record,
    ): RegionHealthChecks {
        const ge = args.config.globalEntry;
        const child = { parent: this, provider: args.awsProvider };
        const probe = {
            fqdn: host,
            port: 443,
            // The load balancer picks the certificate by SNI; without it the handshake of a
            // multi-name listener may fail and the region look down.
            enableSni: true,
            requestInterval: ge.healthCheck.requestIntervalSeconds,
            failureThreshold: ge.healthCheck.failureThreshold,
            regions: ge.healthCheck.regions,
            measureLatency: true,
        };
        // Checking a name that does not resolve yet would only fail the region.
        const afterRecord = { ...child, dependsOn: [regional] };
        const { gateway: gatewayCheck, torchserve: torchserveCheck } = REGION_HEALTH_CHECKS;

        // `-health` and `-ping`, after the paths they request.
        const gateway = new aws.route53.HealthCheck(
            `${name}-${region.name}-health`,
            { ...probe, type: "HTTPS", resourcePath: gatewayCheck.path, tags: { Name: `${host}${gatewayCheck.path}` } },
            { ...afterRecord, aliases: formerAliases(region, (n) => `${name}-${n}-health`) },
        );
        const torchserve = new aws.route53.HealthCheck(
            `${name}-${region.name}-ping`,
            {
                ...probe,
                type: "HTTPS_STR_MATCH",
                resourcePath: torchserveCheck.path,
                searchString: torchserveCheck.searchString,
                tags: { Name: `${host}${torchserveCheck.path}` },
            },
            { ...afterRecord, aliases: formerAliases(region, (n) => `${name}-${n}-ping`) },
        );
        const children = [gateway, torchserve];
        const routing = new aws.route53.HealthCheck(
            `${name}-${region.name}-serving`,
            {
                type: "CALCULATED",
                childHealthchecks: children.map((c) => c.id),
                // Every child: a region serves only when both the gateway and TorchServe answer.
                childHealthThreshold: children.length,
                tags: { Name: host },
            },
            { ...child, aliases: formerAliases(region, (n) => `${name}-${n}-serving`) },
        );
        return { gateway, torchserve, routing };
    }

    /** `<region>.<domain>` → the region's load balancer, in the shape its cloud allows. */
    private regionalRecord(
        name: string,
        args: GlobalEntryArgs,
        region: RegionConfig,
        endpoint: ServingEndpoint,
        host: string,
    ): aws.route53.Record {
        const child = {
            parent: this,
            provider: args.awsProvider,
            aliases: formerAliases(region, (n) => `${name}-${n}-regional`),
        };
        const common = { zoneId: args.zoneId, name: host };
        const recordName = `${name}-${region.name}-regional`;
        const required = (value: pulumi.Output<string | undefined>, what: string) =>
            value.apply((v) => {
                if (!v)
                    throw new Error(
                        `GlobalEntry ${name}: the serving endpoint of ${region.name} has no ${what}; its Ingress has no load-balancer address yet`,
                    );
                return v;
            });

        if (region.cloud === "aws") {
            // The ALB's canonical hosted zone is fixed per region; alias records need it.
            const albZone = aws.lb.getHostedZoneIdOutput(
                { loadBalancerType: "application", region: region.region },
                { parent: this, provider: args.awsProvider },
            );
            return new aws.route53.Record(
                recordName,
                {
                    ...common,
                    type: "A",
                    aliases: [
                        {
                            name: required(endpoint.loadBalancerHostname, "loadBalancerHostname"),
                            zoneId: albZone.id,
                            evaluateTargetHealth: true,
                        },
                    ],
                },
                child,
            );
        }
        if (region.cloud === "gcp") {
            return new aws.route53.Record(
                recordName,
                { ...common, type: "A", ttl: REGIONAL_TTL_SECONDS, records: [required(endpoint.loadBalancerIp, "loadBalancerIp")] },
                child,
            );
        }
        // An edge cluster is routed only when it has a publicEndpoint (config.routedRegions).
        if (!region.publicEndpoint) throw new Error(`GlobalEntry ${name}: routed region ${region.name} has no publicEndpoint`);
        return new aws.route53.Record(
            recordName,
            { ...common, type: "CNAME", ttl: REGIONAL_TTL_SECONDS, records: [region.publicEndpoint] },
            child,
        );
    }
}

/** Problems with the args that config validation cannot see; every one names its key. */
function validate(args: GlobalEntryArgs, routedConfigs: RegionConfig[], roleOf: (r: RegionConfig) => RoutedRegion["role"]): string[] {
    const { config } = args;
    const ge = config.globalEntry;
    const problems: string[] = [];
    const regionIndex = new Map(config.regions.map((r, i) => [r.name, i]));

    const seen = new Set<string>();
    args.endpoints.forEach((e, i) => {
        const index = regionIndex.get(e.regionName);
        if (seen.has(e.regionName)) problems.push(`endpoints[${i}] repeats region '${e.regionName}'`);
        seen.add(e.regionName);
        if (index === undefined) {
            problems.push(
                `endpoints[${i}].regionName '${e.regionName}' is not a configured region (${config.regions.map((r) => r.name).join(", ")})`,
            );
        } else if (config.regions[index].cloud !== e.cloud) {
            problems.push(
                `endpoints[${i}].cloud is '${e.cloud}' but regions[${index}] (${e.regionName}) is on '${config.regions[index].cloud}'`,
            );
        }
    });
    for (const r of routedConfigs) {
        if (!seen.has(r.name))
            problems.push(
                `endpoints has no entry for routed region '${r.name}' (regions[${regionIndex.get(r.name)}]); pass its serving endpoint`,
            );
    }
    if (ge.routing === "failover" && ge.failoverPrimary && !seen.has(ge.failoverPrimary)) {
        problems.push(
            `globalEntry.failoverPrimary '${ge.failoverPrimary}' has no serving endpoint (endpoints: ${args.endpoints.map((e) => e.regionName).join(", ") || "none"})`,
        );
    }
    if (ge.routing === "failover" && regionIndex.has(SECONDARY_LABEL)) {
        problems.push(
            `regions[${regionIndex.get(SECONDARY_LABEL)}].name '${SECONDARY_LABEL}' is reserved in failover routing (the secondaries' latency set is ${secondaryHost(config)}); rename the region`,
        );
    }
    if (isZoneApex(config)) {
        problems.push(
            `serving.domain '${config.serving.domain}' is the apex of hosted zone '${ge.hostedZoneName}'; the global name is a CNAME set (it spans clouds) and DNS allows no CNAME at a zone apex: use a subdomain such as serve.${ge.hostedZoneName}`,
        );
    }

    // Route 53 takes one latency record per AWS region in a set.
    const byLatencyRegion = new Map<string, string>();
    for (const r of routedConfigs) {
        if (roleOf(r) === "primary") continue;
        const i = regionIndex.get(r.name);
        const latency = latencyRegionOf(r);
        if (!latency) {
            problems.push(
                `regions[${i}].region '${r.region}' names no AWS region to measure latency against; start the label with one (e.g. eu-central-1-${r.name}) or an AWS area (e.g. eu-central-${r.name})`,
            );
            continue;
        }
        const other = byLatencyRegion.get(latency);
        if (other) {
            problems.push(
                `regions[${i}] (${r.name}) and ${other} both route by latency from ${latency}; Route 53 allows one latency record per AWS region in a set: move one, or use failover routing`,
            );
        } else {
            byLatencyRegion.set(latency, `regions[${regionIndex.get(r.name)}] (${r.name})`);
        }
    }
    return problems;
}
