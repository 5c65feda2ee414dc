import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../config";
import { RegionCertificate } from "../components/global/certificate";
import { acmValidationOwner, certificateHosts, latencyRegionOf } from "../components/global/dns";
import { GlobalEntry, hostedZoneId } from "../components/global/entry";
import { globalNameAuthorizations } from "../components/global/gcpDnsAuthorization";
import type { RegionCluster, RegionTls, ServingEndpoint } from "../components/types";
import type { FleetMocks, MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, stackSettings, useMocks } from "./mocks";

type Json = Record<string, unknown> & { [key: string]: Json } & Json[];

const DOMAIN = "serve.modelfleet.example.com";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ACM_CERT = "aws:acm/certificate:Certificate";
const ACM_VALIDATION = "aws:acm/certificateValidation:CertificateValidation";

/** One registration as the engine saw it: URN, parent and the URNs it depends on. */
interface Registration {
    urn: string;
    name: string;
    type: string;
    parent: string;
    dependencies: string[];
}

/** The slice of the mock monitor the wrapper needs. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
}
type RegisterCallback = (err: Error | null, response?: { getUrn(): string }) => void;
interface MonitorLike {
    registerResource(req: RegisterRequest, callback: RegisterCallback): void;
}

/** Records every registration's dependencies (the mocks only see inputs) and counts those in flight. */
function recordRegistrations(): { registrations: Registration[]; inFlight: () => number } {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const original = monitor.registerResource.bind(monitor);
    const registrations: Registration[] = [];
    let pending = 0;
    monitor.registerResource = (req, callback) => {
        pending++;
        original(req, (err, response) => {
            pending--;
            if (response) {
                registrations.push({
                    urn: response.getUrn(),
                    name: req.getName(),
                    type: req.getType(),
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                });
            }
            callback(err, response);
        });
    };
    return { registrations, inFlight: () => pending };
}

/** Waits until no registration is in flight and none has started for a while. */
async function drain(mocks: FleetMocks, inFlight: () => number): Promise<void> {
    let quiet = 0;
    let seen = -1;
    while (quiet < 10) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        const count = mocks.resources.length;
        quiet = inFlight() === 0 && count === seen ? quiet + 1 : 0;
        seen = count;
    }
}

function fakeCluster(region: RegionConfig): RegionCluster {
    const provider = new k8s.Provider(`${region.name}-k8s`, { kubeconfig: "{}" });
    const ingress: RegionCluster["ingress"] =
        region.cloud === "aws"
            ? { kind: "alb", className: "alb" }
            : region.cloud === "gcp"
              ? { kind: "gce", className: "gce" }
              : { kind: "class", className: region.ingressClass, certIssuer: region.certIssuer };
    return {
        regionName: region.name,
        cloud: region.cloud,
        location: region.region,
        clusterName: pulumi.output(`${region.name}-cluster`),
        endpoint: pulumi.output(`https://${region.name}.k8s.example.com`),
        provider,
        gpuPools: {},
        systemNodeSelector: {},
        zones: pulumi.output([]),
        workloadIdentity: { kind: "static-credentials" },
        ingress,
        monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
        readyResources: [],
    };
}

/** A region's serving endpoint as the serving stack yields it: from its Ingress's status. */
function fakeEndpoint(region: RegionConfig, cluster: RegionCluster, tls: RegionTls): ServingEndpoint {
    const annotations: Record<string, pulumi.Input<string>> = tls.kind === "acm"
        ? { "alb.ingress.kubernetes.io/certificate-arn": tls.certificateArn }
        : tls.kind === "gcp-managed"
          ? { "networking.gke.io/certmap": tls.certificateMapName }
          : {};
    const ingress = new k8s.networking.v1.Ingress(
        `${region.name}-ingress`,
        { metadata: { name: "serving", namespace: "modelfleet", annotations }, spec: { rules: [{ host: DOMAIN }] } },
        { provider: cluster.provider, dependsOn: tls.readyResources },
    );
    const first = ingress.status.apply((s) => s?.loadBalancer?.ingress?.[0]);
    return {
        regionName: region.name,
        cloud: region.cloud,
        loadBalancerHostname: region.cloud === "aws" ? first.apply((i) => i?.hostname) : pulumi.output<string | undefined>(undefined),
        loadBalancerIp: region.cloud === "gcp" ? first.apply((i) => i?.ip) : pulumi.output<string | undefined>(undefined),
    };
}

interface Fleet {
    mocks: FleetMocks;
    config: FleetConfig;
    entry: GlobalEntry;
    certificates: Record<string, RegionCertificate>;
    registrations: Registration[];
}

/** The program's wiring, in index.ts order: zone, certificates, serving (faked), global entry. */
async function buildFleet(config: FleetConfig): Promise<Fleet> {
    const mocks = await useMocks("prod");
    const { registrations, inFlight } = recordRegistrations();
    const zoneId = hostedZoneId(config);
    const certificates: Record<string, RegionCertificate> = {};
    const endpoints: ServingEndpoint[] = [];
    const gcpGlobalName = globalNameAuthorizations({ config, zoneId });
    for (const region of config.regions) {
        const cluster = fakeCluster(region);
        const globalNameAuthorization = region.cloud === "gcp" ? gcpGlobalName[region.project] : undefined;
        certificates[region.name] = new RegionCertificate(`${region.name}-tls`, {
            config,
            region,
            cluster,
            zoneId,
            globalNameAuthorization,
        });
        endpoints.push(fakeEndpoint(region, cluster, certificates[region.name].tls));
    }
    const entry = new GlobalEntry("global", { config, zoneId, endpoints });
    await promiseOf(entry.healthCheckIds);
    await drain(mocks, inFlight);
    return { mocks, config, entry, certificates, registrations };
}

function prodConfig(change?: (raw: Json) => void): FleetConfig {
    const raw = stackSettings("prod") as Json;
    change?.(raw);
    return fleetConfig(raw, "prod");
}

function named(mocks: FleetMocks, name: string): MockedResource {
    const found = mocks.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
}

function ofType(mocks: FleetMocks, type: string): MockedResource[] {
    return mocks.resources.filter((r) => r.type === type);
}

function field<T = unknown>(r: MockedResource, key: string): T {
    return r.inputs[key] as T;
}

/** Every URN a registration depends on, directly or through the resources it depends on. */
function closure(registrations: Registration[], urn: string): Set<string> {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [...(byUrn.get(urn)?.dependencies ?? [])];
    while (stack.length > 0) {
        const next = stack.pop() as string;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(byUrn.get(next)?.dependencies ?? []));
    }
    return seen;
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

describe("routing facts", () => {
    it("measures each region's latency against its nearest AWS region", () => {
        const config = prodConfig();
        const byName = Object.fromEntries(config.regions.map((r) => [r.name, latencyRegionOf(r)]));
        expect(byName).toEqual({ use1: "us-east-1", euw1: "eu-west-1", usc1: "us-east-2", "edge-muc": "eu-central-1" });
    });

    it.each([
        ["eu-central-1", "eu-central-1"],
        ["us-west-2-seattle", "us-west-2"],
        ["europe-west4", "eu-central-1"],
        ["ap-southeast-sg", "ap-southeast-1"],
        ["munich", undefined],
    ])("reads the edge location label %s as %s", (label, expected) => {
        const edge = prodConfig().regions[3];
        expect(latencyRegionOf({ ...edge, region: label })).toBe(expected);
    });

    it("gives <domain> to routed regions' certificates and a validation owner per name", () => {
        const config = prodConfig();
        expect(config.regions.map((r) => certificateHosts(config, r))).toEqual([
            [DOMAIN, `use1.${DOMAIN}`],
            [DOMAIN, `euw1.${DOMAIN}`],
            [DOMAIN, `usc1.${DOMAIN}`],
            [DOMAIN, `edge-muc.${DOMAIN}`],
        ]);
        expect(acmValidationOwner(config, DOMAIN)).toBe("use1");
        expect(acmValidationOwner(config, `euw1.${DOMAIN}`)).toBe("euw1");
        // GCP and edge names are validated by their own issuers, not ACM.
        expect(acmValidationOwner(config, `usc1.${DOMAIN}`)).toBeUndefined();
    });
});

describe("hostedZoneId", () => {
    it("looks the zone up by name once, or takes the configured id as is", async () => {
        await useMocks("prod");
        const byName = await promiseOf(hostedZoneId(prodConfig()));
        expect(byName).toMatch(/^Z[0-9A-F]{20}$/);
        const byId = prodConfig((raw) => {
            raw["globalEntry"]["hostedZoneId"] = "Z0123456789ABCDEFGHIJ" as unknown as Json;
        });
        expect(await promiseOf(hostedZoneId(byId))).toBe("Z0123456789ABCDEFGHIJ");
    });
});

describe("GlobalEntry on prod (latency routing)", () => {
    let fleet: Fleet;
    let zoneId: string;
    let ids: Record<string, string>;
    beforeAll(async () => {
        fleet = await buildFleet(prodConfig());
        zoneId = await promiseOf(hostedZoneId(fleet.config));
        ids = await promiseOf(fleet.entry.healthCheckIds);
    });
    const routed = ["use1", "euw1", "usc1", "edge-muc"];

    it("checks the gateway (/health) and TorchServe (/ping) of each routed region on its regional name, with SNI and the configured cadence", () => {
        const checks = ofType(fleet.mocks, HEALTH_CHECK);
        expect(checks.map((c) => c.name).sort()).toEqual(
            routed.flatMap((r) => [`global-${r}-health`, `global-${r}-ping`, `global-${r}-serving`]).sort(),
        );
        for (const r of routed) {
            const probe = {
                fqdn: `${r}.${DOMAIN}`,
                port: 443,
                enableSni: true,
                requestInterval: 10,
                failureThreshold: 3,
                regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
                measureLatency: true,
            };
            expect(named(fleet.mocks, `global-${r}-health`).inputs).toEqual({
                ...probe,
                type: "HTTPS",
                resourcePath: "/health",
                tags: { Name: `${r}.${DOMAIN}/health` },
            });
            expect(named(fleet.mocks, `global-${r}-ping`).inputs).toEqual({
                ...probe,
                type: "HTTPS_STR_MATCH",
                resourcePath: "/ping",
                searchString: "Healthy",
                tags: { Name: `${r}.${DOMAIN}/ping` },
            });
            // Both wait for the regional name they check.
            for (const check of [`global-${r}-health`, `global-${r}-ping`]) {
                const registration = fleet.registrations.find((x) => x.name === check);
                expect((registration?.dependencies ?? []).map(nameOfUrn)).toEqual([`global-${r}-regional`]);
            }
        }
    });

    it("combines each region's two checks in a calculated check that is healthy only while both are", async () => {
        const endpointIds = await promiseOf(fleet.entry.endpointHealthCheckIds);
        expect(Object.keys(endpointIds)).toEqual(routed);
        for (const r of routed) {
            const { gateway, torchserve } = endpointIds[r];
            expect(gateway).toMatch(new RegExp(`^global-${r}-health-[0-9a-f]{8}$`));
            expect(torchserve).toMatch(new RegExp(`^global-${r}-ping-[0-9a-f]{8}$`));
            expect(named(fleet.mocks, `global-${r}-serving`).inputs).toEqual({
                type: "CALCULATED",
                childHealthchecks: [gateway, torchserve],
                childHealthThreshold: 2,
                tags: { Name: `${r}.${DOMAIN}` },
            });
            const registration = fleet.registrations.find((x) => x.name === `global-${r}-serving`);
            expect((registration?.dependencies ?? []).map(nameOfUrn).sort()).toEqual([`global-${r}-health`, `global-${r}-ping`]);
            // The id routing and the alarm use is the calculated check's.
            expect(ids[r]).toMatch(new RegExp(`^global-${r}-serving-[0-9a-f]{8}$`));
        }
        expect(Object.keys(ids)).toEqual(routed);
    });

    it("has one latency record per routed region on <domain>, each tied to that region's calculated check", () => {
        const onDomain = ofType(fleet.mocks, RECORD).filter((r) => field(r, "name") === DOMAIN);
        expect(onDomain.map((r) => r.name).sort()).toEqual(routed.map((r) => `global-${r}-latency`).sort());
        const latencyRegion: Record<string, string> = {
            use1: "us-east-1",
            euw1: "eu-west-1",
            usc1: "us-east-2",
            "edge-muc": "eu-central-1",
        };
        for (const r of routed) {
            const record = named(fleet.mocks, `global-${r}-latency`);
            expect(record.inputs).toEqual({
                zoneId,
                name: DOMAIN,
                type: "CNAME",
                ttl: 30,
                records: [`${r}.${DOMAIN}`],
                setIdentifier: r,
                latencyRoutingPolicies: [{ region: latencyRegion[r] }],
                healthCheckId: ids[r],
            });
        }
        expect(new Set(routed.map((r) => ids[r])).size).toBe(routed.length);
    });

    it("points each regional name at its region's load balancer in the shape the cloud allows", () => {
        const use1 = named(fleet.mocks, "global-use1-regional").inputs;
        expect(use1).toMatchObject({
            zoneId,
            name: `use1.${DOMAIN}`,
            type: "A",
            aliases: [{ zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }],
        });
        expect(String((use1["aliases"] as Array<Record<string, unknown>>)[0]["name"])).toMatch(
            /^k8s-modelfle-[0-9a-f]{10}-[0-9]+\.us-east-1\.elb\.amazonaws\.com$/,
        );
        expect(named(fleet.mocks, "global-euw1-regional").inputs).toMatchObject({
            type: "A",
            aliases: [{ zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }],
        });
        const usc1 = named(fleet.mocks, "global-usc1-regional").inputs;
        expect(usc1).toMatchObject({ zoneId, name: `usc1.${DOMAIN}`, type: "A", ttl: 60 });
        expect(usc1["records"]).toEqual([expect.stringMatching(/^34\.[0-9]+\.[0-9]+\.[0-9]+$/)]);
        expect(named(fleet.mocks, "global-edge-muc-regional").inputs).toEqual({
            zoneId,
            name: `edge-muc.${DOMAIN}`,
            type: "CNAME",
            ttl: 60,
            records: ["ingress.muc.edge.modelfleet.example.com"],
        });
    });

    it("raises one CloudWatch alarm per region in us-east-1 when its calculated check fails", () => {
        const alarms = ofType(fleet.mocks, ALARM);
        expect(alarms.map((a) => a.name).sort()).toEqual(routed.map((r) => `global-${r}-unhealthy`).sort());
        expect(field(named(fleet.mocks, "global-euw1-unhealthy"), "alarmDescription")).toBe(
            `modelfleet prod: euw1.${DOMAIN} fails its Route 53 health check (the gateway at /health or TorchServe at /ping); ${DOMAIN} no longer sends traffic to euw1`,
        );
        for (const r of routed) {
            expect(named(fleet.mocks, `global-${r}-unhealthy`).inputs).toMatchObject({
                region: "us-east-1",
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: ids[r] },
                statistic: "Minimum",
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                period: 60,
                treatMissingData: "breaching",
            });
        }
    });

    it("exports the global URL, each region's URL and the health-check ids", async () => {
        expect(await promiseOf(fleet.entry.url)).toBe(`https://${DOMAIN}`);
        expect(await promiseOf(fleet.entry.regionUrls)).toEqual(Object.fromEntries(routed.map((r) => [r, `https://${r}.${DOMAIN}`])));
        expect(await promiseOf(fleet.entry.regionEndpoints)).toEqual({
            use1: { url: `https://use1.${DOMAIN}`, cloud: "aws" },
            euw1: { url: `https://euw1.${DOMAIN}`, cloud: "aws" },
            usc1: { url: `https://usc1.${DOMAIN}`, cloud: "gcp" },
            "edge-muc": { url: `https://edge-muc.${DOMAIN}`, cloud: "existing" },
        });
        expect(fleet.entry.skippedRegions).toEqual([]);
        expect(Object.keys(await promiseOf(fleet.entry.endpointHealthCheckIds))).toEqual(routed);
    });

    it("makes no region's records, health checks or alarm depend on another region's resources", () => {
        const owned = (region: string) => (name: string) => name.includes(region);
        for (const region of routed) {
            const mine = fleet.registrations.filter((r) => r.name.startsWith(`global-${region}-`));
            expect(mine.map((r) => r.name).sort()).toEqual([
                `global-${region}-health`,
                `global-${region}-latency`,
                `global-${region}-ping`,
                `global-${region}-regional`,
                `global-${region}-serving`,
                `global-${region}-unhealthy`,
            ]);
            for (const reg of mine) {
                const deps = [...closure(fleet.registrations, reg.urn)].map(nameOfUrn);
                const foreign = deps.filter((d) => routed.some((other) => other !== region && owned(other)(d)));
                expect({ resource: reg.name, foreign }).toEqual({ resource: reg.name, foreign: [] });
            }
        }
        // The walk sees real edges: the alarm reaches the Ingress through the checks and the record.
        const alarm = fleet.registrations.find((r) => r.name === "global-use1-unhealthy");
        const reach = [...closure(fleet.registrations, alarm?.urn ?? "")].map(nameOfUrn);
        expect(reach).toEqual(
            expect.arrayContaining([
                "global-use1-serving",
                "global-use1-health",
                "global-use1-ping",
                "global-use1-regional",
                "use1-ingress",
            ]),
        );
    });

    it("keeps each region's certificate validation free of other regions' resources", () => {
        for (const region of ["use1", "euw1"]) {
            const validation = fleet.registrations.find((r) => r.name === `${region}-tls-validation`);
            const deps = [...closure(fleet.registrations, validation?.urn ?? "")].map(nameOfUrn);
            expect(deps).toContain(`${region}-tls-cert`);
            expect(deps.filter((d) => routed.some((other) => other !== region && d.includes(other)))).toEqual([]);
        }
    });
});

describe("certificates on prod", () => {
    let fleet: Fleet;
    beforeAll(async () => {
        fleet = await buildFleet(prodConfig());
    });

    it("requests an ACM certificate per AWS region for <domain> and <region>.<domain>, DNS-validated in that region", () => {
        for (const [region, awsRegion] of [
            ["use1", "us-east-1"],
            ["euw1", "eu-west-1"],
        ]) {
            expect(named(fleet.mocks, `${region}-tls-cert`).inputs).toMatchObject({
                region: awsRegion,
                domainName: DOMAIN,
                subjectAlternativeNames: [`${region}.${DOMAIN}`],
                validationMethod: "DNS",
            });
            expect(named(fleet.mocks, `${region}-tls-validation`).inputs).toMatchObject({ region: awsRegion });
        }
        expect(ofType(fleet.mocks, ACM_CERT)).toHaveLength(2);
        expect(ofType(fleet.mocks, ACM_VALIDATION)).toHaveLength(2);
    });

    it("writes one validation record per distinct name and awaits validation of every name on each certificate", async () => {
        const zoneId = await promiseOf(hostedZoneId(fleet.config));
        const validationRecords = ofType(fleet.mocks, RECORD).filter((r) => r.name.startsWith("acm-validation-"));
        expect(validationRecords.map((r) => r.name).sort()).toEqual([
            "acm-validation-euw1-serve-modelfleet-example-com-cname",
            "acm-validation-serve-modelfleet-example-com-cname",
            "acm-validation-use1-serve-modelfleet-example-com-cname",
        ]);
        const recordNames = new Set(validationRecords.map((r) => field<string>(r, "name")));
        expect(recordNames.size).toBe(3);
        for (const r of validationRecords) {
            expect(r.inputs).toMatchObject({ zoneId, type: "CNAME", ttl: 300, allowOverwrite: true });
            expect(field<string[]>(r, "records")[0]).toMatch(/\.acm-validations\.aws\.$/);
        }
        for (const region of ["use1", "euw1"]) {
            const fqdns = field<string[]>(named(fleet.mocks, `${region}-tls-validation`), "validationRecordFqdns");
            expect(fqdns).toHaveLength(2);
            for (const fqdn of fqdns) expect(recordNames.has(fqdn)).toBe(true);
        }
        // The shared record has no region in its identity: it belongs to the stack, not to use1.
        const shared = fleet.registrations.find((r) => r.name === "acm-validation-serve-modelfleet-example-com-cname");
        expect(shared?.urn).toBe(
            "urn:pulumi:prod::modelfleet::modelfleet:global:AcmValidationRecord$aws:route53/record:Record::acm-validation-serve-modelfleet-example-com-cname",
        );
        expect(fleet.registrations.find((r) => r.name === "acm-validation-serve-modelfleet-example-com")?.parent).toBe("");
    });

    it("hands the Ingress the ARN from the validation, so the load balancer waits for issuance", async () => {
        const tls = fleet.certificates["use1"].tls;
        if (tls.kind !== "acm") throw new Error("use1 should have ACM TLS");
        expect(tls.hosts).toEqual([DOMAIN, `use1.${DOMAIN}`]);
        expect(await promiseOf(tls.certificateArn)).toMatch(/^arn:aws:acm:us-east-1:111122223333:certificate\//);
        const ingress = fleet.registrations.find((r) => r.name === "use1-ingress");
        expect((ingress?.dependencies ?? []).map(nameOfUrn)).toContain("use1-tls-validation");
    });

    it("issues GCP's certificate for both names by DNS authorization, with CNAMEs in the Route 53 zone", async () => {
        const regionalAuth = named(fleet.mocks, "usc1-tls-regional-auth-auth");
        expect(regionalAuth.inputs).toEqual({
            project: "modelfleet-prod",
            location: "global",
            domain: `usc1.${DOMAIN}`,
            type: "PER_PROJECT_RECORD",
            description: `modelfleet: usc1.${DOMAIN}`,
        });
        // <domain> is authorized once for the project, by a resource that names no region.
        const globalAuth = named(fleet.mocks, "gcp-modelfleet-prod-global-name-auth");
        expect(globalAuth.inputs).toMatchObject({ project: "modelfleet-prod", domain: DOMAIN, type: "PER_PROJECT_RECORD" });
        expect(fleet.registrations.find((r) => r.name === "gcp-modelfleet-prod-global-name")?.parent).toBe("");
        // Each CNAME is the one Certificate Manager asked for, in the fleet's zone.
        for (const [record, domain] of [
            ["usc1-tls-regional-auth-cname", `usc1.${DOMAIN}`],
            ["gcp-modelfleet-prod-global-name-cname", DOMAIN],
        ]) {
            const inputs = named(fleet.mocks, record).inputs;
            expect(inputs["type"]).toBe("CNAME");
            expect(String(inputs["name"]).startsWith("_acme-challenge_")).toBe(true);
            expect(String(inputs["name"]).endsWith(`.${domain}.`)).toBe(true);
            expect(String((inputs["records"] as string[])[0]).endsWith(".authorize.certificatemanager.goog.")).toBe(true);
        }

        // One certificate for both names, authorized by DNS (no load-balancer authorization,
        // which fails while <domain> resolves to another cloud), waiting for both CNAMEs.
        const certificate = named(fleet.mocks, "usc1-tls-cert");
        expect(certificate.type).toBe("gcp:certificatemanager/certificate:Certificate");
        expect(certificate.inputs).toMatchObject({
            project: "modelfleet-prod",
            scope: "DEFAULT",
            managed: { domains: [DOMAIN, `usc1.${DOMAIN}`] },
        });
        const authIds = (certificate.inputs["managed"] as { dnsAuthorizations: string[] }).dnsAuthorizations;
        expect(authIds).toHaveLength(2);
        expect(authIds[0]).toMatch(/^gcp-modelfleet-prod-global-name-auth-/);
        expect(authIds[1]).toMatch(/^usc1-tls-regional-auth-auth-/);
        const certDeps = (fleet.registrations.find((r) => r.name === "usc1-tls-cert")?.dependencies ?? []).map(nameOfUrn);
        expect(certDeps).toEqual(expect.arrayContaining(["usc1-tls-regional-auth-cname", "gcp-modelfleet-prod-global-name-cname"]));
        expect(ofType(fleet.mocks, "gcp:compute/managedSslCertificate:ManagedSslCertificate")).toEqual([]);

        // The map serves it for each name by SNI and to clients that send none.
        const entries = ofType(fleet.mocks, "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry").map((e) => [
            e.name,
            e.inputs["hostname"] ?? e.inputs["matcher"],
        ]);
        expect(entries).toEqual([
            ["usc1-tls-cert-map-global", DOMAIN],
            ["usc1-tls-cert-map-regional", `usc1.${DOMAIN}`],
            ["usc1-tls-cert-map-primary", "PRIMARY"],
        ]);
        expect(named(fleet.mocks, "usc1-tls-ip").inputs).toMatchObject({
            project: "modelfleet-prod",
            addressType: "EXTERNAL",
            ipVersion: "IPV4",
        });
        expect(named(fleet.mocks, "usc1-tls-ssl-policy").inputs).toMatchObject({
            project: "modelfleet-prod",
            minTlsVersion: "TLS_1_2",
            profile: "MODERN",
        });
        const tls = fleet.certificates["usc1"].tls;
        if (tls.kind !== "gcp-managed") throw new Error("usc1 should have Google-managed TLS");
        expect(await promiseOf(tls.certificateMapName)).toMatch(/^usc1-tls-cert-map-[0-9a-f]{7}$/);
        expect(await promiseOf(tls.staticIpName)).toMatch(/^usc1-tls-ip-[0-9a-f]{7}$/);
        expect(await promiseOf(tls.sslPolicyName)).toMatch(/^usc1-tls-ssl-policy-[0-9a-f]{7}$/);
        // The regional A record points at the same address the Ingress is pinned to.
        expect(field<string[]>(named(fleet.mocks, "global-usc1-regional"), "records")).toHaveLength(1);
    });

    it("hands the edge cluster's serving stack both names, the issuer and its Route 53 key, and makes nothing in the cluster itself", async () => {
        const tls = fleet.certificates["edge-muc"].tls;
        if (tls.kind !== "cert-manager" || !tls.acme) throw new Error("edge-muc should have a program-made ACME issuer");
        expect(tls).toMatchObject({
            kind: "cert-manager",
            hosts: [DOMAIN, `edge-muc.${DOMAIN}`],
            secretName: "serving-tls",
            issuer: { name: "modelfleet-acme", kind: "Issuer" },
            certificateAliases: [{ name: "edge-muc-tls-certificate", parent: fleet.certificates["edge-muc"] }],
        });
        expect(tls.acme.issuer).toMatchObject({ name: "modelfleet-acme", email: "platform@modelfleet.example.com", hosts: tls.hosts });
        expect(await pulumi.isSecret(tls.acme.secretAccessKey)).toBe(true);
        const inEdge = fleet.registrations.filter((r) => r.urn.includes("RegionCertificate") && r.name.startsWith("edge-muc"));
        expect(inEdge.map((r) => r.name).sort()).toEqual([
            "edge-muc-tls",
            "edge-muc-tls-acme-dns01",
            "edge-muc-tls-acme-key",
            "edge-muc-tls-acme-user",
        ]);
        expect(inEdge.every((r) => r.type === "modelfleet:global:RegionCertificate" || r.type.startsWith("aws:iam/"))).toBe(true);
    });

    it("hands an edge cluster with its own issuer just its name and kind", () => {
        const config = prodConfig((raw) => {
            const regions = raw["regions"] as unknown as Array<Record<string, unknown>>;
            regions[3]["certIssuer"] = { name: "letsencrypt-prod" };
        });
        const region = config.regions[3];
        const certificate = new RegionCertificate("edge-muc-tls", { config, region, cluster: fakeCluster(region), zoneId: "Z1" });
        expect(certificate.tls).toEqual({
            kind: "cert-manager",
            hosts: [DOMAIN, `edge-muc.${DOMAIN}`],
            secretName: "serving-tls",
            issuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" },
            readyResources: [],
            certificateAliases: [{ name: "edge-muc-tls-certificate", parent: certificate }],
        });
    });
});

describe("failover routing", () => {
    let fleet: Fleet;
    let ids: Record<string, string>;
    beforeAll(async () => {
        fleet = await buildFleet(
            prodConfig((raw) => {
                raw["globalEntry"]["routing"] = "failover" as unknown as Json;
                raw["globalEntry"]["failoverPrimary"] = "use1" as unknown as Json;
            }),
        );
        ids = await promiseOf(fleet.entry.healthCheckIds);
    });

    it("answers <domain> with one PRIMARY (the primary region) and one SECONDARY (the secondaries' latency set)", () => {
        const onDomain = ofType(fleet.mocks, RECORD).filter((r) => field(r, "name") === DOMAIN);
        expect(onDomain.map((r) => r.name).sort()).toEqual(["global-failover-secondary", "global-use1-primary"]);
        expect(named(fleet.mocks, "global-use1-primary").inputs).toMatchObject({
            type: "CNAME",
            records: [`use1.${DOMAIN}`],
            setIdentifier: "use1",
            failoverRoutingPolicies: [{ type: "PRIMARY" }],
            healthCheckId: ids["use1"],
        });
        const secondary = named(fleet.mocks, "global-failover-secondary").inputs;
        expect(secondary).toMatchObject({
            type: "CNAME",
            setIdentifier: "secondary",
            failoverRoutingPolicies: [{ type: "SECONDARY" }],
            aliases: [{ name: `secondary.${DOMAIN}`, evaluateTargetHealth: true }],
        });
        expect(secondary["records"]).toBeUndefined();
    });

    it("routes the secondaries by latency under their own name, each with its calculated check", () => {
        const set = ofType(fleet.mocks, RECORD).filter((r) => field(r, "name") === `secondary.${DOMAIN}`);
        expect(set.map((r) => r.name).sort()).toEqual(["global-edge-muc-latency", "global-euw1-latency", "global-usc1-latency"]);
        for (const r of set) {
            const region = String(field(r, "setIdentifier"));
            expect(r.inputs).toMatchObject({ type: "CNAME", records: [`${region}.${DOMAIN}`], healthCheckId: ids[region] });
            expect(field<unknown[]>(r, "latencyRoutingPolicies")).toHaveLength(1);
        }
        expect(ofType(fleet.mocks, HEALTH_CHECK)).toHaveLength(12);
        for (const [region, id] of Object.entries(ids)) expect(id).toMatch(new RegExp(`^global-${region}-serving-`));
        expect(fleet.entry.routed.map((r) => [r.name, r.role])).toEqual([
            ["use1", "primary"],
            ["euw1", "secondary"],
            ["usc1", "secondary"],
            ["edge-muc", "secondary"],
        ]);
    });
});

describe("changing the set of regions", () => {
    it("removing a region removes exactly its records, three health checks, alarm and certificate", async () => {
        const before = await buildFleet(prodConfig());
        const withoutEuw1 = prodConfig((raw) => {
            const regions = raw["regions"] as unknown as Array<Record<string, unknown>>;
            raw["regions"] = regions.filter((r) => r["name"] !== "euw1") as unknown as Json;
            (regions.find((r) => r["name"] === "edge-muc") as Record<string, unknown>)["modelStoreSource"] = "use1";
        });
        const after = await buildFleet(withoutEuw1);

        const names = (f: Fleet) => new Set(f.mocks.resources.map((r) => r.name));
        const [a, b] = [names(before), names(after)];
        const removed = [...a].filter((n) => !b.has(n)).sort();
        const added = [...b].filter((n) => !a.has(n));
        expect(added).toEqual([]);
        expect(removed).toEqual([...a].filter((n) => n.includes("euw1")).sort());
        expect(removed.filter((n) => n.startsWith("global-"))).toEqual([
            "global-euw1-health",
            "global-euw1-latency",
            "global-euw1-ping",
            "global-euw1-regional",
            "global-euw1-serving",
            "global-euw1-unhealthy",
        ]);
        expect(removed).toEqual(
            expect.arrayContaining(["euw1-tls-cert", "euw1-tls-validation", "acm-validation-euw1-serve-modelfleet-example-com-cname"]),
        );
        // Everything that stays is registered with the same inputs: no other region is touched.
        for (const name of b) {
            const [x, y] = [named(before.mocks, name), named(after.mocks, name)];
            expect({ name, inputs: y.inputs }).toEqual({ name, inputs: x.inputs });
        }
    });

    it("keeps the shared <domain> validation record when the region that wrote it leaves", async () => {
        const withoutUse1 = prodConfig((raw) => {
            const regions = raw["regions"] as unknown as Array<Record<string, unknown>>;
            raw["regions"] = regions.filter((r) => r["name"] !== "use1") as unknown as Json;
            raw["modelStore"]["primaryRegion"] = "euw1" as unknown as Json;
        });
        expect(acmValidationOwner(withoutUse1, DOMAIN)).toBe("euw1");
        const fleet = await buildFleet(withoutUse1);
        const shared = fleet.registrations.find((r) => r.name === "acm-validation-serve-modelfleet-example-com-cname");
        // Same URN as when use1 wrote it: the engine updates nothing and deletes nothing.
        expect(shared?.urn).toBe(
            "urn:pulumi:prod::modelfleet::modelfleet:global:AcmValidationRecord$aws:route53/record:Record::acm-validation-serve-modelfleet-example-com-cname",
        );
        expect(ofType(fleet.mocks, RECORD).filter((r) => r.name.startsWith("acm-validation-"))).toHaveLength(2);
    });

    it("leaves an edge cluster without a publicEndpoint out of routing and says why", async () => {
        const config = prodConfig((raw) => {
            delete (raw["regions"][3] as Record<string, unknown>)["publicEndpoint"];
        });
        const fleet = await buildFleet(config);
        expect(fleet.entry.skippedRegions).toEqual([
            "edge-muc: existing cluster without a publicEndpoint, left out of global routing (set regions[3].publicEndpoint to route it)",
        ]);
        expect(fleet.mocks.resources.filter((r) => r.name.startsWith("global-edge-muc"))).toEqual([]);
        expect(Object.keys(await promiseOf(fleet.entry.healthCheckIds))).toEqual(["use1", "euw1", "usc1"]);
        expect(fleet.certificates["edge-muc"].hosts).toEqual([`edge-muc.${DOMAIN}`]);
    });

    it("leaves a cloud region with globalRouting off out of routing and says why", async () => {
        const config = prodConfig((raw) => {
            (raw["regions"][2] as Record<string, unknown>)["globalRouting"] = false;
        });
        const fleet = await buildFleet(config);
        expect(fleet.entry.skippedRegions).toEqual([
            "usc1: regions[2].globalRouting is false, left out of global routing (set it to true to route it)",
        ]);
        expect(fleet.mocks.resources.filter((r) => r.name.startsWith("global-usc1"))).toEqual([]);
        expect(Object.keys(await promiseOf(fleet.entry.healthCheckIds))).toEqual(["use1", "euw1", "edge-muc"]);
    });
});

describe("bad arguments", () => {
    beforeEach(async () => {
        await useMocks("prod");
    });

    const endpointsFor = (config: FleetConfig, skip: string[] = []): ServingEndpoint[] =>
        config.regions
            .filter((r) => !skip.includes(r.name))
            .map((r) => ({
                regionName: r.name,
                cloud: r.cloud,
                loadBalancerHostname: pulumi.output<string | undefined>("lb.example.com"),
                loadBalancerIp: pulumi.output<string | undefined>("34.1.2.3"),
            }));

    it("refuses a routed region with no endpoint, naming the region and its key", () => {
        const config = prodConfig();
        expect(() => new GlobalEntry("global", { config, zoneId: "Z1", endpoints: endpointsFor(config, ["euw1"]) })).toThrow(
            new Error("GlobalEntry global: endpoints has no entry for routed region 'euw1' (regions[1]); pass its serving endpoint"),
        );
    });

    it("refuses a failover primary that has no endpoint, with every other problem in the same error", () => {
        const config = prodConfig((raw) => {
            raw["globalEntry"]["routing"] = "failover" as unknown as Json;
            raw["globalEntry"]["failoverPrimary"] = "usc1" as unknown as Json;
        });
        expect(() => new GlobalEntry("global", { config, zoneId: "Z1", endpoints: endpointsFor(config, ["usc1"]) })).toThrow(
            new Error(
                "GlobalEntry global: endpoints has no entry for routed region 'usc1' (regions[2]); pass its serving endpoint; " +
                    "globalEntry.failoverPrimary 'usc1' has no serving endpoint (endpoints: use1, euw1, edge-muc)",
            ),
        );
    });

    it("refuses endpoints for unknown regions, repeated regions and the wrong cloud", () => {
        const config = prodConfig();
        const endpoints = endpointsFor(config);
        endpoints.push({ ...endpoints[0] }, { ...endpoints[0], regionName: "apse1" });
        endpoints[1] = { ...endpoints[1], cloud: "gcp" };
        expect(() => new GlobalEntry("global", { config, zoneId: "Z1", endpoints })).toThrow(
            new Error(
                "GlobalEntry global: endpoints[1].cloud is 'gcp' but regions[1] (euw1) is on 'aws'; " +
                    "endpoints[4] repeats region 'use1'; " +
                    "endpoints[5].regionName 'apse1' is not a configured region (use1, euw1, usc1, edge-muc)",
            ),
        );
    });

    it("refuses two regions that Route 53 would measure from the same AWS region, and an edge label it cannot place", () => {
        const clash = prodConfig((raw) => {
            (raw["regions"][3] as Record<string, unknown>)["region"] = "us-east-ashburn";
        });
        expect(() => new GlobalEntry("global", { config: clash, zoneId: "Z1", endpoints: endpointsFor(clash) })).toThrow(
            new Error(
                "GlobalEntry global: regions[3] (edge-muc) and regions[0] (use1) both route by latency from us-east-1; Route 53 allows one latency record per AWS region in a set: move one, or use failover routing",
            ),
        );
        const nowhere = prodConfig((raw) => {
            (raw["regions"][3] as Record<string, unknown>)["region"] = "munich";
        });
        expect(() => new GlobalEntry("global", { config: nowhere, zoneId: "Z1", endpoints: endpointsFor(nowhere) })).toThrow(
            new Error(
                "GlobalEntry global: regions[3].region 'munich' names no AWS region to measure latency against; start the label with one (e.g. eu-central-1-edge-muc) or an AWS area (e.g. eu-central-edge-muc)",
            ),
        );
    });

    it("refuses a serving domain at the zone apex, where the CNAME set cannot live", () => {
        const config = prodConfig((raw) => {
            raw["serving"]["domain"] = "modelfleet.example.com" as unknown as Json;
        });
        expect(() => new GlobalEntry("global", { config, zoneId: "Z1", endpoints: endpointsFor(config) })).toThrow(
            new Error(
                "GlobalEntry global: serving.domain 'modelfleet.example.com' is the apex of hosted zone 'modelfleet.example.com'; the global name is a CNAME set (it spans clouds) and DNS allows no CNAME at a zone apex: use a subdomain such as serve.modelfleet.example.com",
            ),
        );
    });

    it("refuses a routed GCP region's certificate without the project's authorization of the global name", () => {
        const config = prodConfig();
        const region = config.regions[2];
        expect(() => new RegionCertificate("usc1-tls", { config, region, cluster: fakeCluster(region), zoneId: "Z1" })).toThrow(
            new Error(
                `RegionCertificate usc1-tls: globalNameAuthorization is required: region usc1 is routed, so its certificate covers ${DOMAIN}`,
            ),
        );
    });

    it("refuses a certificate for a cluster of another region", () => {
        const config = prodConfig();
        const cluster = fakeCluster(config.regions[1]);
        expect(() => new RegionCertificate("use1-tls", { config, region: config.regions[0], cluster, zoneId: "Z1" })).toThrow(
            new Error("RegionCertificate use1-tls: cluster.regionName is 'euw1' but region.name is 'use1'"),
        );
    });
});
