import * as pulumi from "@pulumi/pulumi";
import type { PlanAlias, PlanResource, PlanResourceOpts } from "../contracts";
import { SECRET_MARKER } from "../contracts";
import { FleetMocks, isWrappedSecret, MockedResource } from "../mocks";
import { runtimeConfig } from "../stackfile";
import { answerWithoutStructs } from "./monitor";
import { outputsOnFirstRead, packWithoutStructs, withoutSourcePositions } from "./shortcuts";

/**
 * Runs a Pulumi program under the SDK's mock runtime and records every resource it
 * registers: its inputs as the program passed them, and the options that matter for
 * safety and ordering. Nothing here is reachable from the program itself; the program
 * runs exactly as under `pulumi up`, with mocks standing in for the engine.
 */

export interface OfflineRunOptions {
    project: string;
    stack: string;
    /** Full config keys (`modelfleet:regions`) to values; objects are passed as JSON like the CLI does. */
    config: Record<string, unknown>;
    /** Keys the runtime must treat as secret. */
    secretKeys: string[];
    /** Loads the program and returns its exports (e.g. `() => require("../../index")`). */
    program: () => Record<string, unknown> | Promise<Record<string, unknown>>;
    /**
     * Skip the SDK's per-resource work that nothing offline reads (protobuf Structs, Outputs
     * nobody reads, source positions); the plan is the same either way. Default true.
     */
    sdkShortcuts?: boolean;
}

export interface OfflineRun {
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    /** Errors the program raised while resources were being registered. */
    errors: Error[];
}

/** The SDK's marker for values unknown at preview (also what `pulumi preview --json` prints). */
export const UNKNOWN_MARKER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface Recorded {
    resource: pulumi.Resource;
    type: string;
    name: string;
    custom: boolean;
    opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
    /** The inputs as the program passed them, Outputs and all: their resources are dependencies. */
    props: unknown;
}

export async function runOffline(options: OfflineRunOptions): Promise<OfflineRun> {
    pulumi.runtime.setAllConfig(runtimeConfig(options.config), options.secretKeys);
    const mocks = new FleetMocks();
    await pulumi.runtime.setMocks(mocks, options.project, options.stack, true);
    const shortcuts = options.sdkShortcuts ?? true;
    if (shortcuts) answerWithoutStructs();

    const errors: Error[] = [];
    // The SDK rejects every promise of a failed registration with the same error: report it once.
    const record = (reason: unknown) => {
        const err = reason instanceof Error ? reason : new Error(String(reason));
        if (!errors.includes(err)) errors.push(err);
    };
    process.on("unhandledRejection", record);

    const recorded: Recorded[] = [];
    let exports: Record<string, unknown> = {};
    // The SDK captures a stack trace for every promise it wraps (dozens per resource) to
    // explain a registration that never resolves; offline, those traces cost a third of
    // the plan's CPU and most of its memory and are never shown. Error messages are
    // unchanged; traces come back for everything after registration.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const restore = shortcuts ? [packWithoutStructs(), outputsOnFirstRead(), withoutSourcePositions()] : [];
    try {
        // A program that throws while building (a ConfigError from a component, say)
        // is reported with the registration errors rather than escaping as a crash.
        await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                recorded.push({
                    resource: args.resource,
                    type: args.type,
                    name: args.name,
                    // Decided after construction: the custom-resource marker is set after transformations run.
                    custom: false,
                    opts: args.opts,
                    props: args.props,
                });
                return undefined;
            });
            exports = (await options.program()) ?? {};
            return exports;
        });
        await pulumi.runtime.disconnect();
    } catch (err) {
        record(err);
    } finally {
        // Node reports unhandled rejections once the microtask queue drains, and the whole run
        // can be one stretch of microtasks: let them be reported before the handler goes.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", record);
        Error.stackTraceLimit = stackTraceLimit;
        for (const undo of restore) undo();
    }

    const stackUrn = `urn:pulumi:${options.stack}::${options.project}::pulumi:pulumi:Stack::${options.project}-${options.stack}`;
    const resources = await buildPlanResources(recorded, mocks.resources, stackUrn);
    const outputs = await resolveOutputs(exports);
    return { resources, outputs, errors };
}

async function buildPlanResources(recorded: Recorded[], mocked: MockedResource[], stackUrn: string): Promise<PlanResource[]> {
    for (const r of recorded) r.custom = pulumi.CustomResource.isInstance(r.resource);
    const byResource = new Map<pulumi.Resource, Recorded>(recorded.map((r) => [r.resource, r]));
    const urns = engineUrns(recorded, byResource, stackUrn);
    const urnOf = (res: pulumi.Resource | undefined): string | undefined =>
        res ? (urns.get(res) ?? (pulumi.runtime.getStackResource() === res ? stackUrn : undefined)) : undefined;

    // The mocks see inputs keyed by type and name; a queue per key keeps same-named
    // resources of one type (under different parents) in registration order.
    const inputsByKey = new Map<string, MockedResource[]>();
    for (const m of mocked) {
        const key = `${m.type}::${m.name}`;
        inputsByKey.set(key, [...(inputsByKey.get(key) ?? []), m]);
    }

    const out: PlanResource[] = [];
    for (const r of recorded) {
        const mockedInputs = inputsByKey.get(`${r.type}::${r.name}`)?.shift()?.inputs ?? {};
        const parent = r.opts.parent;
        const provider = effectiveProvider(r, byResource);
        out.push({
            urn: urns.get(r.resource) ?? "",
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: urnOf(parent) ?? stackUrn,
            provider: provider ? urnOf(provider) : undefined,
            inputs: (await normalize(mockedInputs, urns)) as Record<string, unknown>,
            opts: await safetyOpts(r, byResource, urnOf),
            dependencies: await allDependencies(r, urnOf),
        });
    }
    return out;
}

/**
 * URNs as the engine forms them: the qualified type chains the types of component
 * ancestors (the stack itself is left out), so `pulumi state` commands can use them.
 */
function engineUrns(recorded: Recorded[], byResource: Map<pulumi.Resource, Recorded>, stackUrn: string): Map<pulumi.Resource, string> {
    const prefix = stackUrn.split("::").slice(0, 2).join("::");
    const qualified = new Map<pulumi.Resource, string>();
    const qualifiedType = (r: Recorded): string => {
        const known = qualified.get(r.resource);
        if (known !== undefined) return known;
        const parent = r.opts.parent ? byResource.get(r.opts.parent) : undefined;
        const q = parent ? `${qualifiedType(parent)}$${r.type}` : r.type;
        qualified.set(r.resource, q);
        return q;
    };
    return new Map(recorded.map((r) => [r.resource, `${prefix}::${qualifiedType(r)}::${r.name}`]));
}

/** The provider a custom resource uses: its own, or the nearest ancestor's for its package. */
function effectiveProvider(r: Recorded, byResource: Map<pulumi.Resource, Recorded>): pulumi.ProviderResource | undefined {
    if (!r.custom) return undefined;
    const pkg = r.type.split(":")[0];
    if (r.opts.provider) return r.opts.provider;
    for (
        let at = r.opts.parent ? byResource.get(r.opts.parent) : undefined;
        at;
        at = at.opts.parent ? byResource.get(at.opts.parent) : undefined
    ) {
        const providers = at.opts.providers;
        const fromMap = Array.isArray(providers) ? providers.find((p) => providerPackage(p) === pkg) : providers?.[pkg];
        if (fromMap) return fromMap;
        if (at.opts.provider && providerPackage(at.opts.provider) === pkg) return at.opts.provider;
    }
    return undefined;
}

function providerPackage(p: pulumi.ProviderResource): string {
    // A provider's type token is pulumi:providers:<package>.
    const recordedType = (p as unknown as { __pulumiType?: string }).__pulumiType ?? "";
    return recordedType.split(":")[2] ?? "";
}

async function safetyOpts(
    r: Recorded,
    byResource: Map<pulumi.Resource, Recorded>,
    urnOf: (res: pulumi.Resource | undefined) => string | undefined,
): Promise<PlanResourceOpts> {
    const opts: PlanResourceOpts = {};
    // protect is inherited from the parent when not set, as the SDK does.
    let protect = r.opts.protect;
    for (
        let at = r.opts.parent ? byResource.get(r.opts.parent) : undefined;
        protect === undefined && at;
        at = at.opts.parent ? byResource.get(at.opts.parent) : undefined
    ) {
        protect = at.opts.protect;
    }
    if (protect !== undefined) opts.protect = protect;
    if (r.opts.retainOnDelete !== undefined) opts.retainOnDelete = r.opts.retainOnDelete;
    if (r.opts.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = r.opts.deleteBeforeReplace;
    if (r.opts.ignoreChanges !== undefined) opts.ignoreChanges = [...r.opts.ignoreChanges];
    const depUrns = (await dependencyList(r.opts.dependsOn)).map((d) => urnOf(d)).filter((u): u is string => u !== undefined);
    if (depUrns.length > 0) opts.dependsOn = depUrns;
    const aliases = await aliasSpecs(r, urnOf);
    if (aliases.length > 0) opts.aliases = aliases;
    return opts;
}

/**
 * A resource's own aliases as the SDK sends them (runtime/resource.js `mapAliasesForRequest`):
 * a spec without `parent` carries the resource's parent, `parent: undefined` means none.
 */
async function aliasSpecs(r: Recorded, urnOf: (res: pulumi.Resource | undefined) => string | undefined): Promise<PlanAlias[]> {
    const resolve = <T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> =>
        value === undefined ? Promise.resolve(undefined) : (pulumi.output(value) as unknown as OutputInternals<T>).promise();
    const out: PlanAlias[] = [];
    for (const input of r.opts.aliases ?? []) {
        const alias = await resolve<string | pulumi.Alias>(input as pulumi.Input<string | pulumi.Alias>);
        if (alias === undefined) continue;
        if (typeof alias === "string") {
            out.push({ urn: alias });
            continue;
        }
        const spec: PlanAlias = {};
        const name = await resolve(alias.name);
        const type = await resolve(alias.type);
        if (name) spec.name = name;
        if (type) spec.type = type;
        if (Object.prototype.hasOwnProperty.call(alias, "parent")) {
            const parent = alias.parent;
            spec.parent =
                parent === undefined ? "" : pulumi.Resource.isInstance(parent) ? (urnOf(parent) ?? "") : ((await resolve(parent)) ?? "");
        } else {
            spec.parent = urnOf(r.opts.parent) ?? urnOf(pulumi.runtime.getStackResource()) ?? "";
        }
        out.push(spec);
    }
    return out;
}

/**
 * Every resource the engine waits for before creating this one, as its state's
 * `dependencies` lists them: the explicit `dependsOn` and the resources its input Outputs
 * come from.
 */
async function allDependencies(r: Recorded, urnOf: (res: pulumi.Resource | undefined) => string | undefined): Promise<string[]> {
    const found = new Set<pulumi.Resource>([...(await dependencyList(r.opts.dependsOn)), ...(await inputResources(r.props))]);
    found.delete(r.resource);
    const urns = [...found].map((d) => urnOf(d)).filter((u): u is string => u !== undefined);
    return [...new Set(urns)].sort();
}

/** The resources input values come from: each Output's resources, and resources passed as references. */
async function inputResources(value: unknown, seen = new Set<unknown>()): Promise<pulumi.Resource[]> {
    if (value === null || typeof value !== "object" || seen.has(value)) return [];
    seen.add(value);
    if (pulumi.Resource.isInstance(value)) return [value];
    if (pulumi.Output.isInstance(value)) {
        const output = value as unknown as OutputInternals<unknown> & { allResources?: () => Promise<Set<pulumi.Resource>> };
        const own = output.allResources ? [...(await output.allResources())] : [];
        return own;
    }
    if (value instanceof Promise) return inputResources(await value, seen);
    const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    return (await Promise.all(children.map((c) => inputResources(c, seen)))).flat();
}

/** The resources a `dependsOn` names, whether given plainly, as an array, or as an Output/Promise. */
async function dependencyList(dependsOn: unknown): Promise<pulumi.Resource[]> {
    if (dependsOn === undefined || dependsOn === null) return [];
    if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn];
    if (Array.isArray(dependsOn)) return (await Promise.all(dependsOn.map(dependencyList))).flat();
    // Not pulumi.output(): it would turn Resource objects into plain records of their outputs.
    if (pulumi.Output.isInstance(dependsOn)) {
        const output = dependsOn as unknown as OutputInternals<unknown>;
        return (await output.isKnown) ? dependencyList(await output.promise()) : [];
    }
    if (dependsOn instanceof Promise) return dependencyList(await dependsOn);
    return [];
}

/** Inputs as JSON: secrets redacted, unknowns marked, resource references as URNs. */
async function normalize(value: unknown, urns: Map<pulumi.Resource, string>): Promise<unknown> {
    // Only a resource the program did not register (a reference the runtime rebuilt from
    // its URN) needs waiting for; the rest is converted in one synchronous pass.
    const foreign = new Map<pulumi.Resource, string>();
    for (const resource of foreignResources(value, urns, new Set())) {
        foreign.set(resource, (await valueOf(resource.urn)) ?? UNKNOWN_MARKER);
    }
    return normalizeKnown(value, (r) => urns.get(r) ?? foreign.get(r) ?? UNKNOWN_MARKER);
}

/** Resources in the value (outside secrets and unknowns) that have no URN in `urns`. */
function foreignResources(value: unknown, urns: Map<pulumi.Resource, string>, found: Set<pulumi.Resource>): Set<pulumi.Resource> {
    if (typeof value !== "object" || value === null || isWrappedSecret(value)) return found;
    if (pulumi.Resource.isInstance(value)) {
        if (!urns.has(value)) found.add(value);
        return found;
    }
    if (Array.isArray(value)) {
        for (const v of value) foreignResources(v, urns, found);
        return found;
    }
    if (pulumi.isUnknown(value)) return found;
    for (const v of Object.values(value)) foreignResources(v, urns, found);
    return found;
}

function normalizeKnown(value: unknown, urnOf: (r: pulumi.Resource) => string): unknown {
    if (isWrappedSecret(value)) return redactedSecret(value.value);
    if (value === undefined) return undefined;
    if (pulumi.Resource.isInstance(value)) return urnOf(value);
    if (Array.isArray(value)) return value.map((v) => normalizeKnown(v, urnOf));
    if (typeof value === "object" && value !== null) {
        if (pulumi.isUnknown(value)) return UNKNOWN_MARKER;
        const entries: Array<[string, unknown]> = [];
        for (const [k, v] of Object.entries(value)) {
            const normalized = normalizeKnown(v, urnOf);
            if (normalized !== undefined) entries.push([k, normalized]);
        }
        return Object.fromEntries(entries);
    }
    return value;
}

/**
 * A secret as the plan shows it: "[secret]", except a flat map of values (a Kubernetes
 * Secret's `stringData`, which the SDK marks secret as a whole), whose keys stay so the
 * manifest keeps the shape `kubectl apply` takes, with each value redacted.
 */
function redactedSecret(inner: unknown): unknown {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner) || pulumi.isUnknown(inner)) return SECRET_MARKER;
    const entries = Object.entries(inner).filter(([, v]) => v !== undefined);
    const flat = entries.every(([, v]) => ["string", "number", "boolean"].includes(typeof v) || isWrappedSecret(v));
    return flat ? Object.fromEntries(entries.map(([k]) => [k, SECRET_MARKER])) : SECRET_MARKER;
}

/**
 * Stack outputs with secret values redacted, as `pulumi stack output --json` shows them:
 * sorted by name, which also keeps plan.json independent of how the program's module
 * was compiled (TypeScript and swc order a module's exports differently).
 */
async function resolveOutputs(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exports).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (key === "__esModule" || typeof value === "function") continue;
        const output = pulumi.output(value);
        out[key] = (await pulumi.isSecret(output)) ? SECRET_MARKER : await normalize(await valueOf(output), new Map());
    }
    return out;
}

/** The SDK's own view of an Output: whether it is known, and its value. */
interface OutputInternals<T> {
    isKnown: Promise<boolean>;
    promise(): Promise<T>;
}

/**
 * The value of an output, or undefined when it is unknown at preview. Reads the Output's
 * promise directly: `apply` never runs for an unknown value, which would leave a wait open.
 */
async function valueOf<T>(input: pulumi.Input<T> | pulumi.Output<T>): Promise<T | undefined> {
    const output = pulumi.output(input) as unknown as OutputInternals<T>;
    if (!(await output.isKnown)) return undefined;
    return output.promise();
}
