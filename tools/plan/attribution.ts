import type { PlanResource } from "../contracts";

const REGION_COMPONENT = /^modelfleet:(aws|gcp|existing):Region$/;

/**
 * Which region each resource belongs to: the nearest ancestor region component, or for
 * Kubernetes objects the region whose provider they are created through. Resources of
 * no region (the global entry, the model store's shared parts) map to "global".
 */
export function regionAttribution(resources: PlanResource[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const cache = new Map<string, string>();
    const ancestorRegion = (urn: string | undefined, depth = 0): string | undefined => {
        if (!urn || depth > 64) return undefined;
        const cached = cache.get(urn);
        if (cached !== undefined) return cached;
        const r = byUrn.get(urn);
        if (!r) return undefined;
        const found = REGION_COMPONENT.test(r.type) ? r.name : ancestorRegion(r.parent, depth + 1);
        if (found !== undefined) cache.set(urn, found);
        return found;
    };
    const out = new Map<string, string>();
    for (const r of resources) {
        const region = ancestorRegion(r.urn) ?? ancestorRegion(r.provider);
        out.set(r.urn, region ?? "global");
    }
    return out;
}
