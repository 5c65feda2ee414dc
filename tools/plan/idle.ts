import type { FleetSettings } from "../../config";

/**
 * GPU pools no serving track runs on: TorchServe's tracks all run on the region's
 * `servingPool` (its first GPU pool by default), so any other pool only costs money while
 * it holds nodes. One line per pool, naming the key to change.
 */
export function idlePools(settings: FleetSettings): string[] {
    return settings.regions.flatMap((region, ri) => {
        const serving = region.servingPool ?? region.gpuPools[0]?.name;
        return region.gpuPools.flatMap((pool, pi) => {
            if (pool.name === serving) return [];
            const size = "minNodes" in pool ? `, ${pool.minNodes}-${pool.maxNodes} nodes` : "";
            return [
                `idle capacity: regions[${ri}].gpuPools[${pi}] (${region.name}/${pool.name}${size}) runs no serving track (regions[${ri}].servingPool is ${serving}); remove it or make it the servingPool`,
            ];
        });
    });
}
