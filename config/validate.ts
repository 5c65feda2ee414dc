import { boundProblems } from "./bounds";
import { awsGpuInstances, awsRegionZones, gcpGpuMachines, gcpRegionZones, route53CheckerRegions } from "./catalog";
import { ConfigProblem, setCommand } from "./errors";
import type { ModelSettings, ParsedSettings, RegionSettings } from "./schema";
import { trafficProblems } from "./traffic";

/** GPU facts of one pool, the same shape whatever the cloud. */
export interface GpuPoolShape {
    gpusPerNode: number;
    /** e.g. nvidia-l4; used in the accelerator node label. */
    gpuModel: string;
    /** Unknown (undefined) on existing clusters, where the operator declares only the count. */
    nodeVcpus?: number;
    nodeMemoryGiB?: number;
}

/** Which secret keys hold which entries (names only; values are never inspected). */
export interface SecretPresence {
    kubeconfigs: string[];
    edgeStoreCredentials: string[];
    edgeImagePullSecrets: string[];
}

/**
 * Seconds the drain adds to the longest response timeout: the load balancer and
 * kube-proxy stop sending new requests within a few seconds of the pod's termination,
 * and a request accepted just before that may run its full timeout.
 */
export const DRAIN_MARGIN_SECONDS = 15;

/** The drain that lets every accepted request finish: the longest response timeout plus the margin. */
export function derivedDrainSeconds(models: Array<Pick<ModelSettings, "responseTimeoutSeconds">>): number {
    return Math.max(0, ...models.map((m) => m.responseTimeoutSeconds)) + DRAIN_MARGIN_SECONDS;
}

/** Cross-field rules zod's per-field schema cannot express. Collects every problem. */
export function crossCheck(s: ParsedSettings, secrets: SecretPresence): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });

    const regionNames = s.regions.map((r) => r.name);
    const awsNames = s.regions.filter((r) => r.cloud === "aws").map((r) => r.name);
    const modelNames = s.models.map((m) => m.name);

    duplicates(regionNames).forEach(([name, index]) =>
        add(`regions[${index}].name`, `duplicates region name '${name}'`, setCommand(`regions[${index}].name`, `${name}-2`)),
    );
    duplicates(modelNames).forEach(([name, index]) =>
        add(
            `models[${index}].name`,
            `duplicates model name '${name}'`,
            `give each model a unique name, or bump models[${index}].version instead`,
        ),
    );

    s.regions.forEach((region, ri) => {
        const at = `regions[${ri}]`;
        checkRegion(region, at, add);

        duplicates(region.gpuPools.map((p) => p.name)).forEach(([name, pi]) =>
            add(
                `${at}.gpuPools[${pi}].name`,
                `duplicates pool name '${name}' in region ${region.name}`,
                setCommand(`${at}.gpuPools[${pi}].name`, `${name}-2`),
            ),
        );
        region.gpuPools.forEach((pool, pi) => {
            const pp = `${at}.gpuPools[${pi}]`;
            if ("minNodes" in pool && pool.minNodes > pool.maxNodes) {
                add(`${pp}.maxNodes`, `must be >= minNodes (${pool.minNodes})`, setCommand(`${pp}.maxNodes`, pool.minNodes));
            }
            if (
                "desiredNodes" in pool &&
                pool.desiredNodes !== undefined &&
                (pool.desiredNodes < pool.minNodes || pool.desiredNodes > pool.maxNodes)
            ) {
                add(
                    `${pp}.desiredNodes`,
                    `must be between minNodes (${pool.minNodes}) and maxNodes (${pool.maxNodes})`,
                    setCommand(`${pp}.desiredNodes`, pool.minNodes),
                );
            }
        });

        (region.models ?? []).forEach((m, mi) => {
            if (!modelNames.includes(m)) {
                add(
                    `${at}.models[${mi}]`,
                    `names unknown model '${m}' (known: ${modelNames.join(", ")})`,
                    `add it under models, or remove it: pulumi config rm --path '${at}.models[${mi}]'`,
                );
            }
        });

        const servingPool = region.servingPool ?? region.gpuPools[0]?.name;
        const pool = region.gpuPools.find((p) => p.name === servingPool);
        if (region.servingPool !== undefined && !pool) {
            add(
                `${at}.servingPool`,
                `names unknown GPU pool '${region.servingPool}' (pools: ${region.gpuPools.map((p) => p.name).join(", ")})`,
                setCommand(`${at}.servingPool`, region.gpuPools[0]?.name ?? "<pool>"),
            );
        }
        const shape = pool ? poolShape(region, pool.name) : undefined;
        if (shape && s.serving.torchserve.gpus > shape.gpusPerNode) {
            add(
                "serving.torchserve.gpus",
                `is ${s.serving.torchserve.gpus} but the nodes of ${region.name}/${pool?.name} have ${shape.gpusPerNode} GPU(s)`,
                setCommand("serving.torchserve.gpus", shape.gpusPerNode),
            );
        }

        if (region.cloud === "existing") {
            if (!secrets.kubeconfigs.includes(region.name)) {
                add(
                    `kubeconfigs.${region.name}`,
                    `is missing: region ${region.name} is an existing cluster and needs its kubeconfig`,
                    `pulumi config set --secret --path 'kubeconfigs.${region.name}' "$(cat kubeconfig.yaml)"`,
                );
            }
            if (!awsNames.includes(region.modelStoreSource)) {
                add(
                    `${at}.modelStoreSource`,
                    `must name an AWS region entry holding a model-store copy (one of: ${awsNames.join(", ") || "none configured"})`,
                    setCommand(`${at}.modelStoreSource`, awsNames[0] ?? "<aws-region-name>"),
                );
            }
            if (!secrets.edgeStoreCredentials.includes(region.name)) {
                add(
                    `edgeStoreCredentials.${region.name}`,
                    `is missing: region ${region.name} pulls models with read-only keys`,
                    `pulumi config set --secret --path 'edgeStoreCredentials.${region.name}' '{"accessKeyId":"...","secretAccessKey":"..."}'`,
                );
            }
        }
    });

    s.models.forEach((m, mi) => {
        const at = `models[${mi}]`;
        if (m.minWorkers > m.maxWorkers) {
            add(`${at}.maxWorkers`, `must be >= minWorkers (${m.minWorkers})`, setCommand(`${at}.maxWorkers`, m.minWorkers));
        }
        if (m.batchSize > 1 && m.maxBatchDelayMs === 0) {
            add(
                `${at}.maxBatchDelayMs`,
                `is 0 with batchSize ${m.batchSize}: TorchServe would never wait to fill a batch`,
                setCommand(`${at}.maxBatchDelayMs`, 50),
            );
        }
        if (m.batchSize > 512) {
            add(`${at}.batchSize`, "must be at most 512", setCommand(`${at}.batchSize`, 32));
        }
        if (m.maxWorkers > 16 * s.serving.torchserve.gpus) {
            add(
                `${at}.maxWorkers`,
                `is ${m.maxWorkers} for ${s.serving.torchserve.gpus} GPU(s) per pod; more than 16 workers per GPU thrash GPU memory`,
                setCommand(`${at}.maxWorkers`, 4 * s.serving.torchserve.gpus),
            );
        }
    });

    const sv = s.serving;
    for (const which of ["torchserve", "gateway"] as const) {
        const r = sv[which].replicas;
        if (r.min > r.max)
            add(`serving.${which}.replicas.max`, `must be >= replicas.min (${r.min})`, setCommand(`serving.${which}.replicas.max`, r.min));
    }
    const ts = sv.torchserve;
    // An HPA whose minReplicas exceeds maxReplicas is refused by the API server mid-update.
    if (ts.previewMinReplicas > ts.replicas.max) {
        add(
            "serving.torchserve.previewMinReplicas",
            `is ${ts.previewMinReplicas} but must be <= replicas.max (${ts.replicas.max}): the preview track's HPA shares that maximum`,
            setCommand("serving.torchserve.previewMinReplicas", Math.min(ts.replicas.min, ts.replicas.max)),
        );
    }

    checkDrain(s, add);
    checkLlmImage(s, secrets, add);
    problems.push(...trafficProblems(sv));

    const primary = s.regions.find((r) => r.name === s.modelStore.primaryRegion);
    if (!primary || primary.cloud !== "aws") {
        add(
            "modelStore.primaryRegion",
            `must name an AWS region entry (one of: ${awsNames.join(", ") || "none configured"}), got '${s.modelStore.primaryRegion}'`,
            setCommand("modelStore.primaryRegion", awsNames[0] ?? "<aws-region-name>"),
        );
    }

    problems.push(...decommissionProblems(s));

    const ge = s.globalEntry;
    if (!ge.hostedZoneId && !ge.hostedZoneName) {
        add(
            "globalEntry.hostedZoneName",
            "is required (or hostedZoneId): the Route 53 zone that holds the serving domain",
            setCommand("globalEntry.hostedZoneName", "example.com"),
        );
    }
    if (ge.hostedZoneName && !isWithin(sv.domain, ge.hostedZoneName)) {
        add(
            "serving.domain",
            `'${sv.domain}' is not inside hosted zone '${ge.hostedZoneName}'`,
            setCommand("serving.domain", `serve.${ge.hostedZoneName}`),
        );
    }
    if (ge.routing === "failover") {
        if (!ge.failoverPrimary) {
            add(
                "globalEntry.failoverPrimary",
                "is required when routing is failover",
                setCommand("globalEntry.failoverPrimary", regionNames[0] ?? "<region>"),
            );
        } else if (!routedRegions(s).includes(ge.failoverPrimary)) {
            add(
                "globalEntry.failoverPrimary",
                `must name a routed region (one of: ${routedRegions(s).join(", ")}), got '${ge.failoverPrimary}'`,
                setCommand("globalEntry.failoverPrimary", routedRegions(s)[0] ?? "<region>"),
            );
        }
    } else if (ge.failoverPrimary) {
        add(
            "globalEntry.failoverPrimary",
            "is only used when routing is failover",
            `pulumi config rm --path 'globalEntry.failoverPrimary', or set routing: ${setCommand("globalEntry.routing", "failover")}`,
        );
    }
    const checkers = new Set<string>(route53CheckerRegions);
    ge.healthCheck.regions.forEach((r, i) => {
        if (!checkers.has(r))
            add(
                `globalEntry.healthCheck.regions[${i}]`,
                `'${r}' is not a Route 53 health-checker region (${route53CheckerRegions.join(", ")})`,
                setCommand(`globalEntry.healthCheck.regions[${i}]`, "us-east-1"),
            );
    });
    if (ge.healthCheck.regions.length < 3) {
        add(
            "globalEntry.healthCheck.regions",
            "must list at least 3 checker regions (Route 53's minimum)",
            `pulumi config set --path 'globalEntry.healthCheck.regions[${ge.healthCheck.regions.length}]' ap-southeast-1`,
        );
    }
    problems.push(...boundProblems(s));
    return problems;
}

/** A drain shorter than a response timeout cuts answers still running when a pod stops. */
function checkDrain(s: ParsedSettings, add: (path: string, message: string, fix: string) => void): void {
    const drain = s.serving.torchserve.drainSeconds;
    if (drain === undefined || s.models.length === 0) return;
    const needed = derivedDrainSeconds(s.models);
    if (drain >= needed) return;
    const longest = s.models.reduce((a, b) => (b.responseTimeoutSeconds > a.responseTimeoutSeconds ? b : a));
    const index = s.models.indexOf(longest);
    add(
        "serving.torchserve.drainSeconds",
        `is ${drain} but models[${index}].responseTimeoutSeconds (${longest.name}) is ${longest.responseTimeoutSeconds}: a rollout would cut answers still running; it must be at least ${needed} (the timeout plus ${DRAIN_MARGIN_SECONDS} s)`,
        `${setCommand("serving.torchserve.drainSeconds", needed)}, or remove it to derive it: pulumi config rm --path 'serving.torchserve.drainSeconds'`,
    );
}

/**
 * OpenAI-compatible models run on TorchServe's vLLM handler, which the stock image lacks:
 * a region that serves one runs the LLM-track image, which needs its digest, and edge
 * clusters need a pull secret for the registry it lives in.
 */
function checkLlmImage(s: ParsedSettings, secrets: SecretPresence, add: (path: string, message: string, fix: string) => void): void {
    const build = "build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md)";
    s.regions.forEach((region) => {
        const served = s.models
            .map((m, index) => ({ m, index }))
            .filter(({ m }) => m.openai && (region.models ?? s.models.map((x) => x.name)).includes(m.name));
        if (served.length === 0) return;
        const first = served[0];
        const needs = `region ${region.name} serves models[${first.index}] (${first.m.name}, openai: true), which needs vLLM`;
        for (const track of ["blue", "green"] as const) {
            if (s.serving.tracks[track].torchserveLlmDigest === undefined && s.images.torchserveLlmDigest === undefined) {
                add(
                    "images.torchserveLlmDigest",
                    `is not set but ${needs}; the stock image (${s.images.torchserve}) has none, so track ${track} would run without it`,
                    `${build}, then ${setCommand("images.torchserveLlmDigest", "sha256:<digest>")}`,
                );
                return;
            }
        }
        if (region.cloud === "existing" && !secrets.edgeImagePullSecrets.includes(region.name)) {
            add(
                `edgeImagePullSecrets.${region.name}`,
                `is missing: ${needs}, and the cluster pulls the LLM-track image from a private registry with a read-only identity`,
                `pulumi config set --secret --path 'edgeImagePullSecrets.${region.name}' "$(cat dockerconfig.json)" (docs/serving.md)`,
            );
        }
    });
}

function checkRegion(region: RegionSettings, at: string, add: (path: string, message: string, fix: string) => void): void {
    if (region.cloud === "aws") {
        const zones = awsRegionZones[region.region];
        if (zones === undefined) {
            add(
                `${at}.region`,
                `'${region.region}' is not a supported AWS region (${Object.keys(awsRegionZones).join(", ")})`,
                setCommand(`${at}.region`, "us-east-1"),
            );
        } else if (region.azCount > zones) {
            add(
                `${at}.azCount`,
                `is ${region.azCount} but ${region.region} has ${zones} availability zones`,
                setCommand(`${at}.azCount`, Math.min(3, zones)),
            );
        }
        region.gpuPools.forEach((pool, pi) => {
            const counts = new Set<number>();
            pool.instanceTypes.forEach((t, ti) => {
                const shape = awsGpuInstances[t];
                if (!shape) {
                    add(
                        `${at}.gpuPools[${pi}].instanceTypes[${ti}]`,
                        `'${t}' is not a known GPU instance type (${Object.keys(awsGpuInstances).join(", ")})`,
                        setCommand(`${at}.gpuPools[${pi}].instanceTypes[${ti}]`, "g6.xlarge"),
                    );
                } else counts.add(shape.gpus);
            });
            if (counts.size > 1) {
                add(
                    `${at}.gpuPools[${pi}].instanceTypes`,
                    `mixes instance types with ${[...counts].join(" and ")} GPUs; a pool's nodes must all have the same GPU count`,
                    "split them into separate pools",
                );
            }
        });
    } else if (region.cloud === "gcp") {
        const zones = gcpRegionZones[region.region];
        if (zones === undefined) {
            add(
                `${at}.region`,
                `'${region.region}' is not a supported GCP region (${Object.keys(gcpRegionZones).join(", ")})`,
                setCommand(`${at}.region`, "us-central1"),
            );
        }
        region.gpuPools.forEach((pool, pi) => {
            const pp = `${at}.gpuPools[${pi}]`;
            const machine = gcpGpuMachines[pool.machineType];
            if (!machine) {
                add(
                    `${pp}.machineType`,
                    `'${pool.machineType}' is not a known GPU machine type (${Object.keys(gcpGpuMachines).join(", ")})`,
                    setCommand(`${pp}.machineType`, "g2-standard-8"),
                );
            } else if (pool.acceleratorCount !== undefined && !machine.allowedCounts.includes(pool.acceleratorCount)) {
                add(
                    `${pp}.acceleratorCount`,
                    `is ${pool.acceleratorCount} but ${pool.machineType} takes ${machine.allowedCounts.join(" or ")} GPU(s)`,
                    setCommand(`${pp}.acceleratorCount`, machine.allowedCounts[0]),
                );
            }
            (pool.zones ?? []).forEach((z, zi) => {
                if (zones && !zones.includes(z))
                    add(
                        `${pp}.zones[${zi}]`,
                        `'${z}' is not a zone of ${region.region} (${zones.join(", ")})`,
                        setCommand(`${pp}.zones[${zi}]`, zones[0]),
                    );
            });
        });
    }
}

/** GPU facts of a pool from the catalog (AWS, GCP) or as declared (existing). */
export function poolShape(region: RegionSettings, poolName: string): GpuPoolShape | undefined {
    if (region.cloud === "aws") {
        const pool = region.gpuPools.find((p) => p.name === poolName);
        const shapes = (pool?.instanceTypes ?? []).map((t) => awsGpuInstances[t]).filter((x) => x !== undefined);
        if (shapes.length === 0) return undefined;
        // Size pods for the smallest instance type so they fit whichever the pool launches.
        return {
            gpusPerNode: shapes[0].gpus,
            gpuModel: shapes[0].model,
            nodeVcpus: Math.min(...shapes.map((x) => x.vcpus)),
            nodeMemoryGiB: Math.min(...shapes.map((x) => x.nodeMemoryGiB)),
        };
    }
    if (region.cloud === "gcp") {
        const pool = region.gpuPools.find((p) => p.name === poolName);
        const machine = pool ? gcpGpuMachines[pool.machineType] : undefined;
        if (!pool || !machine) return undefined;
        return {
            gpusPerNode: pool.acceleratorCount ?? machine.allowedCounts[0],
            gpuModel: machine.model,
            nodeVcpus: machine.vcpus,
            nodeMemoryGiB: machine.nodeMemoryGiB,
        };
    }
    const pool = region.gpuPools.find((p) => p.name === poolName);
    return pool ? { gpusPerNode: pool.gpusPerNode, gpuModel: pool.model } : undefined;
}

/**
 * Regions that sit behind the global name: every region with globalRouting on, except
 * edge clusters without a public endpoint (nothing to point DNS at).
 */
export function routedRegions(s: Pick<ParsedSettings, "regions">): string[] {
    return s.regions.filter((r) => r.globalRouting && (r.cloud !== "existing" || r.publicEndpoint !== undefined)).map((r) => r.name);
}

function isWithin(domain: string, zone: string): boolean {
    const d = domain.toLowerCase().replace(/\.$/, "");
    const z = zone.toLowerCase().replace(/\.$/, "");
    return d === z || d.endsWith(`.${z}`);
}

/** [value, index] of every entry that repeats an earlier one. */
function duplicates(values: string[]): Array<[string, number]> {
    const seen = new Set<string>();
    const out: Array<[string, number]> = [];
    values.forEach((v, i) => {
        if (seen.has(v)) out.push([v, i]);
        seen.add(v);
    });
    return out;
}

/**
 * A region marked for removal must be one that can go: out of DNS first, not the store's
 * primary (every copy is fed from it), no other region reading its copy, and not also
 * marked protected.
 */
function decommissionProblems(s: ParsedSettings): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    s.regions.forEach((r, i) => {
        if (!r.decommission) return;
        const at = `regions[${i}]`;
        if (r.protect === true) {
            problems.push({
                path: `${at}.protect`,
                message: `is true, but the region is marked decommission: a region being removed has its protection lifted`,
                fix: `pulumi config rm --path '${at}.protect'`,
            });
        }
        if (r.globalRouting) {
            problems.push({
                path: `${at}.globalRouting`,
                message: `is true, but the region is marked decommission: take it out of the global name first (docs/runbooks/region-loss.md)`,
                fix: setCommand(`${at}.globalRouting`, false),
            });
        }
        if (r.name === s.modelStore.primaryRegion) {
            // Switching the primary comes first; the readers follow it.
            problems.push({
                path: `${at}.decommission`,
                message: `marks the model store's primary '${r.name}', which feeds every copy; switch the primary first (docs/model-store.md)`,
                fix: setCommand(
                    "modelStore.primaryRegion",
                    s.regions.find((o) => o.cloud === "aws" && o.name !== r.name)?.name ?? "<aws-region-name>",
                ),
            });
            return;
        }
        s.regions.forEach((o, j) => {
            if (o.cloud === "existing" && o.modelStoreSource === r.name) {
                problems.push({
                    path: `regions[${j}].modelStoreSource`,
                    message: `reads the copy of '${r.name}', which is marked decommission; read another AWS region's copy`,
                    fix: setCommand(`regions[${j}].modelStoreSource`, s.modelStore.primaryRegion),
                });
            }
        });
    });
    return problems;
}
