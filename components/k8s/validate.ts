import { trackWeights, type FleetConfig, type RegionConfig } from "../../config";
import type { LlmImageSource } from "../global/imageRegistry";
import type { ModelStoreAccess, RegionCluster, RegionTls } from "../types";

/**
 * What the serving stack checks of its arguments. Everything about the stack file is
 * config validation's (config/); these are the arguments the program builds: the cluster,
 * the model-store access and the certificate.
 */
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

/** Every problem with the serving stack's arguments, each naming the argument at fault. */
export function servingArgProblems({ config, region, cluster, modelStore, tls, llmImage }: ServingCheckInput): string[] {
    const problems: string[] = [];
    const ri = config.regions.findIndex((r) => r.name === region.name);
    const regionKey = ri >= 0 ? `regions[${ri}]` : `regions[?] (${region.name})`;
    const weights = trackWeights(config.serving);
    if (cluster.ingress.kind === "class" && !cluster.ingress.className.includes("nginx") && weights.blue > 0 && weights.green > 0) {
        problems.push(
            `serving.traffic splits requests (blue ${weights.blue}%, green ${weights.green}%) but region ${region.name}'s ingress class '${cluster.ingress.className}' has no weighted routing (ingress-nginx canary annotations are what edge clusters use); set ${regionKey}.ingressClass to an nginx class, or give one track 100`,
        );
    }
    if (!cluster.gpuPools[region.servingPool]) {
        problems.push(
            `cluster.gpuPools has no '${region.servingPool}' (region ${region.name}'s serving pool; the cluster has: ${Object.keys(cluster.gpuPools).join(", ") || "none"})`,
        );
    }
    if (pairs[cluster.ingress.kind] !== tls.kind) {
        problems.push(
            `tls is of kind '${tls.kind}' but the cluster's '${cluster.ingress.kind}' ingress needs '${pairs[cluster.ingress.kind]}'`,
        );
    }
    if (tls.hosts.length === 0) problems.push("tls.hosts is empty: the Ingress needs at least one host");
    const llmModel = config.models.find((m) => m.openai && region.modelNames.includes(m.name));
    if (llmModel && !llmImage) {
        problems.push(
            `llmImage is missing but region ${region.name} serves ${llmModel.name} (openai: true), which needs the vLLM image: pass the ImageRegistry's source for the region`,
        );
    }
    if (cluster.workloadIdentity.kind === "static-credentials" && modelStore.staticCredentials === undefined) {
        problems.push(`modelStore.staticCredentials is missing: the cluster of region ${region.name} has no workload identity`);
    }
    return problems;
}
