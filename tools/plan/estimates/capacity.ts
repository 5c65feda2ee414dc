import type { FleetSettings } from "../../../config";
import { servingPoolRoom } from "../../../config/serving";
import { poolShape } from "../../../config/validate";

/** Headroom of one GPU pool: TorchServe pods at their maxima during a rollout against the pods that fit at maxNodes. */
export interface PoolCapacity {
    region: string;
    pool: string;
    /** Pods both tracks need at their traffic shares plus a rollout's surge pod; 0 on a pool that serves no track. */
    usedPods: number;
    /** TorchServe pods that fit on the pool at maxNodes. */
    availablePods: number;
}

export interface CapacityEstimate {
    pools: PoolCapacity[];
}

/**
 * Per GPU pool of every cloud region, the numbers the serving-pool capacity rule judges
 * (config/serving.ts servingPoolRoom). Edge pools state no maximum size and are left out.
 */
export function capacityEstimate(settings: FleetSettings): CapacityEstimate {
    const pools: PoolCapacity[] = [];
    const gpusPerPod = settings.serving.torchserve.gpus;
    for (const region of settings.regions) {
        if (region.cloud === "existing") continue;
        const room = servingPoolRoom(settings, region);
        region.gpuPools.forEach((pool, i) => {
            if (room !== undefined && room.poolIndex === i) {
                pools.push({ region: region.name, pool: pool.name, usedPods: room.needed, availablePods: room.capacity });
                return;
            }
            const shape = poolShape(region, pool.name);
            if (shape === undefined) return;
            pools.push({
                region: region.name,
                pool: pool.name,
                usedPods: 0,
                availablePods: pool.maxNodes * Math.floor(shape.gpusPerNode / gpusPerPod),
            });
        });
    }
    return { pools };
}
