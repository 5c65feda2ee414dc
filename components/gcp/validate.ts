import { setCommand, type ConfigProblem } from "../../config/errors";
import type { RegionConfig } from "../../config";
import { formatCidr, hasHostBits, networkOf, parseCidr, type Ipv4Block } from "../net/ipv4";

/** A region entry with `cloud: gcp`. */
export type GcpRegionConfig = Extract<RegionConfig, { cloud: "gcp" }>;

/** GKE gives every node a /24 of pod addresses (110 pods per node, its default). */
const POD_RANGE_PREFIX_PER_NODE = 24;
/** GCP keeps four addresses of every subnet for itself. */
const RESERVED_SUBNET_ADDRESSES = 4;
/** GKE's limit on authorized networks for a cluster's public endpoint. */
const MAX_AUTHORIZED_NETWORKS = 50;

/** The four ranges of a GKE cluster; none may overlap another. */
const CLUSTER_RANGES = ["networkCidr", "podsCidr", "servicesCidr", "masterCidr"] as const;

/**
 * What GKE or Compute Engine would refuse halfway through `pulumi up` and the config schema
 * does not catch: overlapping or misaligned ranges, a control-plane range that is not a /28,
 * ranges too small for the pools' maximum size, a control plane nobody may reach.
 * `at` is the region's key path, e.g. `regions[2]`. Pure, so config validation can call it.
 */
export function gcpRegionProblems(region: GcpRegionConfig, at: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string, fix: string) => problems.push({ path, message, fix });

    const blocks: Partial<Record<(typeof CLUSTER_RANGES)[number], Ipv4Block>> = {};
    for (const key of CLUSTER_RANGES) {
        const block = parseCidr(region[key]);
        if (!block) continue;
        // The remaining checks look at the block GCP would have to use, host bits cleared.
        blocks[key] = networkOf(block, block.prefix);
        if (hasHostBits(block)) {
            add(
                `${at}.${key}`,
                `'${region[key]}' has host bits set; use the network address ${formatCidr(networkOf(block, block.prefix))}`,
                setCommand(`${at}.${key}`, formatCidr(networkOf(block, block.prefix))),
            );
        }
    }

    const master = blocks.masterCidr;
    if (master && master.prefix !== 28) {
        add(
            `${at}.masterCidr`,
            `must be a /28 block (the size GKE requires for the control-plane range), got /${master.prefix}`,
            setCommand(`${at}.masterCidr`, formatCidr(networkOf(master, 28))),
        );
    }

    CLUSTER_RANGES.forEach((key, i) => {
        const block = blocks[key];
        if (!block) return;
        for (const earlier of CLUSTER_RANGES.slice(0, i)) {
            const other = blocks[earlier];
            if (other && overlaps(block, other)) {
                add(
                    `${at}.${key}`,
                    `'${region[key]}' overlaps ${earlier} '${region[earlier]}'; the node, pod, service and control-plane ranges must not overlap`,
                    setCommand(`${at}.${key}`, "<a block outside the other three ranges>"),
                );
            }
        }
    });

    const maxNodes = region.systemPool.maxNodes + region.gpuPools.reduce((sum, p) => sum + p.maxNodes, 0);
    const pods = blocks.podsCidr;
    if (pods) {
        const nodesWithPodRange = pods.prefix > POD_RANGE_PREFIX_PER_NODE ? 0 : 2 ** (POD_RANGE_PREFIX_PER_NODE - pods.prefix);
        if (nodesWithPodRange < maxNodes) {
            const needed = Math.max(0, POD_RANGE_PREFIX_PER_NODE - Math.ceil(Math.log2(maxNodes)));
            add(
                `${at}.podsCidr`,
                `is a /${pods.prefix}, which holds pod addresses for ${nodesWithPodRange} node(s) (GKE gives each node a /24), but the pools can grow to ${maxNodes} nodes`,
                setCommand(`${at}.podsCidr`, formatCidr(networkOf(pods, needed))),
            );
        }
    }
    const nodes = blocks.networkCidr;
    if (nodes) {
        const usable = Math.max(0, 2 ** (32 - nodes.prefix) - RESERVED_SUBNET_ADDRESSES);
        if (usable < maxNodes) {
            const needed = 32 - Math.ceil(Math.log2(maxNodes + RESERVED_SUBNET_ADDRESSES));
            add(
                `${at}.networkCidr`,
                `is a /${nodes.prefix} with ${usable} usable addresses, but the pools can grow to ${maxNodes} nodes`,
                setCommand(`${at}.networkCidr`, formatCidr(networkOf(nodes, needed))),
            );
        }
    }

    if (region.masterAuthorizedNetworks.length === 0) {
        add(
            `${at}.masterAuthorizedNetworks`,
            "is empty: the control plane would accept no one on its public endpoint, and this program deploys the serving stack through that endpoint",
            `pulumi config set --path '${at}.masterAuthorizedNetworks[0].name' deployers && ${setCommand(`${at}.masterAuthorizedNetworks[0].cidr`, "<CIDR of your CI runners>")}`,
        );
    } else if (region.masterAuthorizedNetworks.length > MAX_AUTHORIZED_NETWORKS) {
        add(
            `${at}.masterAuthorizedNetworks`,
            `lists ${region.masterAuthorizedNetworks.length} networks; GKE allows at most ${MAX_AUTHORIZED_NETWORKS}`,
            "merge neighbouring blocks into larger ones",
        );
    }
    region.masterAuthorizedNetworks.forEach((network, ni) => {
        const block = parseCidr(network.cidr);
        if (block && hasHostBits(block)) {
            const path = `${at}.masterAuthorizedNetworks[${ni}].cidr`;
            add(
                path,
                `'${network.cidr}' has host bits set; use the network address ${formatCidr(networkOf(block, block.prefix))}`,
                setCommand(path, formatCidr(networkOf(block, block.prefix))),
            );
        }
    });

    region.gpuPools.forEach((pool, pi) => {
        if (pool.zones !== undefined && pool.zones.length === 0) {
            add(
                `${at}.gpuPools[${pi}].zones`,
                "is empty; list the zones that offer the pool's GPUs, or remove the key to use the cluster's zones",
                `pulumi config rm --path '${at}.gpuPools[${pi}].zones'`,
            );
        }
    });
    return problems;
}

function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
    const aEnd = a.base + 2 ** (32 - a.prefix);
    const bEnd = b.base + 2 ** (32 - b.prefix);
    return a.base < bEnd && b.base < aEnd;
}
