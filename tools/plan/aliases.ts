import type { PlanAlias, PlanResource } from "../contracts";

/**
 * Which earlier resource each resource of a plan takes over, computed as the Pulumi engine
 * does it when it registers the resource (pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * `generateSteps`, `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`):
 *
 * - the resource's own URN first, then its aliases, in order; the first one in the old
 *   state is the resource it takes over;
 * - an alias spec without a parent gets the resource's parent (the Node.js SDK always sends
 *   it), and a parent that itself took over an old resource stands for that old URN;
 * - a resource whose parent took over an old resource also inherits an alias: its type under
 *   the parent's old type chain, its name with the parent's new name prefix swapped for the
 *   old one (only when its name starts with the parent's new name), and the same for each
 *   of its own aliases. The engine takes the old URN the parent actually matched, not the
 *   parent's alias list: a parent that kept its URN passes nothing on.
 *
 * Nothing else is inherited: a child named without its parent's name as a prefix, or a
 * resource parented elsewhere, needs its own alias.
 */

export interface AliasResolution {
    /** Current URN -> the old URN it takes over through an alias. */
    aliased: Map<string, string>;
    /** URNs in both plans. */
    same: string[];
    /** Current URNs that take over nothing: the engine creates them. */
    created: string[];
    /** Old URNs nothing takes over: the engine deletes them. */
    deleted: string[];
    /** Aliases that claim an old resource twice, or one still in use (the engine refuses the update). */
    conflicts: string[];
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

interface UrnParts {
    stack: string;
    project: string;
    qualifiedType: string;
    name: string;
}

function parse(urn: string): UrnParts {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a URN: ${urn}`);
    return { stack: parts[0].slice("urn:pulumi:".length), project: parts[1], qualifiedType: parts[2], name: parts.slice(3).join("::") };
}

function typeOf(urn: string): string {
    const chain = parse(urn).qualifiedType.split("$");
    return chain[chain.length - 1];
}

/** resource.NewURN: the parent's qualified type (none for the root stack) chained with the type. */
function newUrn(stack: string, project: string, parentType: string, type: string, name: string): string {
    const qualified = parentType !== "" && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function resolveAliases(previous: readonly PlanResource[], current: readonly PlanResource[]): AliasResolution {
    const olds = new Set(previous.map((r) => r.urn));
    const seen = new Set<string>();
    /** Current URN -> the old URN it matched through an alias (the engine's `sg.aliases`). */
    const matched = new Map<string, string>();
    /** Old URN -> the current URN that claimed it (the engine's `sg.aliased`). */
    const claimedBy = new Map<string, string>();
    const same: string[] = [];
    const created: string[] = [];
    const conflicts: string[] = [];

    for (const r of current) {
        const { stack, project } = parse(r.urn);
        const parent = r.parent ?? "";
        const collapse = (alias: PlanAlias): string => {
            if (alias.urn !== undefined) return alias.urn;
            let aliasParent = alias.parent ?? parent;
            aliasParent = matched.get(aliasParent) ?? aliasParent;
            const parentType = aliasParent === "" ? "" : parse(aliasParent).qualifiedType;
            return newUrn(stack, project, parentType, alias.type ?? r.type, alias.name ?? r.name);
        };
        const inherited = (childType: string, childName: string, parentAlias: string): string => {
            const parentName = parse(parent).name;
            const old = parse(parentAlias);
            const name = childName.startsWith(parentName) ? old.name + childName.slice(parentName.length) : childName;
            return newUrn(stack, project, old.qualifiedType, childType, name);
        };

        const candidates: string[] = [];
        const add = (urn: string) => {
            if (!candidates.includes(urn)) candidates.push(urn);
        };
        const own = (r.opts.aliases ?? []).map(collapse);
        own.forEach(add);
        const parentAlias = matched.get(parent);
        if (parentAlias !== undefined) {
            add(inherited(r.type, r.name, parentAlias));
            for (const urn of own) add(inherited(typeOf(urn), parse(urn).name, parentAlias));
        }

        seen.add(r.urn);
        if (olds.has(r.urn)) {
            same.push(r.urn);
            continue;
        }
        const hit = candidates.find((c) => olds.has(c));
        if (hit === undefined) {
            created.push(r.urn);
            continue;
        }
        if (seen.has(hit)) conflicts.push(`${r.urn} takes over ${hit}, which this plan also registers`);
        const earlier = claimedBy.get(hit);
        if (earlier !== undefined) conflicts.push(`${r.urn} and ${earlier} both take over ${hit}`);
        claimedBy.set(hit, r.urn);
        matched.set(r.urn, hit);
    }
    const deleted = previous.map((r) => r.urn).filter((urn) => !seen.has(urn) && !claimedBy.has(urn));
    return { aliased: matched, same, created, deleted, conflicts };
}
