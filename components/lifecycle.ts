/**
 * The marker a region's cluster and model-store copy carry while the region is being removed
 * (`regions[].decommission: true`): a tag on AWS, a label on GCP (lowercase, so one key works
 * on both). The prod policies accept those resources without `protect` only when they carry
 * it (policy/policies/clusters.ts, storage.ts), so lifting protection is a reviewed change
 * visible in the plan, never a silent side effect of `protect: false`.
 */
export const DECOMMISSION_MARKER = "modelfleet-decommission";

/** The marker as tags or labels to merge in: empty unless the region is being removed. */
export function decommissionMarker(region: { decommission?: boolean }): Record<string, string> {
    return region.decommission === true ? { [DECOMMISSION_MARKER]: "true" } : {};
}
