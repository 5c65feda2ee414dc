/**
 * Rules about what the serving stack asks of each region: models to serve, a TorchServe
 * release that understands the rendered config, and a serving GPU pool that can hold the
 * pods. They read only the stack file and the machine catalog, so they run with the rest of
 * the config validation, before any resource is built.
 */
import { ConfigProblem, setCommand } from "./errors";
import { bytes, isQuantity, milliCpu } from "./quantity";
import type { FleetSettings } from "./schema";
import { podsAtShares, trackWeights } from "./traffic";
import { poolShape } from "./validate";

/** Pods a TorchServe rollout may add above the Deployment's replicas (its maxSurge). */
export const TORCHSERVE_MAX_SURGE = 1;

const GiB = 2 ** 30;

/**
 * The first TorchServe release with what the rendered config and the gateway use:
 * `default_startup_timeout` and per-model `startupTimeout` (pytorch/serve#3262) and the
 * OpenAI-compatible route under /predictions/<model>/<version>/v1 (pytorch/serve#3287).
 */
export const MIN_TORCHSERVE_VERSION: readonly [number, number, number] = [0, 12, 0];

/**
 * The TorchServe version an image's tag states (`0.12.0`, `0.12.0-gpu`, `v0.12.0-cpu`), or
 * undefined for a digest-only reference or a tag in any other form (a custom build).
 */
export function torchserveVersion(image: string): [number, number, number] | undefined {
    const reference = (image.split("/").pop() ?? "").split("@")[0];
    const colon = reference.indexOf(":");
    if (colon < 0) return undefined;
    const match = /^v?(\d+)\.(\d+)\.(\d+)(-[A-Za-z0-9._-]+)?$/.exec(reference.slice(colon + 1));
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** A quantity milliCpu reads: a number of cores or millicores, not a memory size (`Ki` .. `Ti`). */
function isCpuQuantity(quantity: string): boolean {
    return isQuantity(quantity) && !quantity.endsWith("i");
}

function olderThan(version: readonly number[], minimum: readonly number[]): boolean {
    const i = version.findIndex((part, at) => part !== minimum[at]);
    return i >= 0 && version[i] < minimum[i];
}

/** Room in a region's serving pool against what its TorchServe pods need at their maxima. */
export interface ServingPoolRoom {
    /** Index of the serving pool in the region's gpuPools. */
    poolIndex: number;
    podsPerNode: number;
    /** TorchServe pods that fit at the pool's maxNodes. */
    capacity: number;
    /** Pods of both tracks at their traffic shares (the primary at replicas.max, a 0% track at its warm minimum). */
    tracks: number;
    /** tracks plus a rollout's surge pod. */
    needed: number;
}

/**
 * The numbers the serving-pool capacity rule judges, for a cloud region whose serving pool
 * states a maximum size; undefined for edge pools, unknown machines and counts reported on
 * their own. The plan's headroom estimate reads the same numbers.
 */
export function servingPoolRoom(s: FleetSettings, region: FleetSettings["regions"][number]): ServingPoolRoom | undefined {
    const ts = s.serving.torchserve;
    const servingPool = region.servingPool ?? region.gpuPools[0]?.name;
    const poolIndex = region.gpuPools.findIndex((p) => p.name === servingPool);
    const shape = poolIndex >= 0 ? poolShape(region, region.gpuPools[poolIndex].name) : undefined;
    if (shape === undefined) return undefined;
    const pool = region.gpuPools[poolIndex];
    if (!("maxNodes" in pool) || ts.gpus > shape.gpusPerNode || ts.replicas.max < ts.replicas.min) return undefined;
    const podsPerNode = Math.floor(shape.gpusPerNode / ts.gpus);
    const tracks = podsAtShares(s.serving, ts);
    return { poolIndex, podsPerNode, capacity: pool.maxNodes * podsPerNode, tracks, needed: tracks + TORCHSERVE_MAX_SURGE };
}

export function servingProblems(s: FleetSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const ts = s.serving.torchserve;

    for (const track of ["blue", "green"] as const) {
        const own = s.serving.tracks[track].torchserveImage;
        const image = own ?? s.images.torchserve;
        const version = torchserveVersion(image);
        if (version === undefined || !olderThan(version, MIN_TORCHSERVE_VERSION)) continue;
        const minimum = MIN_TORCHSERVE_VERSION.join(".");
        const key = own === undefined ? "images.torchserve" : `serving.tracks.${track}.torchserveImage`;
        // A track without its own image runs images.torchserve: report that key once.
        if (own === undefined && problems.some((p) => p.path === key)) continue;
        problems.push({
            path: key,
            message: `is '${image}' (TorchServe ${version.join(".")}) but the rendered config needs TorchServe ${minimum} or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route)`,
            fix: setCommand(key, image.replace(/:v?\d+\.\d+\.\d+/, `:${minimum}`).split("@")[0]),
        });
    }

    // Pod requests above a serving node's size: one problem per key, naming every pool short of it.
    const tooFewCpus: Array<[string, number]> = [];
    const tooLittleMemory: Array<[string, number]> = [];
    s.regions.forEach((region, ri) => {
        if (region.models !== undefined && region.models.length === 0) {
            problems.push({
                path: `regions[${ri}].models`,
                message: "is empty: the region would serve nothing",
                fix: `list a model, or remove the key to serve every model: pulumi config rm --path 'regions[${ri}].models'`,
            });
        }
        const servingPool = region.servingPool ?? region.gpuPools[0]?.name;
        const pi = region.gpuPools.findIndex((p) => p.name === servingPool);
        const shape = pi >= 0 ? poolShape(region, region.gpuPools[pi].name) : undefined;
        // An unknown pool or machine type is reported on its own.
        if (shape === undefined) return;
        const where = `${region.name}/${region.gpuPools[pi].name}`;

        // A memory quantity given as CPU (`2Gi`) is reported by boundProblems; milliCpu would throw on it.
        if (shape.nodeVcpus !== undefined && isCpuQuantity(ts.cpu) && milliCpu(ts.cpu) > shape.nodeVcpus * 1000) {
            tooFewCpus.push([where, shape.nodeVcpus]);
        }
        if (shape.nodeMemoryGiB !== undefined && isQuantity(ts.memory) && bytes(ts.memory) > shape.nodeMemoryGiB * GiB) {
            tooLittleMemory.push([where, shape.nodeMemoryGiB]);
        }

        const pool = region.gpuPools[pi];
        const room = servingPoolRoom(s, region);
        if (room === undefined || room.needed <= room.capacity || !("maxNodes" in pool)) return;
        const { podsPerNode, capacity, tracks, needed } = room;
        const preview = ts.previewMinReplicas;
        const maxNodesKey = `regions[${ri}].gpuPools[${pi}].maxNodes`;
        const nodesNeeded = Math.ceil(needed / podsPerNode);
        const others = tracks - ts.replicas.max;
        const fittingMax = capacity - others - TORCHSERVE_MAX_SURGE;
        // Both tracks' HPAs take replicas.max as their maximum: it cannot drop below either minimum.
        const lowerable = fittingMax >= Math.max(ts.replicas.min, preview);
        const weights = trackWeights(s.serving);
        const asked =
            weights.blue > 0 && weights.green > 0
                ? `both tracks at their shares (blue ${weights.blue}%, green ${weights.green}%: ${tracks} pods)`
                : `serving.torchserve.replicas.max ${ts.replicas.max}, previewMinReplicas ${others}`;
        problems.push({
            path: maxNodesKey,
            message: `is ${pool.maxNodes} (${capacity} TorchServe pod(s) at ${podsPerNode} per node) but ${region.name} needs ${needed}: ${asked} and ${TORCHSERVE_MAX_SURGE} rollout surge pod`,
            fix: lowerable
                ? `${setCommand(maxNodesKey, nodesNeeded)}, or ${setCommand("serving.torchserve.replicas.max", fittingMax)}`
                : setCommand(maxNodesKey, nodesNeeded),
        });
    });
    // A pod sized to three quarters of the smallest node leaves room for the node's own daemons.
    const smallest = (pools: Array<[string, number]>) => Math.min(...pools.map(([, size]) => size));
    const listed = (pools: Array<[string, number]>, unit: string) => pools.map(([where, size]) => `${where} ${size} ${unit}`).join(", ");
    if (tooFewCpus.length > 0) {
        problems.push({
            path: "serving.torchserve.cpu",
            message: `is ${ts.cpu} but the serving nodes have fewer vCPUs: ${listed(tooFewCpus, "vCPUs")}`,
            fix: setCommand("serving.torchserve.cpu", Math.max(1, Math.floor((smallest(tooFewCpus) * 3) / 4))),
        });
    }
    if (tooLittleMemory.length > 0) {
        problems.push({
            path: "serving.torchserve.memory",
            message: `is ${ts.memory} but the serving nodes have less memory: ${listed(tooLittleMemory, "GiB")}`,
            fix: setCommand("serving.torchserve.memory", `${Math.max(1, Math.floor((smallest(tooLittleMemory) * 3) / 4))}Gi`),
        });
    }
    return problems;
}
