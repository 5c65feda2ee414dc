import { ConfigProblem, setCommand } from "../../config/errors";
import type { PlanResource } from "../contracts";

/**
 * A region rename without `formerName` gives the region a new model-store bucket (the
 * bucket name embeds the region's name) and leaves the old copy behind with the data: the
 * new replica starts empty. The program alone cannot see a rename, since it has no memory
 * of the last deployment; a previous plan (the base branch's plan.json, say) can. A copy
 * that disappears while a new one appears in the same cloud location is such a rename.
 */

const STORE_BUCKET = /^model-store-(.+)-bucket$/;
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "gcp:storage/bucket:Bucket"];

interface StoreBucket {
    urn: string;
    /** The store key the bucket was created under (the region's name, or its formerName). */
    key: string;
    type: string;
    /** The AWS region or GCS location. */
    location: string;
}

function storeBuckets(resources: readonly PlanResource[]): StoreBucket[] {
    return resources.flatMap((r) => {
        const m = STORE_BUCKET.exec(r.name);
        if (!BUCKET_TYPES.includes(r.type) || !m) return [];
        const where = r.type === BUCKET_TYPES[0] ? r.inputs["region"] : r.inputs["location"];
        return [{ urn: r.urn, key: m[1], type: r.type, location: String(where ?? "").toLowerCase() }];
    });
}

/** One problem per renamed region whose model-store copy would be replaced by an empty one. */
export function storeRenameProblems(
    previous: readonly PlanResource[],
    current: readonly PlanResource[],
    regions: ReadonlyArray<{ name: string }>,
): ConfigProblem[] {
    const before = storeBuckets(previous);
    const after = storeBuckets(current);
    const beforeUrns = new Set(before.map((b) => b.urn));
    const afterUrns = new Set(after.map((b) => b.urn));
    const gone = before.filter((b) => !afterUrns.has(b.urn));
    const added = after.filter((b) => !beforeUrns.has(b.urn));
    const problems: ConfigProblem[] = [];
    for (const fresh of added) {
        const old = gone.find((g) => g.type === fresh.type && g.location === fresh.location);
        if (!old) continue;
        gone.splice(gone.indexOf(old), 1);
        const index = regions.findIndex((r) => r.name === fresh.key);
        const path = `regions[${index >= 0 ? index : "?"}].formerName`;
        problems.push({
            path,
            message: `is not set, but region '${fresh.key}' looks like '${old.key}' renamed (its ${fresh.location} model-store copy would be a new, empty bucket and the old one, with the models, left behind)`,
            fix: `${setCommand(path, old.key)} (or, if '${old.key}' was removed and '${fresh.key}' is new, plan without --previous)`,
        });
    }
    return problems;
}
