import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { FleetConfig } from "../config";
import { ConfigError } from "../config/errors";
import { MODEL_STORE_APIS, ProjectApis, REGION_APIS } from "../components/gcp/apis";
import { gkeKubeconfig } from "../components/gcp/kubeconfig";
import { gcpName, nodePoolName } from "../components/gcp/names";
import { GcpRegion, type GcpRegionConfig } from "../components/gcp/region";
import { gcpRegionProblems } from "../components/gcp/validate";
import type { FleetMocks, MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";

type Json = Record<string, unknown>;

const NETWORK = "gcp:compute/network:Network";
const SUBNETWORK = "gcp:compute/subnetwork:Subnetwork";
const ROUTER = "gcp:compute/router:Router";
const NAT = "gcp:compute/routerNat:RouterNat";
const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const ACCOUNT = "gcp:serviceaccount/account:Account";
/** The least-privilege roles of a GKE node's service account, sorted. */
const NODE_ROLES = [
    "roles/artifactregistry.reader",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
];
const IAM_MEMBER = "gcp:projects/iAMMember:IAMMember";
const SERVICE = "gcp:projects/service:Service";
const K8S_PROVIDER = "pulumi:providers:kubernetes";

/** The GCP entry of the prod stack, at regions[2]. */
const GCP_INDEX = 2;

function prodRaw(change?: (region: Json, raw: Json) => void): Json {
    const raw = stackSettings("prod");
    change?.((raw["regions"] as Json[])[GCP_INDEX], raw);
    return raw;
}

function gcpRegionOf(config: FleetConfig): GcpRegionConfig {
    const region = config.regions[GCP_INDEX];
    if (region.cloud !== "gcp") throw new Error("regions[2] of Pulumi.prod.yaml is expected to be the GCP region");
    return region;
}

interface Built {
    mocks: FleetMocks;
    region: GcpRegion;
    providerUrn: string;
    /** Options each resource was registered with, by resource name. */
    opts: Map<string, pulumi.CustomResourceOptions>;
}

/** Builds the prod GCP region (plus a spot T4 pool) under fresh mocks, recording every child's options. */
async function build(config: FleetConfig): Promise<Built> {
    const mocks = await useMocks("prod");
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const record: pulumi.ResourceTransformation = (args) => {
        opts.set(args.name, args.opts);
        return undefined;
    };
    const provider = new gcp.Provider("gcp-modelfleet-prod", { project: "modelfleet-prod" });
    const region = new GcpRegion("usc1", { region: gcpRegionOf(config), config, provider }, { transformations: [record] });
    await promiseOf(region.cluster.endpoint);
    await settle();
    return { mocks, region, providerUrn: await promiseOf(provider.urn), opts };
}

/** The options a resource was registered with; throws when it was never registered. */
function optsOf(built: Built, name: string): pulumi.CustomResourceOptions {
    const found = built.opts.get(name);
    if (!found) throw new Error(`no resource named ${name} was registered`);
    return found;
}

function one(mocks: FleetMocks, type: string, name?: string): MockedResource {
    const found = mocks.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1)
        throw new Error(
            `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
    return found[0];
}

function at<T = unknown>(r: MockedResource, ...path: Array<string | number>): T {
    let value: unknown = r.inputs;
    for (const key of path) value = (value as Record<string | number, unknown>)[key];
    return value as T;
}

function withSpotPool(region: Json): void {
    (region["gpuPools"] as Json[]).push({
        name: "t4-spot",
        machineType: "n1-standard-8",
        acceleratorCount: 2,
        capacity: "spot",
        minNodes: 0,
        maxNodes: 3,
        diskSizeGb: 100,
    });
}

describe("GCP region in prod", () => {
    let built: Built;
    let mocks: FleetMocks;
    beforeAll(async () => {
        built = await build(fleetConfig(prodRaw(withSpotPool), "prod"));
        mocks = built.mocks;
    });

    it("puts every GCP resource in the region's project through the project's provider", () => {
        const gcpResources = mocks.resources.filter((r) => r.custom && r.type.startsWith("gcp:"));
        expect(gcpResources.length).toBeGreaterThanOrEqual(12);
        for (const r of gcpResources) {
            // A service account's IAM binding takes its project from the account it names.
            const project =
                r.type === "gcp:serviceaccount/iAMMember:IAMMember"
                    ? String(r.inputs["serviceAccountId"]).split("/")[1]
                    : r.inputs["project"];
            expect({ name: r.name, project }).toEqual({ name: r.name, project: "modelfleet-prod" });
            expect({ name: r.name, provider: r.provider?.split("::").slice(0, 4).join("::") }).toEqual({
                name: r.name,
                provider: built.providerUrn,
            });
        }
    });

    it("builds a custom-mode network with pod and Service secondary ranges and Cloud NAT", () => {
        expect(one(mocks, NETWORK).inputs).toMatchObject({
            name: "modelfleet-prod-usc1",
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
        });
        const subnet = one(mocks, SUBNETWORK);
        expect(subnet.inputs).toMatchObject({
            name: "modelfleet-prod-usc1-nodes",
            region: "us-central1",
            ipCidrRange: "10.30.0.0/20",
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: "10.32.0.0/14" },
                { rangeName: "services", ipCidrRange: "10.36.0.0/20" },
            ],
        });
        expect(at(subnet, "logConfig")).toMatchObject({ aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5 });
        expect(one(mocks, ROUTER).inputs).toMatchObject({ region: "us-central1", name: "modelfleet-prod-usc1-router" });
        expect(one(mocks, NAT).inputs).toMatchObject({
            region: "us-central1",
            router: "modelfleet-prod-usc1-router",
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        });
    });

    it("makes a private, regional, VPC-native cluster with Workload Identity, Dataplane V2 and shielded nodes", async () => {
        const cluster = one(mocks, CLUSTER);
        expect(cluster.inputs).toMatchObject({
            name: "modelfleet-prod-usc1",
            location: "us-central1",
            nodeLocations: ["us-central1-a", "us-central1-b", "us-central1-c"],
            releaseChannel: { channel: "REGULAR" },
            workloadIdentityConfig: { workloadPool: "modelfleet-prod.svc.id.goog" },
            enableShieldedNodes: true,
            datapathProvider: "ADVANCED_DATAPATH",
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
            masterAuthorizedNetworksConfig: {
                cidrBlocks: [{ displayName: "platform-vpn", cidrBlock: "203.0.113.0/24" }],
                gcpPublicCidrsAccessEnabled: false,
            },
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            addonsConfig: { httpLoadBalancing: { disabled: false } },
        });
        expect(at(cluster, "network")).toBe(await promiseOf(built.region.network.network.selfLink));
        expect(at(cluster, "subnetwork")).toBe(await promiseOf(built.region.network.subnetwork.selfLink));
        expect(at(cluster, "network")).toEqual(expect.stringMatching(/.+/));
        expect(at<string[]>(cluster, "monitoringConfig", "enableComponents")).toEqual([
            "SYSTEM_COMPONENTS",
            "DCGM",
            "POD",
            "DEPLOYMENT",
            "HPA",
        ]);
    });

    it("protects the prod cluster twice: GKE deletion protection and Pulumi protect", () => {
        const cluster = one(mocks, CLUSTER);
        expect(at(cluster, "deletionProtection")).toBe(true);
        expect(built.opts.get(cluster.name)?.protect).toBe(true);
    });

    it("runs nodes as a service account holding only the five node roles", () => {
        const account = mocks.ofType(ACCOUNT).find((a) => at(a, "accountId") === "prod-usc1-nodes");
        expect(account).toBeDefined();
        const members = mocks.ofType(IAM_MEMBER).filter((m) => !m.name.includes("metrics-adapter"));
        expect(members.map((m) => at(m, "role")).sort()).toEqual(NODE_ROLES);
        for (const m of members) expect(at(m, "member")).toBe("serviceAccount:prod-usc1-nodes@modelfleet-prod.iam.gserviceaccount.com");
        for (const pool of mocks.ofType(NODE_POOL)) {
            expect(at(pool, "nodeConfig", "serviceAccount")).toBe("prod-usc1-nodes@modelfleet-prod.iam.gserviceaccount.com");
            expect(at(pool, "nodeConfig", "oauthScopes")).toEqual(["https://www.googleapis.com/auth/cloud-platform"]);
        }
    });

    it("boots the transient default pool as the node account, hardened, and never diffs it afterwards", () => {
        const cluster = one(mocks, CLUSTER);
        expect(at(cluster, "nodeConfig")).toEqual({
            imageType: "COS_CONTAINERD",
            serviceAccount: "prod-usc1-nodes@modelfleet-prod.iam.gserviceaccount.com",
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            metadata: { "disable-legacy-endpoints": "true" },
            resourceLabels: { "modelfleet-stack": "prod", "modelfleet-region": "usc1" },
        });
        const clusterOpts = optsOf(built, cluster.name);
        expect(clusterOpts.ignoreChanges).toEqual(["nodeConfig"]);
        const dependsOn = (clusterOpts.dependsOn ?? []) as pulumi.Resource[];
        for (const role of built.region.gke.nodeRoles) expect(dependsOn).toContain(role);
    });

    it("hardens every node pool: shielded boot, GKE metadata server, auto-repair and auto-upgrade", () => {
        const pools = mocks.ofType(NODE_POOL);
        expect(pools).toHaveLength(3);
        for (const pool of pools) {
            expect(pool.inputs).toMatchObject({
                location: "us-central1",
                cluster: "modelfleet-prod-usc1",
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
                nodeConfig: {
                    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                    workloadMetadataConfig: { mode: "GKE_METADATA" },
                    metadata: { "disable-legacy-endpoints": "true" },
                },
            });
        }
    });

    it("sizes the system pool in totals across its zones and waits for the node roles", () => {
        const system = one(mocks, NODE_POOL, "usc1-cluster-system");
        expect(system.inputs).toMatchObject({
            nodeLocations: ["us-central1-a", "us-central1-b", "us-central1-c"],
            initialNodeCount: 1,
            autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: "BALANCED" },
            nodeConfig: { machineType: "e2-standard-4", diskType: "pd-balanced", labels: { "modelfleet.io/pool": "system" } },
        });
        expect(at(system, "nodeConfig", "taints")).toBeUndefined();
        const dependsOn = (built.opts.get(system.name)?.dependsOn ?? []) as pulumi.Resource[];
        expect(dependsOn).toEqual(built.region.gke.nodeRoles);
    });

    it("gives the L4 pool its accelerator with GKE-installed drivers, taint, labels, zones and on-demand autoscaling", () => {
        const l4 = one(mocks, NODE_POOL, "usc1-gpu-l4-pool");
        expect(l4.inputs).toMatchObject({
            nodeLocations: ["us-central1-a", "us-central1-c"],
            initialNodeCount: 1,
            autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 8, locationPolicy: "BALANCED" },
            nodeConfig: {
                machineType: "g2-standard-8",
                guestAccelerators: [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }],
                taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
                labels: { "modelfleet.io/pool": "l4", "modelfleet.io/accelerator": "nvidia-l4" },
                spot: false,
                diskSizeGb: 200,
                diskType: "pd-ssd",
            },
        });
        expect(at<string>(l4, "name")).toMatch(/^gpu-l4-[0-9a-f]{6}$/);
    });

    it("makes a spot pool spot, with the count it asked for and the ANY location policy", () => {
        const t4 = one(mocks, NODE_POOL, "usc1-gpu-t4-spot-pool");
        expect(t4.inputs).toMatchObject({
            nodeLocations: ["us-central1-a", "us-central1-b", "us-central1-c"],
            initialNodeCount: 0,
            autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 3, locationPolicy: "ANY" },
            nodeConfig: {
                machineType: "n1-standard-8",
                guestAccelerators: [{ type: "nvidia-tesla-t4", count: 2, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }],
                labels: { "modelfleet.io/pool": "t4-spot", "modelfleet.io/accelerator": "nvidia-t4" },
                spot: true,
                diskSizeGb: 100,
            },
        });
    });

    it("creates GPU pools after the system pool and the node roles", () => {
        for (const pool of built.region.gpuPools) {
            const dependsOn = (built.opts.get(`usc1-gpu-${pool.placement.name}-pool`)?.dependsOn ?? []) as pulumi.Resource[];
            expect(dependsOn).toContain(built.region.gke.systemPool);
            for (const role of built.region.gke.nodeRoles) expect(dependsOn).toContain(role);
        }
    });

    it("yields the common cluster shape: GCE ingress, GKE Workload Identity, placements, zones", async () => {
        const cluster = built.region.cluster;
        expect(cluster).toMatchObject({
            regionName: "usc1",
            cloud: "gcp",
            location: "us-central1",
            ingress: { kind: "gce", className: "gce" },
            systemNodeSelector: { "modelfleet.io/pool": "system" },
        });
        expect(cluster.workloadIdentity.kind).toBe("gke-workload-identity");
        if (cluster.workloadIdentity.kind === "gke-workload-identity") {
            expect(cluster.workloadIdentity.project).toBe("modelfleet-prod");
            expect(await promiseOf(cluster.workloadIdentity.workloadPool)).toBe("modelfleet-prod.svc.id.goog");
        }
        expect(cluster.gpuPools).toEqual({
            l4: {
                name: "l4",
                nodeSelector: { "modelfleet.io/pool": "l4" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                gpusPerNode: 1,
                gpuModel: "nvidia-l4",
            },
            "t4-spot": {
                name: "t4-spot",
                nodeSelector: { "modelfleet.io/pool": "t4-spot" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                gpusPerNode: 2,
                gpuModel: "nvidia-t4",
            },
        });
        expect(await promiseOf(cluster.zones)).toEqual(["us-central1-a", "us-central1-b", "us-central1-c"]);
        expect(await promiseOf(cluster.clusterName)).toBe("modelfleet-prod-usc1");
        expect(await promiseOf(cluster.endpoint)).toMatch(/^https:\/\/34\.\d+\.\d+\.\d+$/);
        const ready = cluster.readyResources;
        expect(ready.slice(0, built.region.gpuPools.length + 2)).toEqual([
            built.region.gke.systemPool,
            ...built.region.gpuPools.map((p) => p.nodePool),
            built.region.network.nat,
        ]);
        expect(ready).toHaveLength(built.region.gpuPools.length + 4);
    });

    it("gives the custom-metrics adapter a Workload Identity that may read Cloud Monitoring, and nothing else", async () => {
        const account = mocks.ofType(ACCOUNT).find((a) => at(a, "accountId") === "prod-usc1-metrics");
        expect(account).toBeDefined();
        const grants = mocks.ofType(IAM_MEMBER).filter((m) => m.name.includes("metrics-adapter"));
        expect(grants.map((m) => [at(m, "role"), at(m, "member")])).toEqual([
            ["roles/monitoring.viewer", "serviceAccount:prod-usc1-metrics@modelfleet-prod.iam.gserviceaccount.com"],
        ]);
        const binding = mocks.ofType("gcp:serviceaccount/iAMMember:IAMMember").find((m) => m.name.includes("metrics-adapter"));
        if (binding === undefined) throw new Error("no Workload Identity binding for the metrics adapter");
        expect(at(binding, "member")).toBe("serviceAccount:modelfleet-prod.svc.id.goog[kube-system/custom-metrics-stackdriver-adapter]");
        const monitoring = built.region.cluster.monitoring;
        expect(await promiseOf(pulumi.output(monitoring.metricsAdapterAnnotations?.["iam.gke.io/gcp-service-account"]))).toBe(
            "prod-usc1-metrics@modelfleet-prod.iam.gserviceaccount.com",
        );
    });

    it("reaches the cluster with a kubeconfig that authenticates through gke-gcloud-auth-plugin", async () => {
        const provider = one(mocks, K8S_PROVIDER);
        const kubeconfig = parse(String(at(provider, "kubeconfig"))) as Json;
        const endpoint = await promiseOf(built.region.gke.cluster.endpoint);
        const ca = await promiseOf(built.region.gke.cluster.masterAuth);
        expect(kubeconfig).toMatchObject({
            "current-context": "gke-modelfleet-prod-usc1",
            clusters: [
                {
                    name: "gke-modelfleet-prod-usc1",
                    cluster: { server: `https://${endpoint}`, "certificate-authority-data": ca.clusterCaCertificate },
                },
            ],
            users: [
                {
                    user: {
                        exec: {
                            command: "gke-gcloud-auth-plugin",
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            provideClusterInfo: true,
                        },
                    },
                },
            ],
        });
        expect(built.region.cluster.provider).toBe(built.region.provider);
    });
});

describe("GCP project APIs", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build(fleetConfig(prodRaw(), "prod"));
    });

    it("enables the region's APIs in its project, never disabling them on delete", () => {
        const services = built.mocks.ofType(SERVICE);
        expect(services.map((r) => [r.name, r.inputs])).toEqual(
            [
                ["usc1-apis-compute", "compute.googleapis.com"],
                ["usc1-apis-container", "container.googleapis.com"],
                ["usc1-apis-iam", "iam.googleapis.com"],
                ["usc1-apis-iamcredentials", "iamcredentials.googleapis.com"],
                ["usc1-apis-cloudresourcemanager", "cloudresourcemanager.googleapis.com"],
                ["usc1-apis-artifactregistry", "artifactregistry.googleapis.com"],
                ["usc1-apis-containerscanning", "containerscanning.googleapis.com"],
                ["usc1-apis-certificatemanager", "certificatemanager.googleapis.com"],
            ].map(([name, service]) => [
                name,
                { project: "modelfleet-prod", service, disableOnDestroy: false, disableDependentServices: false },
            ]),
        );
        expect(built.region.apis?.services).toHaveLength(8);
    });

    it("leaves the model store's APIs to the model store: one owner per service and project", () => {
        expect(REGION_APIS.filter((api) => MODEL_STORE_APIS.includes(api))).toEqual([]);
        expect(MODEL_STORE_APIS).toEqual(["storagetransfer.googleapis.com", "cloudkms.googleapis.com"]);
        expect(
            () => new ProjectApis("p", { project: "modelfleet-prod", services: ["compute.googleapis.com", "cloudkms.googleapis.com"] }),
        ).toThrow(
            "ProjectApis p: services: 'cloudkms.googleapis.com' is enabled by the model store, and a service has one owner per project",
        );
    });

    it("creates the network only once the APIs are on", () => {
        const services = built.region.apis?.services ?? [];
        expect(services).toHaveLength(8);
        expect(optsOf(built, "usc1-network-vpc").dependsOn).toEqual(services);
    });

    it("creates the node account, its roles and the cluster only once the APIs are on", () => {
        const services = built.region.apis?.services ?? [];
        expect(optsOf(built, "usc1-cluster-nodes").dependsOn).toEqual(services);
        for (const role of NODE_ROLES) {
            const name = `usc1-cluster-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`;
            expect({ name, dependsOn: optsOf(built, name).dependsOn }).toEqual({ name, dependsOn: services });
        }
        expect(optsOf(built, "usc1-cluster-gke").dependsOn).toEqual([...services, ...built.region.gke.nodeRoles]);
    });

    it("refuses bad service lists, naming every problem", () => {
        expect(
            () => new ProjectApis("p", { project: "Bad_Project", services: ["compute", "iam.googleapis.com", "iam.googleapis.com"] }),
        ).toThrow(
            "ProjectApis p: project must be a GCP project id, got 'Bad_Project'; services: 'compute' is not a service name like compute.googleapis.com; services lists iam.googleapis.com more than once",
        );
        expect(() => new ProjectApis("p", { project: "modelfleet-prod", services: [] })).toThrow(
            "ProjectApis p: services must list at least one service",
        );
    });
});

describe("GCP regions sharing a project", () => {
    /** Prod plus a second GCP region in the same project. */
    function twoRegionConfig(): FleetConfig {
        return fleetConfig(
            prodRaw((usc1, raw) => {
                const regions = raw["regions"] as Json[];
                regions.push({
                    ...structuredClone(usc1),
                    name: "use4",
                    region: "us-east4",
                    networkCidr: "10.40.0.0/20",
                    podsCidr: "10.44.0.0/14",
                    servicesCidr: "10.48.0.0/20",
                    masterCidr: "172.16.0.16/28",
                    gpuPools: [{ name: "l4", machineType: "g2-standard-8", minNodes: 1, maxNodes: 6 }],
                });
            }),
            "prod",
        );
    }

    it("enables each service once: the first region of the project owns them", async () => {
        const mocks = await useMocks("prod");
        const config = twoRegionConfig();
        const [usc1, use4] = config.regions.filter((r) => r.cloud === "gcp");
        if (usc1.cloud !== "gcp" || use4.cloud !== "gcp") throw new Error("expected two GCP regions");
        const provider = new gcp.Provider("gcp-modelfleet-prod", { project: "modelfleet-prod" });
        const first = new GcpRegion("usc1", { region: usc1, config, provider });
        const second = new GcpRegion("use4", { region: use4, config, provider });
        await promiseOf(second.cluster.endpoint);
        await settle();
        const services = mocks.ofType(SERVICE).map((r) => `${r.inputs["project"]}/${r.inputs["service"]}`);
        expect(services).toHaveLength(8);
        expect(new Set(services).size).toBe(services.length);
        expect(mocks.ofType(SERVICE).every((r) => r.name.startsWith("usc1-apis-"))).toBe(true);
        expect(first.apis).toBeDefined();
        expect(second.apis).toBeUndefined();
    });

    it("lets a later region wait for the project's APIs when it is given them", async () => {
        const mocks = await useMocks("prod");
        const config = twoRegionConfig();
        const [usc1, use4] = config.regions.filter((r) => r.cloud === "gcp");
        if (usc1.cloud !== "gcp" || use4.cloud !== "gcp") throw new Error("expected two GCP regions");
        const opts = new Map<string, pulumi.CustomResourceOptions>();
        const record: pulumi.ResourceTransformation = (args) => {
            opts.set(args.name, args.opts);
            return undefined;
        };
        const first = new GcpRegion("usc1", { region: usc1, config });
        const second = new GcpRegion("use4", { region: use4, config, apis: first.apis }, { transformations: [record] });
        await promiseOf(second.cluster.endpoint);
        await settle();
        expect(second.apis).toBe(first.apis);
        expect(mocks.ofType(SERVICE)).toHaveLength(8);
        expect(opts.get("use4-network-vpc")?.dependsOn).toEqual(first.apis?.services);
        expect(opts.get("use4-cluster-gke")?.dependsOn).toEqual([...(first.apis?.services ?? []), ...second.gke.nodeRoles]);
    });
});

describe("GCP region outside prod", () => {
    it("leaves deletion protection and protect off so the stack can be torn down", async () => {
        const built = await build(
            fleetConfig(
                prodRaw((_region, raw) => (raw["environment"] = "staging")),
                "staging",
            ),
        );
        const cluster = one(built.mocks, CLUSTER);
        expect(at(cluster, "deletionProtection")).toBe(false);
        expect(built.opts.get(cluster.name)?.protect).toBe(false);
        expect(at(cluster, "name")).toBe("modelfleet-staging-usc1");
    });
});

describe("GCP bad input", () => {
    const problemsOf = (change: (region: Json) => void) =>
        gcpRegionProblems(gcpRegionOf(fleetConfig(prodRaw(change), "prod")), "regions[2]");

    it("accepts the committed prod region", () => {
        expect(gcpRegionProblems(gcpRegionOf(fleetConfig(prodRaw(), "prod")), "regions[2]")).toEqual([]);
    });

    it("refuses a control-plane range that is not a /28", () => {
        expect(problemsOf((r) => (r["masterCidr"] = "172.16.0.0/24"))).toEqual([
            {
                path: "regions[2].masterCidr",
                message: "must be a /28 block (the size GKE requires for the control-plane range), got /24",
                fix: "pulumi config set --path 'regions[2].masterCidr' 172.16.0.0/28",
            },
        ]);
    });

    it("refuses overlapping ranges, naming both", () => {
        expect(problemsOf((r) => (r["servicesCidr"] = "10.30.8.0/24"))).toEqual([
            {
                path: "regions[2].servicesCidr",
                message:
                    "'10.30.8.0/24' overlaps networkCidr '10.30.0.0/20'; the node, pod, service and control-plane ranges must not overlap",
                fix: "pulumi config set --path 'regions[2].servicesCidr' <a block outside the other three ranges>",
            },
        ]);
    });

    it("refuses ranges with host bits set (the config schema's rule for every CIDR list)", () => {
        expect(() =>
            fleetConfig(
                prodRaw((r) => (r["podsCidr"] = "10.32.0.1/14")),
                "prod",
            ),
        ).toThrow(
            "modelfleet:regions[2].podsCidr '10.32.0.1/14' has host bits set; use the network address 10.32.0.0/14; fix: pulumi config set --path 'regions[2].podsCidr' 10.32.0.0/14",
        );
    });

    it("refuses a pod range too small for the pools' maximum size", () => {
        // System pool up to 3 nodes + L4 pool up to 6: 9 nodes need 9 /24s, a /21 holds 8.
        expect(problemsOf((r) => (r["podsCidr"] = "10.32.0.0/21"))).toEqual([
            {
                path: "regions[2].podsCidr",
                message:
                    "is a /21, which holds pod addresses for 8 node(s) (GKE gives each node a /24), but the pools can grow to 11 nodes",
                fix: "pulumi config set --path 'regions[2].podsCidr' 10.32.0.0/20",
            },
        ]);
    });

    it("refuses a control plane nobody may reach and an empty zone list", () => {
        const problems = problemsOf((r) => {
            r["masterAuthorizedNetworks"] = [];
            (r["gpuPools"] as Json[])[0]["zones"] = [];
        });
        expect(problems.map((p) => `${p.path} ${p.message}`)).toEqual([
            "regions[2].masterAuthorizedNetworks is empty: the control plane would accept no one on its public endpoint, and this program deploys the serving stack through that endpoint",
            "regions[2].gpuPools[0].zones is empty; list the zones that offer the pool's GPUs, or remove the key to use the cluster's zones",
        ]);
    });

    it("throws one ConfigError naming every problem before creating any resource", async () => {
        const mocks = await useMocks("prod");
        const config = fleetConfig(
            prodRaw((r) => {
                r["masterCidr"] = "172.16.0.0/24";
                r["masterAuthorizedNetworks"] = [];
            }),
            "prod",
        );
        let thrown: unknown;
        try {
            new GcpRegion("usc1", { region: gcpRegionOf(config), config });
        } catch (e) {
            thrown = e;
        }
        expect(thrown).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).message).toBe(
            [
                "stack config has 2 problem(s):",
                "modelfleet:regions[2].masterCidr must be a /28 block (the size GKE requires for the control-plane range), got /24; fix: pulumi config set --path 'regions[2].masterCidr' 172.16.0.0/28",
                "modelfleet:regions[2].masterAuthorizedNetworks is empty: the control plane would accept no one on its public endpoint, and this program deploys the serving stack through that endpoint; fix: pulumi config set --path 'regions[2].masterAuthorizedNetworks[0].name' deployers && pulumi config set --path 'regions[2].masterAuthorizedNetworks[0].cidr' <CIDR of your CI runners>",
            ].join("\n"),
        );
        await settle();
        expect(mocks.resources.filter((r) => r.custom)).toEqual([]);
    });
});

describe("GCP naming", () => {
    it("keeps names valid and within GCP's limits", () => {
        expect(gcpName(["modelfleet", "prod", "usc1"], 40)).toBe("modelfleet-prod-usc1");
        expect(gcpName(["modelfleet", "Feature_Branch.42", "usc1"], 40)).toBe("modelfleet-feature-branch-42-usc1");
        const long = gcpName(["modelfleet", "a-very-long-stack-name-for-a-branch", "a-very-long-region-x"], 40);
        expect(long).toHaveLength(40);
        expect(long).toMatch(/^[a-z][a-z0-9-]*-[0-9a-f]{4}$/);
        expect(gcpName(["42stack", "usc1", "nodes"], 30)).toBe("stack-usc1-nodes");
    });

    it("renames a node pool exactly when its immutable shape changes", () => {
        const shape = { machineType: "g2-standard-8", diskSizeGb: 200 };
        expect(nodePoolName("gpu-l4", shape)).toBe(nodePoolName("gpu-l4", { ...shape }));
        expect(nodePoolName("gpu-l4", shape)).not.toBe(nodePoolName("gpu-l4", { ...shape, machineType: "g2-standard-12" }));
        expect(nodePoolName("gpu-a-very-long-pool-name-of-twenty", shape).length).toBeLessThanOrEqual(40);
    });

    it("writes a kubeconfig without credentials", () => {
        const text = gkeKubeconfig({ contextName: "c", endpoint: "34.1.2.3", clusterCaCertificate: "Q0E=" });
        expect(text).not.toMatch(/token|client-key|password/);
        expect(parse(text)).toMatchObject({ clusters: [{ cluster: { server: "https://34.1.2.3" } }] });
    });
});
