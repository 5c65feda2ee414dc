/**
 * Helpers shared by the policy modules. Everything here is a pure function: the pack,
 * the offline runner and the guard import the policies without starting anything.
 *
 * Props reach a policy behind @pulumi/policy's unknown-checking proxy, so reading a value
 * that is unknown at preview throws and the engine skips the policy. The readers below
 * never swallow that error; `isSet` is the one exception by design, see its comment.
 */
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";

export type { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidationArgs };
export type GuardPolicy = ResourceValidationPolicy | StackValidationPolicy;

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A provider's input args as a policy receives them: plain data (no Inputs or Outputs), and
 * every field optional at every depth, since a rendered chart or the guard's YAML may leave
 * out what the SDK requires. Reading through this type makes a misspelt field a type error;
 * values are still checked at run time by the readers below (`flag`, `text`, `count`, ...).
 */
export type Inputs<Args> = Loose<Unwrap<Args>>;
type Loose<T> = T extends readonly (infer E)[] ? Loose<E>[] : T extends object ? { [K in keyof T]?: Loose<T[K]> } : T;

/** The raw props of a resource viewed as its provider's input args. */
export function inputsOf<Args>(props: Record<string, unknown>): Inputs<Args> {
    return props as Inputs<Args>;
}

/** Keys one step into `T`: its field names, or an index into an array. */
export type Step<T> = T extends readonly unknown[] ? number : T extends object ? Extract<keyof T, string> : never;
/** What one step into `T` by `K` holds. */
export type At<T, K> = T extends readonly (infer E)[] ? E : T extends object ? (K extends keyof T ? T[K] : undefined) : undefined;

/** Walks a typed path through objects and arrays; undefined as soon as a step does not exist. */
export function get<T, A extends Step<T>>(value: T, a: A): At<T, A> | undefined;
export function get<T, A extends Step<T>, B extends Step<At<T, A>>>(value: T, a: A, b: B): At<At<T, A>, B> | undefined;
export function get<T, A extends Step<T>, B extends Step<At<T, A>>, C extends Step<At<At<T, A>, B>>>(
    value: T,
    a: A,
    b: B,
    c: C,
): At<At<At<T, A>, B>, C> | undefined;
export function get(value: unknown, ...path: Array<string | number>): unknown {
    return dig(value, path);
}

/**
 * The untyped walk, for data no provider types: documents inside a string input (IAM
 * policies, controller annotations) and the objects of kinds outside the built-in table.
 */
export function dig(value: unknown, path: ReadonlyArray<string | number>): unknown {
    let current = value;
    for (const key of path) {
        if (typeof key === "number") {
            if (!Array.isArray(current)) return undefined;
            current = current[key];
        } else {
            if (!isRecord(current)) return undefined;
            current = current[key];
        }
    }
    return current;
}

export function list<T>(value: readonly T[] | null | undefined): T[];
export function list(value: unknown): unknown[];
export function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

export function flag(value: unknown): boolean | undefined {
    return typeof value === "boolean" ? value : undefined;
}

/** A number, or a string holding one (YAML and Kubernetes quantities arrive either way). */
export function count(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
        return Number(value);
    }
    return undefined;
}

/**
 * The tag (AWS) or label (GCP) a region's cluster and model-store copy carry while the region
 * is being removed; the program sets it from \`regions[].decommission\` (components/lifecycle.ts).
 */
export const DECOMMISSION_MARKER = "modelfleet-decommission";

/** Whether tags or labels carry the decommission marker. */
export function markedForRemoval(tagsOrLabels: unknown): boolean {
    return stringMap(tagsOrLabels)[DECOMMISSION_MARKER] === "true";
}

export function stringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (!isRecord(value)) return out;
    for (const [k, v] of Object.entries(value)) {
        if (typeof v === "string") out[k] = v;
        else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    }
    return out;
}

/**
 * True when `key` holds a value, known or not. It reads the own-property descriptor, which
 * the unknown-checking proxy does not intercept, so "an SSL policy is attached" can be
 * checked at preview even though the attached policy's self-link is still unknown.
 */
export function isSet<T>(value: T, key: Step<T>): boolean {
    if (!isRecord(value)) return false;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) return false;
    const raw: unknown = descriptor.value;
    return raw !== undefined && raw !== null && raw !== "";
}

/** Shell-style pattern (`*` only) to an anchored regular expression. */
export function globMatches(pattern: string, candidate: string): boolean {
    const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${escaped.join(".*")}$`).test(candidate);
}

export function matchesAny(patterns: readonly string[], candidate: string): boolean {
    return patterns.some((p) => globMatches(p, candidate));
}

export type TypedResourceCheck<Props = Record<string, unknown>> = (
    props: Props,
    args: ResourceValidationArgs,
    reportViolation: ReportViolation,
) => void;

/**
 * Like @pulumi/policy's `validateResourceOfType`, but keyed by type token so the pack loads
 * provider SDKs for their types only. `Args` is the provider's input type for those tokens
 * (e.g. `ClusterArgs` of `aws:eks/cluster:Cluster`); the check reads props through it. A
 * single token is attached as `__pulumiType`, which lets the engine skip the policy for
 * other types without calling it.
 */
export function forTypes<Args = Record<string, unknown>>(
    types: readonly string[],
    check: TypedResourceCheck<Inputs<Args>>,
): ResourceValidation {
    const validate: ResourceValidation = (args, reportViolation) => {
        if (!types.includes(args.type)) {
            args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
        }
        check(inputsOf<Args>(args.props), args, reportViolation);
    };
    return types.length === 1 ? Object.assign(validate, { __pulumiType: types[0] }) : validate;
}

export function resourcesOfType(args: StackValidationArgs, types: readonly string[]): PolicyResource[] {
    return args.resources.filter((r) => types.includes(r.type));
}

/** Stack validation tagged with the single type it needs, so the engine skips stacks without it. */
export function forStackType(type: string, check: StackValidation): StackValidation {
    return Object.assign(check, { __pulumiType: type });
}

/** JSON-schema fragments for `configSchema`, each with its default. */
export const setting = {
    integer: (description: string, defaultValue: number, minimum = 0) => ({
        type: "integer" as const,
        description,
        default: defaultValue,
        minimum,
    }),
    boolean: (description: string, defaultValue: boolean) => ({
        type: "boolean" as const,
        description,
        default: defaultValue,
    }),
    string: (description: string, defaultValue: string) => ({
        type: "string" as const,
        description,
        default: defaultValue,
    }),
    strings: (description: string, defaultValue: readonly string[]) => ({
        type: "array" as const,
        items: { type: "string" as const },
        description,
        default: [...defaultValue],
    }),
};

/**
 * Policy config over its defaults. The CLI and the offline runner both fill schema defaults
 * already; merging here as well keeps a policy correct under any host.
 */
export function settingsOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
    return { ...defaults, ...args.getConfig<Partial<T>>() };
}
