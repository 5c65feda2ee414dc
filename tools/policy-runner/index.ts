/**
 * Runs the guardrails pack over a list of resources without the Pulumi engine, for the
 * offline plan, the guard and the tests.
 *
 * It builds the validation arguments the way @pulumi/policy's analyzer server does
 * (server.js: makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), so a policy behaves here as it
 * does under `pulumi preview --policy-pack policy`:
 * - props are the resource's inputs, reduced to what survives the engine's protobuf
 *   round trip, behind the SDK's own `unknownCheckingProxy`;
 * - a policy that reads an unknown value (preview) is not failed: the engine reports an
 *   advisory "can't run policy ... during preview" instead, and so does this runner;
 * - `notApplicable()` ends the policy for that resource silently;
 * - a policy whose validation carries a single `__pulumiType` is only called for that type;
 * - enforcement level: the policy's config, then the config's `all`, then the policy's own,
 *   then the pack default ("advisory"); "disabled" policies do not run and "remediate"
 *   reports as "mandatory";
 * - `getConfig()` returns the policy's settings (schema defaults merged with the stack's
 *   config, as the CLI does) without `enforcementLevel`;
 * - `opts` carries what the engine sends (protect, ignoreChanges, deleteBeforeReplace,
 *   parent, ...); `retainOnDelete` is not among them in @pulumi/policy 1.21.
 */
import * as fs from "fs";
import * as path from "path";
import type {
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type * as q from "@pulumi/pulumi/queryable";
import { allPolicies, type GuardPolicy } from "../../policy/policies";
import { isRecord } from "../../policy/policies/util";
import type { EnforcementLevel, PlanResource, PolicyReport, PolicyViolation } from "../contracts";
import { projectRoot } from "../root";

export const PACK_NAME = "modelfleet-guardrails";
/** The pack's own folder (its package.json and per-stack config files), also when this runs from the built copy in .build/. */
export const PACK_DIR = path.join(projectRoot(__dirname), "policy");

let packVersionCache: string | undefined;
/** The pack's version from policy/package.json, which the engine quotes in its messages. */
export function packVersion(): string {
    if (packVersionCache === undefined) {
        const manifest: unknown = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
        const version = isRecord(manifest) ? manifest.version : undefined;
        packVersionCache = typeof version === "string" ? version : "0.0.0";
    }
    return packVersionCache;
}
/** Level of a policy that sets none, as in the SDK. */
const PACK_DEFAULT_LEVEL: EnforcementLevel = "advisory";
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A plan resource, optionally with the engine's per-input dependency record. */
export type RunnerResource = PlanResource & {
    /** Input name to URNs of the resources whose outputs fed it. */
    propertyDependencies?: Record<string, string[]>;
};

export interface EvaluateOptions {
    /** Policy pack config, in the `--policy-pack-config` file format. */
    config?: Record<string, unknown>;
    /** Policies to run; the whole pack by default. */
    policies?: readonly GuardPolicy[];
    /** Stack tags handed to policies as `stackTags`. */
    stackTags?: ReadonlyMap<string, string>;
}

/** Bad policy config: one line per problem, each naming the policy and setting. */
export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "PolicyConfigError";
    }
}

/** A policy threw something other than "unknown value" or "not applicable". */
export class PolicyRuntimeError extends Error {
    constructor(
        readonly policy: string,
        readonly urn: string | undefined,
        readonly cause: unknown,
    ) {
        super(`policy '${policy}' failed${urn ? ` on ${urn}` : ""}: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.name = "PolicyRuntimeError";
    }
}

// ---------------------------------------------------------------------------------------
// The SDK's unknown-value machinery. @pulumi/policy exports these at runtime but its typings
// strip them (@internal), and its index module loads the gRPC server code; the proxy module
// itself has no dependencies, so it is required directly and its shape checked once.

interface ProxyInternals {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: abstract new (...args: never[]) => Error;
}

function isProxyInternals(value: unknown): value is ProxyInternals {
    return isRecord(value) && typeof value.unknownCheckingProxy === "function" && typeof value.UnknownValueError === "function";
}

let proxyInternals: ProxyInternals | undefined;
function sdkProxy(): ProxyInternals {
    if (proxyInternals === undefined) {
        const loaded: unknown = require("@pulumi/policy/proxy");
        if (!isProxyInternals(loaded)) {
            throw new Error("@pulumi/policy/proxy no longer exports unknownCheckingProxy/UnknownValueError; update tools/policy-runner");
        }
        proxyInternals = loaded;
    }
    return proxyInternals;
}

/**
 * Thrown by `notApplicable()`, like the SDK's private NotApplicableError. It is a signal,
 * thrown for most resources by most policies, never shown with a trace: it captures none.
 */
class NotApplicable extends Error {
    constructor(reason: string) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            super(reason);
        } finally {
            Error.stackTraceLimit = limit;
        }
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "Policy does not apply");
}

// ---------------------------------------------------------------------------------------
// Mirrors of @pulumi/policy's policy.js helpers (isResourcePolicy, isStackPolicy,
// getPulumiType), kept here because that module loads the gRPC server and the Pulumi SDK.
// test/policy-runner.test.ts checks they agree with the SDK's own.

export function pulumiTypeOf(value: unknown): string | undefined {
    const token: unknown = typeof value === "function" || isRecord(value) ? Reflect.get(value, "__pulumiType") : undefined;
    return typeof token === "string" && token.length > 0 ? token : undefined;
}

export function isResourcePolicy(policy: GuardPolicy): policy is ResourceValidationPolicy {
    const validation: unknown = Reflect.get(policy, "validateResource");
    if (typeof validation === "function") return true;
    if (Array.isArray(validation)) return validation.every((v) => typeof v === "function");
    return typeof Reflect.get(policy, "remediateResource") === "function";
}

export function isStackPolicy(policy: GuardPolicy): policy is StackValidationPolicy {
    return typeof Reflect.get(policy, "validateStack") === "function";
}

function isTypeOf(type: string, resourceClass: object): boolean {
    const token = pulumiTypeOf(resourceClass);
    if (token !== undefined) return type === token;
    const isInstance: unknown = Reflect.get(resourceClass, "isInstance");
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

// ---------------------------------------------------------------------------------------
// Config

type SchemaProperty = NonNullable<GuardPolicy["configSchema"]>["properties"][string];

interface ResolvedPolicy {
    policy: GuardPolicy;
    level: EnforcementLevel;
    settings: Record<string, unknown>;
}

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && LEVELS.some((level) => level === value);
}

function checkSetting(where: string, schema: SchemaProperty, value: unknown): string[] {
    if (typeof schema === "boolean") return schema ? [] : [`${where} is not accepted`];
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const matches = (t: string): boolean => {
        switch (t) {
            case "integer":
                return Number.isInteger(value);
            case "number":
                return typeof value === "number" && Number.isFinite(value);
            case "array":
                return Array.isArray(value);
            case "object":
                return isRecord(value);
            case "null":
                return value === null;
            default:
                return typeof value === t;
        }
    };
    if (types.length > 0 && !types.some(matches)) return [`${where} must be ${types.join(" or ")}, got ${JSON.stringify(value)}`];
    const problems: string[] = [];
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
        problems.push(`${where} must be >= ${schema.minimum}, got ${value}`);
    }
    if (typeof value === "number" && schema.maximum !== undefined && value > schema.maximum) {
        problems.push(`${where} must be <= ${schema.maximum}, got ${value}`);
    }
    if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${where} must be one of ${JSON.stringify(schema.enum)}`);
    }
    if (Array.isArray(value) && isRecord(schema.items)) {
        const items: SchemaProperty = schema.items;
        value.forEach((item, i) => problems.push(...checkSetting(`${where}[${i}]`, items, item)));
    }
    return problems;
}

/** Defaults from each policy's configSchema, overlaid with `config`; throws on any problem. */
export function resolvePolicyConfig(policies: readonly GuardPolicy[], config: Record<string, unknown> = {}): ResolvedPolicy[] {
    const problems: string[] = [];
    const names = new Set(policies.map((p) => p.name));

    let allLevel: EnforcementLevel | undefined;
    const all = config["all"];
    if (all !== undefined) {
        const level = isRecord(all) ? all.enforcementLevel : all;
        if (isLevel(level)) allLevel = level;
        else problems.push(`all: enforcementLevel must be one of ${LEVELS.join(", ")}`);
    }
    for (const key of Object.keys(config)) {
        if (key !== "all" && !names.has(key)) problems.push(`${key}: no such policy in ${PACK_NAME}`);
    }

    const resolved = policies.map((policy): ResolvedPolicy => {
        const entry = config[policy.name];
        const properties = policy.configSchema?.properties ?? {};
        const settings: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(properties)) {
            if (typeof schema !== "boolean" && schema.default !== undefined) {
                settings[key] = structuredClone(schema.default);
            }
        }
        let level: EnforcementLevel | undefined;
        if (typeof entry === "string") {
            if (isLevel(entry)) level = entry;
            else problems.push(`${policy.name}: "${entry}" is not an enforcement level (${LEVELS.join(", ")})`);
        } else if (isRecord(entry)) {
            for (const [key, value] of Object.entries(entry)) {
                if (key === "enforcementLevel") {
                    if (isLevel(value)) level = value;
                    else problems.push(`${policy.name}.enforcementLevel must be one of ${LEVELS.join(", ")}`);
                    continue;
                }
                const schema = properties[key];
                if (schema === undefined) {
                    const known = Object.keys(properties);
                    problems.push(
                        `${policy.name}.${key}: no such setting` +
                            (known.length > 0 ? ` (settings: ${known.join(", ")})` : " (the policy takes none)"),
                    );
                    continue;
                }
                const bad = checkSetting(`${policy.name}.${key}`, schema, value);
                problems.push(...bad);
                if (bad.length === 0) settings[key] = value;
            }
        } else if (entry !== undefined) {
            problems.push(`${policy.name}: must be an enforcement level or an object of settings`);
        }
        for (const required of policy.configSchema?.required ?? []) {
            if (settings[required] === undefined) problems.push(`${policy.name}.${required} is required`);
        }
        return { policy, level: level ?? allLevel ?? policy.enforcementLevel ?? PACK_DEFAULT_LEVEL, settings };
    });

    if (problems.length > 0) throw new PolicyConfigError(problems);
    return resolved;
}

/** policy/config/<stack>.json */
export function stackPolicyConfigPath(stack: string): string {
    return path.join(PACK_DIR, "config", `${stack}.json`);
}

/** Reads a `--policy-pack-config` file; errors name the file. */
export function loadPolicyConfig(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyConfigError([`${file}: cannot read policy config (${e instanceof Error ? e.message : String(e)})`]);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError([`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`]);
    }
    if (!isRecord(parsed)) throw new PolicyConfigError([`${file}: must be a JSON object keyed by policy name`]);
    return parsed;
}

// ---------------------------------------------------------------------------------------
// Building the arguments

/**
 * What the engine's protobuf Struct keeps of a value: plain objects, arrays, strings,
 * numbers, booleans and null. Undefined object fields disappear, undefined array slots
 * become null, like `Struct.fromJavaScript`.
 */
function toWire(value: unknown): unknown {
    if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toWire(v)));
    if (isRecord(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v !== undefined) out[k] = toWire(v);
        }
        return out;
    }
    return null;
}

function propsOf(inputs: Record<string, unknown>): Record<string, unknown> {
    const wire = toWire(inputs);
    return sdkProxy().unknownCheckingProxy(isRecord(wire) ? wire : {});
}

function optionsOf(resource: PlanResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: resource.opts.protect ?? false,
        ignoreChanges: [...(resource.opts.ignoreChanges ?? [])],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (resource.opts.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = resource.opts.deleteBeforeReplace;
    if (resource.parent) opts.parent = resource.parent;
    return opts;
}

/** Provider references may be `<urn>::<id>`; a URN itself has exactly four `::` parts. */
function providerUrn(reference: string): string {
    return reference.split("::").slice(0, 4).join("::");
}

function providerOf(
    resource: PlanResource,
    byUrn: ReadonlyMap<string, PlanResource>,
    propsFor: (inputs: PlanResource) => Record<string, unknown>,
): PolicyProviderResource | undefined {
    if (!resource.provider) return undefined;
    const urn = providerUrn(resource.provider);
    const known = byUrn.get(urn);
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    return {
        type: known?.type ?? qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1),
        props: known ? propsFor(known) : propsOf({}),
        urn,
        name: known?.name ?? parts[3] ?? "",
    };
}

function configGetter(settings: Record<string, unknown>): <T extends object>() => T {
    // The SDK types getConfig by the caller's choice of T; the value is the validated settings.
    return <T extends object>(): T => ({ ...settings }) as T;
}

/** A resource class as the SDK's isType/asType take it; only its static `__pulumiType` is read. */
type ResourceClass<TResource extends Resource, TArgs> = { new (name: string, args: TArgs, ...rest: never[]): TResource };

// asType is typed by the caller's choice of class; what it returns is the proxied props,
// exactly as the SDK returns them.
function argsAsType(type: string, props: Record<string, unknown>): ResourceValidationArgs["asType"] {
    return <TResource extends Resource, TArgs>(resourceClass: ResourceClass<TResource, TArgs>) =>
        isTypeOf(type, resourceClass) ? (props as Unwrap<NonNullable<TArgs>>) : undefined;
}

function resourceAsType(type: string, props: Record<string, unknown>): PolicyResource["asType"] {
    return <TResource extends Resource>(resourceClass: ResourceClass<TResource, never>) =>
        isTypeOf(type, resourceClass) ? (props as q.ResolvedResource<TResource>) : undefined;
}

/**
 * What a run derives from each resource once and hands to every policy: the props (the
 * protobuf reduction behind the unknown-checking proxy), options, provider and type helpers.
 * Policies read their arguments; the engine's values are the same for every policy of a run.
 */
class PreparedArgs {
    private readonly props = new Map<string, Record<string, unknown>>();
    private readonly args = new Map<string, Omit<ResourceValidationArgs, "getConfig">>();
    private stackResources: PolicyResource[] | undefined;
    private readonly propsFor = (resource: PlanResource): Record<string, unknown> => {
        let props = this.props.get(resource.urn);
        if (props === undefined) {
            props = propsOf(resource.inputs);
            this.props.set(resource.urn, props);
        }
        return props;
    };

    constructor(
        private readonly resources: readonly RunnerResource[],
        private readonly stackTags: ReadonlyMap<string, string>,
        private readonly byUrn: ReadonlyMap<string, PlanResource>,
    ) {}

    /** The validation arguments for one resource, with the calling policy's settings. */
    resource(resource: PlanResource, getConfig: ResourceValidationArgs["getConfig"]): ResourceValidationArgs {
        let base = this.args.get(resource.urn);
        if (base === undefined) {
            const props = this.propsFor(resource);
            const type = resource.type;
            base = {
                type,
                props,
                urn: resource.urn,
                name: resource.name,
                opts: optionsOf(resource),
                stackTags: this.stackTags,
                isType: (resourceClass) => isTypeOf(type, resourceClass),
                asType: argsAsType(type, props),
                notApplicable: throwNotApplicable,
            };
            const provider = providerOf(resource, this.byUrn, this.propsFor);
            if (provider) base.provider = provider;
            this.args.set(resource.urn, base);
        }
        const args: ResourceValidationArgs = {
            type: base.type,
            props: base.props,
            urn: base.urn,
            name: base.name,
            opts: base.opts,
            stackTags: base.stackTags,
            isType: base.isType,
            asType: base.asType,
            getConfig,
            notApplicable: base.notApplicable,
        };
        if (base.provider) args.provider = base.provider;
        return args;
    }

    /** The stack validation arguments, with the calling policy's settings. */
    stack(getConfig: StackValidationArgs["getConfig"]): StackValidationArgs {
        this.stackResources ??= this.buildStackResources();
        return { resources: this.stackResources, stackTags: this.stackTags, getConfig, notApplicable: throwNotApplicable };
    }

    private buildStackResources(): PolicyResource[] {
        const built = this.resources.map((r) => {
            const props = this.propsFor(r);
            const policyResource: PolicyResource = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                dependencies: [],
                propertyDependencies: {},
                isType: (resourceClass) => isTypeOf(r.type, resourceClass),
                asType: resourceAsType(r.type, props),
            };
            const provider = providerOf(r, this.byUrn, this.propsFor);
            if (provider) policyResource.provider = provider;
            return policyResource;
        });
        const byUrnBuilt = new Map(built.map((b) => [b.urn, b]));
        const lookup = (urns: readonly string[]) => urns.map((u) => byUrnBuilt.get(u)).filter((b): b is PolicyResource => b !== undefined);
        this.resources.forEach((r, i) => {
            const target = built[i];
            const parent = r.parent ? byUrnBuilt.get(r.parent) : undefined;
            if (parent) target.parent = parent;
            target.dependencies = lookup(r.opts.dependsOn ?? []);
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                target.propertyDependencies[key] = lookup(urns);
            }
        });
        return built;
    }
}

// ---------------------------------------------------------------------------------------
// Running

function reportingLevel(level: EnforcementLevel): EnforcementLevel {
    return level === "remediate" ? "mandatory" : level;
}

/**
 * Handles what a validation threw the way the engine does: unknown value → advisory
 * "can't run" note, not applicable → nothing, anything else → error.
 */
function handleThrown(e: unknown, policy: GuardPolicy, urn: string | undefined, type: string | undefined, out: PolicyViolation[]): void {
    if (e instanceof NotApplicable) return;
    if (e instanceof sdkProxy().UnknownValueError) {
        out.push({
            policy: policy.name,
            level: "advisory",
            ...(urn !== undefined ? { urn } : {}),
            ...(type !== undefined ? { type } : {}),
            message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${packVersion()}' during preview: ${e.message}`,
        });
        return;
    }
    throw new PolicyRuntimeError(policy.name, urn, e);
}

/** Every resource policy over every resource, then every stack policy over all of them. */
export async function evaluatePolicies(resources: readonly RunnerResource[], options: EvaluateOptions = {}): Promise<PolicyReport> {
    const resolved = resolvePolicyConfig(options.policies ?? allPolicies, options.config);
    const active = resolved.filter((r) => r.level !== "disabled");
    const stackTags = options.stackTags ?? new Map<string, string>();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const runs = active.map(({ policy, level, settings }) => ({ policy, level, getConfig: configGetter(settings) }));
    const prepared = new PreparedArgs(resources, stackTags, byUrn);
    const violations: PolicyViolation[] = [];

    const resourceRuns = runs.flatMap(({ policy, level, getConfig }) => {
        if (!isResourcePolicy(policy) || policy.validateResource === undefined) return [];
        const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
            ? policy.validateResource
            : [policy.validateResource];
        const only = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
        return [{ policy, level, getConfig, validations, only }];
    });
    for (const resource of resources) {
        for (const { policy, level, getConfig, validations, only } of resourceRuns) {
            if (only !== undefined && only !== resource.type) continue;
            const report: ReportViolation = (message) => {
                violations.push({
                    policy: policy.name,
                    level: reportingLevel(level),
                    urn: resource.urn,
                    type: resource.type,
                    message: message || policy.description,
                });
            };
            for (const validation of validations) {
                try {
                    await validation(prepared.resource(resource, getConfig), report);
                } catch (e) {
                    handleThrown(e, policy, resource.urn, resource.type, violations);
                }
            }
        }
    }

    for (const { policy, level, getConfig } of runs) {
        if (!isStackPolicy(policy)) continue;
        const only = pulumiTypeOf(policy.validateStack);
        if (only !== undefined && !resources.some((r) => r.type === only)) continue;
        const report: ReportViolation = (message, urn) => {
            const type = urn === undefined ? undefined : byUrn.get(urn)?.type;
            violations.push({
                policy: policy.name,
                level: reportingLevel(level),
                ...(urn !== undefined ? { urn } : {}),
                ...(type !== undefined ? { type } : {}),
                message: message || policy.description,
            });
        };
        try {
            await policy.validateStack(prepared.stack(getConfig), report);
        } catch (e) {
            handleThrown(e, policy, undefined, undefined, violations);
        }
    }

    return { policies: active.length, resources: resources.length, violations };
}

/** True when the report holds a violation that blocks a deployment. */
export function hasMandatoryViolation(report: PolicyReport): boolean {
    return report.violations.some((v) => v.level === "mandatory");
}
