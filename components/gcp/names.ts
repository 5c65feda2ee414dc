import { createHash } from "crypto";

/**
 * Physical names of the GCP resources of one region. GCP names are lowercase letters,
 * digits and '-', start with a letter, and have per-type length limits; stack names may
 * hold characters GCP refuses, so every name goes through `gcpName`.
 */

/** GKE refuses cluster and node pool names longer than 40 characters. */
export const GKE_NAME_MAX = 40;
/** Compute Engine (network, subnetwork, router, NAT) names: 63 characters. */
export const COMPUTE_NAME_MAX = 63;
/** Service account ids: 6-30 characters. */
export const SERVICE_ACCOUNT_ID_MAX = 30;

/** A short stable hex digest of the values. */
export function shortHash(value: unknown, length = 6): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}

/**
 * Joins the parts into a valid GCP name of at most `maxLength` characters. A name that is
 * too long is cut and given a hash of the whole, so two long names never collide.
 */
export function gcpName(parts: string[], maxLength: number): string {
    const full = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "");
    const name = full.length > 0 ? full : "mf";
    if (name.length <= maxLength) return name;
    const hash = shortHash(name, 4);
    return `${name.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/**
 * A node pool name that changes whenever a setting GKE can only apply by recreating the
 * pool changes. Pulumi then creates the new pool before it deletes the old one (the default
 * create-before-delete needs a free name), so the cluster never loses the pool's capacity.
 */
export function nodePoolName(role: string, immutableShape: unknown): string {
    const hash = shortHash(immutableShape);
    return `${gcpName([role], GKE_NAME_MAX - hash.length - 1)}-${hash}`;
}
