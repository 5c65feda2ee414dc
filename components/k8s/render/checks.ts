import { isPinnedImage, podsAtShares, trackWeights, type FleetConfig, type RegionConfig } from "../../../config";
import type { LlmImageSource } from "../../global/imageRegistry";
import type { ModelStoreAccess, RegionCluster, RegionTls } from "../../types";
import { TRACKS } from "./names";
import { bytes, isQuantity, milliCpu } from "./quantity";
import { TORCHSERVE_MAX_SURGE } from "./torchserveWorkload";

/** What a serving-stack check is given; the same fields as the component's arguments. */
export interface ServingCheckInput {
    config: FleetConfig;
    region: RegionConfig;
    cluster: Pick<RegionCluster, "gpuPools" | "ingress" | "workloadIdentity">;
    modelStore: Pick<ModelStoreAccess, "kind" | "staticCredentials">;
    tls: Pick<RegionTls, "kind" | "hosts">;
    /** Where the LLM-track image comes from; needed when the region serves an OpenAI-compatible model. */
    llmImage?: Pick<LlmImageSource, "pullSecret">;
}

const pairs: Record<RegionCluster["ingress"]["kind"], RegionTls["kind"]> = { alb: "acm", gce: "gcp-managed", class: "cert-manager" };

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

function olderThan(version: readonly number[], minimum: readonly number[]): boolean {
    const i = version.findIndex((part, at) => part !== minimum[at]);
    return i >= 0 && version[i] < minimum[i];
}

/**
 * Every problem with the serving stack's arguments, each naming the config key (or the
 * argument) at fault. Config validation catches most of these for stack files; these
 * checks hold for any caller and for what only the cluster knows (its GPU pools).
 */
export function servingArgProblems({ config, region, cluster, modelStore, tls, llmImage }: ServingCheckInput): string[] {
    const problems: string[] = [];
    const add = (message: string) => problems.push(message);
    const sv = config.serving;
    const ts = sv.torchserve;
    const ri = config.regions.findIndex((r) => r.name === region.name);
    const regionKey = ri >= 0 ? `regions[${ri}]` : `regions[?] (${region.name})`;

    if (!(TRACKS as readonly string[]).includes(sv.activeColor)) {
        add(`serving.activeColor is '${sv.activeColor}' but must name a track: ${TRACKS.join(" or ")}`);
    }

    const images: Array<[string, string]> = [
        ...TRACKS.map((t): [string, string] => [
            `serving.tracks.${t}.torchserveImage`,
            sv.tracks[t].torchserveImage ?? config.images.torchserve,
        ]),
        ["images.gateway", config.images.gateway],
        [
            modelStore.kind === "s3" ? "images.modelSyncS3" : "images.modelSyncGcs",
            modelStore.kind === "s3" ? config.images.modelSyncS3 : config.images.modelSyncGcs,
        ],
    ];
    for (const [key, image] of images) {
        if (!isPinnedImage(image)) add(`${key} is '${image}' but must be pinned by version tag or digest, not 'latest' or untagged`);
    }
    for (const t of TRACKS) {
        const image = sv.tracks[t].torchserveImage ?? config.images.torchserve;
        const version = torchserveVersion(image);
        if (version && olderThan(version, MIN_TORCHSERVE_VERSION)) {
            const minimum = MIN_TORCHSERVE_VERSION.join(".");
            const upgraded = image.replace(/:v?\d+\.\d+\.\d+/, `:${minimum}`).split("@")[0];
            add(
                `serving.tracks.${t}.torchserveImage is '${image}' (TorchServe ${version.join(".")}) but the rendered config needs TorchServe ${minimum} or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); use ${upgraded} or later`,
            );
        }
    }

    const llmModel = config.models.find((m) => m.openai && region.modelNames.includes(m.name));
    if (llmModel) {
        const needs = `region ${region.name} serves ${llmModel.name} (openai: true), which needs the vLLM image`;
        for (const t of TRACKS) {
            if ((sv.tracks[t].torchserveLlmDigest ?? config.images.torchserveLlmDigest) === undefined)
                add(`images.torchserveLlmDigest is not set (nor serving.tracks.${t}.torchserveLlmDigest) but ${needs}`);
        }
        if (!llmImage) add(`llmImage is missing but ${needs}: pass the ImageRegistry's source for the region`);
        else if (region.cloud === "existing" && llmImage.pullSecret === undefined)
            add(`edgeImagePullSecrets.${region.name} is missing but ${needs} from a private registry`);
    }

    const known = new Set(config.models.map((m) => m.name));
    if (region.modelNames.length === 0) add(`${regionKey}.models is empty: the region would serve nothing`);
    region.modelNames.filter((n) => !known.has(n)).forEach((n) => add(`${regionKey}.models names unknown model '${n}'`));

    config.models.forEach((m, i) => {
        const at = `models[${i}]`;
        if (!Number.isInteger(m.batchSize) || m.batchSize < 1)
            add(`${at}.batchSize is ${m.batchSize} but must be a whole number of 1 or more`);
        if (!Number.isInteger(m.maxBatchDelayMs) || m.maxBatchDelayMs < 0)
            add(`${at}.maxBatchDelayMs is ${m.maxBatchDelayMs} but must be 0 or more`);
        if (m.batchSize > 1 && m.maxBatchDelayMs === 0)
            add(`${at}.maxBatchDelayMs is 0 with batchSize ${m.batchSize}: TorchServe would never wait to fill a batch`);
        // TorchServe reads 0 as "unset" and starts default_workers_per_model workers instead.
        if (!Number.isInteger(m.minWorkers) || m.minWorkers < 1)
            add(`${at}.minWorkers is ${m.minWorkers} but must be 1 or more (TorchServe reads 0 as unset)`);
        if (!Number.isInteger(m.maxWorkers) || m.maxWorkers < 1) add(`${at}.maxWorkers is ${m.maxWorkers} but must be 1 or more`);
        if (m.minWorkers > m.maxWorkers) add(`${at}.maxWorkers is ${m.maxWorkers} but must be >= minWorkers (${m.minWorkers})`);
        if (!Number.isInteger(m.responseTimeoutSeconds) || m.responseTimeoutSeconds < 1)
            add(`${at}.responseTimeoutSeconds is ${m.responseTimeoutSeconds} but must be 1 or more`);
    });

    for (const which of ["torchserve", "gateway"] as const) {
        const r = sv[which].replicas;
        if (!Number.isInteger(r.min) || r.min < 1) add(`serving.${which}.replicas.min is ${r.min} but must be 1 or more`);
        if (r.max < r.min) add(`serving.${which}.replicas.max is ${r.max} but must be >= replicas.min (${r.min})`);
        if (!isQuantity(sv[which].cpu)) add(`serving.${which}.cpu is '${sv[which].cpu}' but must be a quantity such as 500m or 4`);
        if (!isQuantity(sv[which].memory)) add(`serving.${which}.memory is '${sv[which].memory}' but must be a quantity such as 16Gi`);
    }

    const pool = cluster.gpuPools[region.servingPool];
    if (!pool) {
        add(
            `${regionKey}.servingPool is '${region.servingPool}' but the cluster has no such GPU pool (pools: ${Object.keys(cluster.gpuPools).join(", ") || "none"})`,
        );
    } else {
        if (!Number.isInteger(ts.gpus) || ts.gpus < 1) add(`serving.torchserve.gpus is ${ts.gpus} but must be 1 or more`);
        else if (ts.gpus > pool.gpusPerNode)
            add(
                `serving.torchserve.gpus is ${ts.gpus} but the nodes of GPU pool '${pool.name}' in ${region.name} have ${pool.gpusPerNode} GPU(s)`,
            );
        const shape = region.poolShapes[region.servingPool];
        if (shape?.nodeVcpus !== undefined && isQuantity(ts.cpu) && milliCpu(ts.cpu) > shape.nodeVcpus * 1000) {
            add(
                `serving.torchserve.cpu is ${ts.cpu} but the nodes of GPU pool '${pool.name}' in ${region.name} have ${shape.nodeVcpus} vCPUs`,
            );
        }
        if (shape?.nodeMemoryGiB !== undefined && isQuantity(ts.memory) && bytes(ts.memory) > shape.nodeMemoryGiB * 2 ** 30) {
            add(
                `serving.torchserve.memory is ${ts.memory} but the nodes of GPU pool '${pool.name}' in ${region.name} have ${shape.nodeMemoryGiB} GiB`,
            );
        }
        const capacity = poolCapacityProblem(config, region, regionKey, pool.gpusPerNode);
        if (capacity) add(capacity);
    }

    if (pairs[cluster.ingress.kind] !== tls.kind) {
        add(`tls is of kind '${tls.kind}' but the cluster's '${cluster.ingress.kind}' ingress needs '${pairs[cluster.ingress.kind]}'`);
    }
    if (tls.hosts.length === 0) add("tls.hosts is empty: the Ingress needs at least one host");
    const weights = trackWeights(sv);
    if (cluster.ingress.kind === "class" && !cluster.ingress.className.includes("nginx") && TRACKS.every((t) => weights[t] > 0)) {
        add(
            `serving.traffic splits requests (${TRACKS.map((t) => `${t} ${weights[t]}%`).join(", ")}) but region ${region.name}'s ingress class '${cluster.ingress.className}' has no weighted routing (ingress-nginx canary annotations are what edge clusters use); set ${regionKey}.ingressClass to an nginx class, or give one track 100`,
        );
    }
    if (cluster.workloadIdentity.kind === "static-credentials" && modelStore.staticCredentials === undefined) {
        add(
            `modelStore.staticCredentials is missing: region ${region.name} has no workload identity (set edgeStoreCredentials.${region.name})`,
        );
    }
    return problems;
}

/**
 * Whether the serving pool can hold what the HPAs and a rollout may ask for: each track at
 * its share of the traffic (the primary track at `replicas.max`, a canary at its share of
 * it, a track at 0% at its `previewMinReplicas` warm pods) and one surge pod. Pods beyond
 * that stay Pending, and before a switch that would leave the track about to take traffic
 * short of its minimum. Only cloud pools state a maximum size; an existing cluster's pool
 * is not checked.
 */
function poolCapacityProblem(config: FleetConfig, region: RegionConfig, regionKey: string, gpusPerNode: number): string | undefined {
    const sv = config.serving;
    const ts = sv.torchserve;
    const poolIndex = region.gpuPools.findIndex((p) => p.name === region.servingPool);
    const declared = region.gpuPools[poolIndex];
    if (!declared || !("maxNodes" in declared)) return undefined;
    // Nonsense GPU counts and replica bounds are reported on their own.
    if (!Number.isInteger(ts.gpus) || ts.gpus < 1 || ts.gpus > gpusPerNode || ts.replicas.max < ts.replicas.min) return undefined;
    const podsPerNode = Math.floor(gpusPerNode / ts.gpus);
    const capacity = declared.maxNodes * podsPerNode;
    const tracks = podsAtShares(sv, ts);
    const needed = tracks + TORCHSERVE_MAX_SURGE;
    if (needed <= capacity) return undefined;
    const maxNodesKey = `${regionKey}.gpuPools[${poolIndex}].maxNodes`;
    const nodesNeeded = Math.ceil(needed / podsPerNode);
    const weights = trackWeights(sv);
    const split = TRACKS.map((t) => `${t} ${weights[t]}%`).join(", ");
    const others = tracks - ts.replicas.max;
    const fittingMax = capacity - others - TORCHSERVE_MAX_SURGE;
    const preview = ts.previewMinReplicas;
    const floor = preview > ts.replicas.min ? `previewMinReplicas, ${preview}` : `replicas.min, ${ts.replicas.min}`;
    const fix =
        fittingMax >= Math.max(ts.replicas.min, preview)
            ? `set serving.torchserve.replicas.max to ${fittingMax} or ${maxNodesKey} to ${nodesNeeded}`
            : `set ${maxNodesKey} to ${nodesNeeded} (replicas.max cannot go below ${floor})`;
    const head = `serving.torchserve.replicas.max is ${ts.replicas.max} but GPU pool '${declared.name}' in ${region.name} holds at most ${capacity} TorchServe pod(s) (maxNodes ${declared.maxNodes} x ${podsPerNode} per node)`;
    if (weights.blue > 0 && weights.green > 0) {
        return `${head}, and both tracks at their shares (${split}: ${tracks} pods) and ${TORCHSERVE_MAX_SURGE} rollout surge pod need ${needed}; ${fix}`;
    }
    return (
        `${head}, and the active track at its maximum, the preview track's ${preview} pod${preview === 1 ? "" : "s"} ` +
        `(serving.torchserve.previewMinReplicas) and ${TORCHSERVE_MAX_SURGE} rollout surge pod need ${needed}; ${fix}`
    );
}
