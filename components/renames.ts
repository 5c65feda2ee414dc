import type * as pulumi from "@pulumi/pulumi";

/** A region entry as far as a rename is concerned. */
export interface RenamedRegion {
    name: string;
    /** The entry's name before a rename; resources keep the URNs and cloud names they had under it. */
    formerName?: string;
}

/**
 * The alias that keeps a resource named after a region when the region is renamed:
 * `nameFor(formerName)` under the same type and parent (the engine maps a renamed parent to
 * its old URN). None when the region was never renamed.
 *
 * Children of an aliased component inherit an alias from it only when their name starts with
 * the component's name (pulumi/pulumi step_generator.go, `inheritedChildAlias`); any other
 * resource whose name embeds the region's name needs one of these.
 */
export function formerAliases(region: RenamedRegion, nameFor: (regionName: string) => string): pulumi.Alias[] | undefined {
    return region.formerName === undefined ? undefined : [{ name: nameFor(region.formerName) }];
}

/**
 * The region name that cloud-side names (cluster, network, IAM, service accounts) embed: the
 * former name after a rename, since most of those names cannot change without replacing the
 * resource. Tags, labels and DNS names take the region's current name.
 */
export function physicalRegionName(region: RenamedRegion): string {
    return region.formerName ?? region.name;
}
