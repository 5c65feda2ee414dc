import { catalog, type FleetSettings, type RegionSettings } from "../../config";
import { GPU_RESOURCE, POOL_LABEL } from "../../components/k8s/nodeLabels";
import { SECRET_MARKER, type Plan, type PlanResource } from "../contracts";
import { regionAttribution } from "../plan/attribution";
import { UNKNOWN_MARKER } from "../plan/engine";
import { renderManifests } from "../plan/manifests";

/**
 * What each region should run, read from an offline plan: the cloud resources (clusters,
 * GPU pools) from their inputs, the Kubernetes objects from the manifests the plan renders.
 * Existing clusters have no cloud resources; their GPU pools come from the stack config.
 */

export interface ClusterEntry {
    /** The cluster's name when the program sets it as a plain value. */
    name?: string;
    type: string;
    /** Kubernetes minor version, when the program sets it. */
    version?: string;
}

export interface GpuPoolEntry {
    name: string;
    /** EC2 instance types, or the GCE machine type. */
    instanceTypes: string[];
    minNodes?: number;
    maxNodes?: number;
    desiredNodes?: number;
    /** `per zone` for GKE pools sized with min/maxNodeCount. */
    sizeScope?: "per zone" | "total";
    capacity?: string;
    /** e.g. `1 x nvidia-l4`. */
    accelerators?: string;
    /** Node labels that select exactly this pool's nodes. */
    nodeSelector: Record<string, string>;
    source: "plan" | "config";
}

export interface ContainerEntry {
    name: string;
    image: string;
    /** Container port by port name (unnamed ports by number). */
    ports: Record<string, number>;
    gpus?: string;
}

export type WorkloadRole = "torchserve" | "gateway" | "other";

export interface DeploymentEntry {
    namespace: string;
    name: string;
    role: WorkloadRole;
    /** Set replicas; undefined when an autoscaler owns the count. */
    replicas?: number;
    /** Min and max of the HorizontalPodAutoscaler that targets it. */
    autoscale?: { min?: number; max?: number };
    containers: ContainerEntry[];
    initContainers: ContainerEntry[];
}

export interface DaemonSetEntry {
    namespace: string;
    name: string;
    images: string[];
}

export interface ServiceEntry {
    namespace: string;
    name: string;
    type: string;
    ports: string[];
    selector: Record<string, string>;
}

export interface IngressEntry {
    namespace: string;
    name: string;
    className?: string;
    hosts: string[];
}

export interface RegionInventory {
    name: string;
    cloud: RegionSettings["cloud"];
    /** Cloud region, or the free-form location of an existing cluster. */
    location: string;
    /** GCP project of a GKE region. */
    project?: string;
    /** Models this region serves. */
    models: string[];
    clusters: ClusterEntry[];
    gpuPools: GpuPoolEntry[];
    /** Configured GPU pools the plan has no node group or node pool for. */
    poolsNotInPlan: string[];
    deployments: DeploymentEntry[];
    daemonSets: DaemonSetEntry[];
    services: ServiceEntry[];
    ingresses: IngressEntry[];
}

const CLUSTER_TYPES = new Set(["aws:eks/cluster:Cluster", "gcp:container/cluster:Cluster"]);
const AWS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
const GKE_POOL_LABEL = "cloud.google.com/gke-nodepool";

export function buildInventory(plan: Plan, settings: FleetSettings): RegionInventory[] {
    const regionOf = regionAttribution(plan.resources);
    const manifests = renderManifests(plan.resources, regionOf);
    const inRegion = (region: string) => (r: PlanResource) => regionOf.get(r.urn) === region;

    return settings.regions.map((region) => {
        const resources = plan.resources.filter(inRegion(region.name));
        const objects = manifests.filter((m) => m.cluster === region.name).map((m) => m.object);
        const gpuPools = region.cloud === "existing" ? existingPools(region) : planPools(resources, region);
        const found = new Set(gpuPools.map((p) => p.name));
        const hpas = objects.filter((o) => o["kind"] === "HorizontalPodAutoscaler");
        return {
            name: region.name,
            cloud: region.cloud,
            location: region.region,
            project: region.cloud === "gcp" ? region.project : undefined,
            models: region.models ?? settings.models.map((m) => m.name),
            clusters: resources.filter((r) => r.custom && CLUSTER_TYPES.has(r.type)).map(clusterEntry),
            gpuPools,
            poolsNotInPlan: region.gpuPools.map((p) => p.name).filter((n) => !found.has(n)),
            deployments: objects.filter((o) => o["kind"] === "Deployment").map((o) => deploymentEntry(o, hpas)),
            daemonSets: objects.filter((o) => o["kind"] === "DaemonSet").map(daemonSetEntry),
            services: objects.filter((o) => o["kind"] === "Service").map(serviceEntry),
            ingresses: objects.filter((o) => o["kind"] === "Ingress").map(ingressEntry),
        };
    });
}

function clusterEntry(r: PlanResource): ClusterEntry {
    const i = r.inputs;
    return { name: plainString(i["name"]), type: r.type, version: plainString(i["version"]) ?? plainString(i["minMasterVersion"]) };
}

/** GPU node groups (AWS) and node pools (GKE) of a region; the system pool is left out. */
function planPools(resources: PlanResource[], region: RegionSettings): GpuPoolEntry[] {
    const configured = region.gpuPools.map((p) => p.name);
    const pools: GpuPoolEntry[] = [];
    for (const r of resources) {
        if (!r.custom) continue;
        const i = r.inputs;
        if (r.type === AWS_NODE_GROUP) {
            const instanceTypes = strings(i["instanceTypes"]);
            if (!instanceTypes.some((t) => catalog.awsGpuInstances[t] !== undefined)) continue;
            const labels = stringRecord(i["labels"]);
            const scaling = record(i["scalingConfig"]);
            const name = labels[POOL_LABEL] ?? poolFromResourceName(r.name, configured);
            const shape = catalog.awsGpuInstances[instanceTypes[0]];
            pools.push({
                name,
                instanceTypes,
                minNodes: plainNumber(scaling["minSize"]),
                maxNodes: plainNumber(scaling["maxSize"]),
                desiredNodes: plainNumber(scaling["desiredSize"]),
                sizeScope: "total",
                capacity: plainString(i["capacityType"])?.toLowerCase().replace("_", "-"),
                accelerators: shape ? `${shape.gpus} x ${shape.model}` : undefined,
                nodeSelector: labels[POOL_LABEL] !== undefined ? { [POOL_LABEL]: labels[POOL_LABEL] } : {},
                source: "plan",
            });
        } else if (r.type === GKE_NODE_POOL) {
            const nodeConfig = record(i["nodeConfig"]);
            const machineType = plainString(nodeConfig["machineType"]);
            const accelerators = Array.isArray(nodeConfig["guestAccelerators"]) ? nodeConfig["guestAccelerators"].map(record) : [];
            if (accelerators.length === 0 && !(machineType && catalog.gcpGpuMachines[machineType])) continue;
            const labels = stringRecord(nodeConfig["labels"]);
            const autoscaling = record(i["autoscaling"]);
            const perZone = autoscaling["minNodeCount"] !== undefined || autoscaling["maxNodeCount"] !== undefined;
            const poolName = plainString(i["name"]);
            const name = labels[POOL_LABEL] ?? poolFromResourceName(poolName ?? r.name, configured);
            const selector: Record<string, string> =
                labels[POOL_LABEL] !== undefined ? { [POOL_LABEL]: labels[POOL_LABEL] } : poolName ? { [GKE_POOL_LABEL]: poolName } : {};
            pools.push({
                name,
                instanceTypes: machineType ? [machineType] : [],
                minNodes: plainNumber(perZone ? autoscaling["minNodeCount"] : autoscaling["totalMinNodeCount"]),
                maxNodes: plainNumber(perZone ? autoscaling["maxNodeCount"] : autoscaling["totalMaxNodeCount"]),
                desiredNodes: plainNumber(i["initialNodeCount"]) ?? plainNumber(i["nodeCount"]),
                sizeScope: perZone ? "per zone" : "total",
                capacity: nodeConfig["spot"] === true || nodeConfig["preemptible"] === true ? "spot" : "on-demand",
                accelerators:
                    accelerators.map((a) => `${plainNumber(a["count"]) ?? "?"} x ${plainString(a["type"]) ?? "?"}`).join(", ") || undefined,
                nodeSelector: selector,
                source: "plan",
            });
        }
    }
    return pools;
}

function existingPools(region: Extract<RegionSettings, { cloud: "existing" }>): GpuPoolEntry[] {
    return region.gpuPools.map((p) => ({
        name: p.name,
        instanceTypes: [],
        accelerators: `${p.gpusPerNode} x ${p.model}`,
        nodeSelector: { ...p.nodeSelector },
        source: "config" as const,
    }));
}

/** `use1-gpu-l4-nodes` → `l4` when l4 is a configured pool; else the name itself. */
function poolFromResourceName(resourceName: string, configured: string[]): string {
    const parts = resourceName.split("-");
    for (let start = 0; start < parts.length; start++) {
        for (let end = parts.length; end > start; end--) {
            const candidate = parts.slice(start, end).join("-");
            if (configured.includes(candidate)) return candidate;
        }
    }
    return resourceName;
}

function deploymentEntry(o: Record<string, unknown>, hpas: Record<string, unknown>[]): DeploymentEntry {
    const { namespace, name } = meta(o);
    const spec = record(o["spec"]);
    const podSpec = record(record(spec["template"])["spec"]);
    const containers = list(podSpec["containers"]).map(containerEntry);
    const initContainers = list(podSpec["initContainers"]).map(containerEntry);
    const hpa = hpas.find((h) => {
        const target = record(record(h["spec"])["scaleTargetRef"]);
        return target["kind"] === "Deployment" && target["name"] === name && meta(h).namespace === namespace;
    });
    const hpaSpec = hpa ? record(hpa["spec"]) : undefined;
    return {
        namespace,
        name,
        role: workloadRole(containers),
        replicas: plainNumber(spec["replicas"]),
        autoscale: hpaSpec ? { min: plainNumber(hpaSpec["minReplicas"]), max: plainNumber(hpaSpec["maxReplicas"]) } : undefined,
        containers,
        initContainers,
    };
}

/**
 * TorchServe is the container that asks for a GPU (its image is configurable, so the image
 * name proves nothing); the gateway is the TensorZero container.
 */
function workloadRole(containers: ContainerEntry[]): WorkloadRole {
    if (containers.some((c) => c.gpus !== undefined || c.name === "torchserve")) return "torchserve";
    if (containers.some((c) => /tensorzero|gateway/.test(c.name) || /(^|\/)tensorzero\//.test(c.image))) return "gateway";
    return "other";
}

function containerEntry(c: Record<string, unknown>): ContainerEntry {
    const ports: Record<string, number> = {};
    for (const p of list(c["ports"])) {
        const port = plainNumber(p["containerPort"]);
        if (port !== undefined) ports[plainString(p["name"]) ?? String(port)] = port;
    }
    const resources = record(c["resources"]);
    const gpus = record(resources["limits"])[GPU_RESOURCE] ?? record(resources["requests"])[GPU_RESOURCE];
    return {
        name: plainString(c["name"]) ?? "?",
        image: plainString(c["image"]) ?? "?",
        ports,
        gpus: gpus === undefined ? undefined : String(gpus),
    };
}

function daemonSetEntry(o: Record<string, unknown>): DaemonSetEntry {
    const podSpec = record(record(record(o["spec"])["template"])["spec"]);
    return { ...meta(o), images: list(podSpec["containers"]).map((c) => plainString(c["image"]) ?? "?") };
}

function serviceEntry(o: Record<string, unknown>): ServiceEntry {
    const spec = record(o["spec"]);
    return {
        ...meta(o),
        type: plainString(spec["type"]) ?? "ClusterIP",
        // `http:8080`; the target only when it differs from both the port and its name.
        ports: list(spec["ports"]).map((p) => {
            const port = String(p["port"] ?? "?");
            const name = plainString(p["name"]);
            const target = p["targetPort"] === undefined ? port : String(p["targetPort"]);
            return `${name ? `${name}:` : ""}${port}${target !== port && target !== name ? `->${target}` : ""}`;
        }),
        selector: stringRecord(spec["selector"]),
    };
}

function ingressEntry(o: Record<string, unknown>): IngressEntry {
    const spec = record(o["spec"]);
    const hosts = new Set<string>();
    for (const rule of list(spec["rules"])) if (typeof rule["host"] === "string") hosts.add(rule["host"]);
    for (const tls of list(spec["tls"])) strings(tls["hosts"]).forEach((h) => hosts.add(h));
    return { ...meta(o), className: plainString(spec["ingressClassName"]), hosts: [...hosts] };
}

function meta(o: Record<string, unknown>): { namespace: string; name: string } {
    const m = record(o["metadata"]);
    return { namespace: plainString(m["namespace"]) ?? "default", name: plainString(m["name"]) ?? "?" };
}

function record(v: unknown): Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
    return Array.isArray(v) ? v.map(record) : [];
}

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function stringRecord(v: unknown): Record<string, string> {
    return Object.fromEntries(Object.entries(record(v)).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** A string the program set as a known value (not an unknown or redacted one). */
function plainString(v: unknown): string | undefined {
    return typeof v === "string" && v !== UNKNOWN_MARKER && v !== SECRET_MARKER ? v : undefined;
}

function plainNumber(v: unknown): number | undefined {
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
