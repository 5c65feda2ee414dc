import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { catalog, FleetConfig, RegionConfig } from "../../config";
import { healthPaths } from "../k8s/render/traffic";

/**
 * Names and routing facts of the global entry, as pure functions: the certificates, the
 * DNS records, the docs and the tests all derive the same names from config.
 */

/** TTL of the `<domain>` answers; with a 10 s x 3 health check a client moves within about a minute. */
export const ROUTING_TTL_SECONDS = 30;

/** TTL of `<region>.<domain>` records that are not aliases (GCP static IP, edge CNAME). */
export const REGIONAL_TTL_SECONDS = 60;

/** TTL of ACM validation CNAMEs; they never change for a name in an account. */
export const VALIDATION_TTL_SECONDS = 300;

/**
 * What each region's two Route 53 endpoint checks request on `<region>.<domain>`. The paths
 * are the Ingress's own (renderIngress sends `/ping` to TorchServe's stable Service and every
 * other path to the gateway), so a check cannot drift from the routing it relies on.
 *
 * - gateway: TensorZero's readiness probe; 200 when ready, 503 when a store it needs is down.
 *   Its body lists components that differ by gateway version and config, so only the status
 *   code is judged.
 * - torchserve: `{"status": "Healthy"}` with 200 while every model has its minimum workers,
 *   500 `Unhealthy` otherwise. The string match (case-sensitive, so `Unhealthy` does not
 *   pass) also fails a 2xx from anything but TorchServe, e.g. `/ping` routed elsewhere.
 */
export const REGION_HEALTH_CHECKS = {
    gateway: { path: healthPaths.gateway },
    torchserve: { path: healthPaths.torchserve, searchString: "Healthy" },
} as const;

/**
 * In failover routing the secondaries form a latency set under `<SECONDARY_LABEL>.<domain>`;
 * a region of this name would collide with it, so failover refuses it.
 */
export const SECONDARY_LABEL = "secondary";

/**
 * Nearest AWS region to each GCP region, for Route 53 latency routing (which only knows AWS
 * regions). By distance between the data centres: Iowa → Ohio, South Carolina and Virginia
 * → N. Virginia, Oregon → Oregon, Las Vegas → N. California, Belgium → Paris, Netherlands →
 * Frankfurt, Taiwan → Hong Kong, Singapore → Singapore.
 */
export const gcpLatencyRegions: Record<string, string> = {
    "us-central1": "us-east-2",
    "us-east1": "us-east-1",
    "us-east4": "us-east-1",
    "us-west1": "us-west-2",
    "us-west4": "us-west-1",
    "europe-west1": "eu-west-3",
    "europe-west4": "eu-central-1",
    "asia-east1": "ap-east-1",
    "asia-southeast1": "ap-southeast-1",
};

/** AWS regions a latency record may name: the fleet's catalog plus the GCP neighbours above. */
const awsLatencyRegions = [...new Set([...Object.keys(catalog.awsRegionZones), ...Object.values(gcpLatencyRegions)])].sort();

/** `https://<domain>`, the one name clients use. */
export function globalUrl(config: FleetConfig): string {
    return `https://${config.serving.domain}`;
}

/** `<region>.<domain>`: each region's own name, for health checks, debugging and pinning. */
export function regionalHost(config: FleetConfig, regionName: string): string {
    return `${regionName}.${config.serving.domain}`;
}

/** The secondaries' latency set in failover routing. */
export function secondaryHost(config: FleetConfig): string {
    return `${SECONDARY_LABEL}.${config.serving.domain}`;
}

/**
 * Names a region's certificate covers: `<domain>` when the region is routed (first, so it
 * is the certificate's subject), and `<region>.<domain>` always.
 */
export function certificateHosts(config: FleetConfig, region: RegionConfig): string[] {
    const regional = regionalHost(config, region.name);
    return config.routedRegions.includes(region.name) ? [config.serving.domain, regional] : [regional];
}

/**
 * The AWS region entry that owns the ACM validation record of a name: the first AWS region
 * in config order whose certificate covers it. ACM gives every certificate of an account the
 * same CNAME for a name, so one record validates them all; see AcmValidationRecord.
 */
export function acmValidationOwner(config: FleetConfig, host: string): string | undefined {
    return config.regions.find((r) => r.cloud === "aws" && certificateHosts(config, r).includes(host))?.name;
}

/** Logical name of the shared validation record of a DNS name; it never mentions a region. */
export function acmValidationRecordName(host: string): string {
    return `acm-validation-${host.replace(/\./g, "-")}`;
}

/**
 * The AWS region Route 53 measures a region's latency against. AWS: its own region. GCP: the
 * nearest AWS region (gcpLatencyRegions). Existing clusters: their location label, read as an
 * AWS region name (`eu-central-1`), a GCP region name (`europe-west4`), or a label that starts
 * with an AWS area (`eu-central-munich` → eu-central-1, the lowest-numbered region of the area;
 * write `us-west-2-seattle` to pick another). Undefined when none of these match.
 */
export function latencyRegionOf(region: RegionConfig): string | undefined {
    if (region.cloud === "aws") return region.region;
    if (region.cloud === "gcp") return gcpLatencyRegions[region.region];
    const label = region.region.toLowerCase();
    const exact = awsLatencyRegions.find((r) => label === r || label.startsWith(`${r}-`));
    if (exact) return exact;
    if (gcpLatencyRegions[label]) return gcpLatencyRegions[label];
    return awsLatencyRegions.find((r) => label.startsWith(`${r.replace(/-[0-9]+$/, "")}-`));
}

/** True when the serving domain is the apex of the configured hosted zone name. */
export function isZoneApex(config: FleetConfig): boolean {
    const zone = config.globalEntry.hostedZoneName;
    if (!zone) return false;
    const strip = (s: string) => s.toLowerCase().replace(/\.$/, "");
    return strip(config.serving.domain) === strip(zone);
}

/**
 * The Route 53 hosted zone id of the serving domain: `globalEntry.hostedZoneId` when set,
 * else the public zone named `globalEntry.hostedZoneName`, looked up once. Call it once in
 * the program and pass the result to every RegionCertificate and to GlobalEntry.
 */
export function hostedZoneId(config: FleetConfig, awsProvider?: aws.Provider): pulumi.Output<string> {
    const ge = config.globalEntry;
    if (ge.hostedZoneId) return pulumi.output(ge.hostedZoneId);
    if (!ge.hostedZoneName) {
        throw new Error("hostedZoneId: globalEntry.hostedZoneId or globalEntry.hostedZoneName is required");
    }
    return aws.route53.getZoneOutput({ name: ge.hostedZoneName, privateZone: false }, { provider: awsProvider }).zoneId;
}
