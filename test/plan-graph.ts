import type { Plan, PlanResource } from "../tools/contracts";

/**
 * The order `pulumi up` creates a plan's resources in, as a graph: a resource waits for
 * everything in its `dependencies`, and waiting on a component means waiting on every
 * resource under it (the engine expands a component in `dependsOn` to its children).
 */
export class PlanGraph {
    private readonly byUrn: Map<string, PlanResource>;
    private readonly children = new Map<string, string[]>();

    constructor(private readonly plan: Plan) {
        this.byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const r of plan.resources) {
            if (r.parent === undefined) continue;
            this.children.set(r.parent, [...(this.children.get(r.parent) ?? []), r.urn]);
        }
    }

    resource(urn: string): PlanResource {
        const r = this.byUrn.get(urn);
        if (!r) throw new Error(`no resource ${urn}`);
        return r;
    }

    find(type: string, name?: string): PlanResource[] {
        return this.plan.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    }

    /** What a resource waits for directly, components expanded to their descendants. */
    directWaits(urn: string): string[] {
        const out = new Set<string>();
        for (const dep of this.resource(urn).dependencies ?? []) for (const d of this.withDescendants(dep)) out.add(d);
        return [...out];
    }

    /** Everything created before this resource, transitively. */
    waitsFor(urn: string): Set<string> {
        const seen = new Set<string>();
        const queue = [urn];
        while (queue.length > 0) {
            const at = queue.shift() as string;
            for (const dep of this.byUrn.has(at) ? this.directWaits(at) : []) {
                if (seen.has(dep)) continue;
                seen.add(dep);
                queue.push(dep);
            }
        }
        return seen;
    }

    private withDescendants(urn: string): string[] {
        const out = [urn];
        for (const child of this.children.get(urn) ?? []) out.push(...this.withDescendants(child));
        return out;
    }
}

/**
 * The Google API each GCP resource type calls to be created. Cloud Storage is on in every
 * new project (https://cloud.google.com/service-usage/docs/enabled-service#default), so
 * bucket resources need no service of their own; a type missing from this table fails the
 * check until someone says which API it needs.
 */
export const GCP_TYPE_APIS: Array<[prefix: string, api: string | null]> = [
    ["gcp:compute/", "compute.googleapis.com"],
    ["gcp:container/", "container.googleapis.com"],
    ["gcp:serviceaccount/", "iam.googleapis.com"],
    ["gcp:projects/iAMMember:", "cloudresourcemanager.googleapis.com"],
    ["gcp:kms/", "cloudkms.googleapis.com"],
    ["gcp:storage/transferJob:", "storagetransfer.googleapis.com"],
    ["gcp:certificatemanager/", "certificatemanager.googleapis.com"],
    ["gcp:artifactregistry/", "artifactregistry.googleapis.com"],
    ["gcp:storage/bucket:", null],
    ["gcp:storage/bucketIAMMember:", null],
    ["gcp:projects/service:", null],
];

/** Every GCP resource that can be created before the API it calls is on, as "name (type) needs api". */
export function resourcesRacingTheirApi(plan: Plan): string[] {
    const graph = new PlanGraph(plan);
    const services = plan.resources.filter((r) => r.type === "gcp:projects/service:Service");
    const problems: string[] = [];
    for (const r of plan.resources) {
        if (!r.custom || !r.type.startsWith("gcp:")) continue;
        const entry = GCP_TYPE_APIS.find(([prefix]) => r.type.startsWith(prefix));
        if (entry === undefined) {
            problems.push(`${r.name} (${r.type}) is of a type with no known API`);
            continue;
        }
        const api = entry[1];
        if (api === null) continue;
        const project = r.inputs["project"];
        const candidates = services
            .filter((s) => s.inputs["service"] === api && (typeof project !== "string" || s.inputs["project"] === project))
            .map((s) => s.urn);
        const waits = graph.waitsFor(r.urn);
        if (!candidates.some((c) => waits.has(c))) problems.push(`${r.name} (${r.type}) needs ${api}`);
    }
    return problems;
}
