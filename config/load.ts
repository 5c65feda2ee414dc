import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem, fromZodIssues, keyPath, unknownKeyProblem } from "./errors";
import { closest, knownKeysAt } from "./suggest";
import { fleetSchema, FleetSettings, ParsedSettings, RegionSettings } from "./schema";
import { systemPoolProblems } from "./pools";
import { pricingProblems } from "./pricing";
import { servingProblems } from "./serving";
import { checkAddonPins, checkSupportCalendar } from "./support";
import { crossCheck, derivedDrainSeconds, GpuPoolShape, poolShape, routedRegions, SecretPresence } from "./validate";

/** A region as components receive it: settings plus what validation resolved. */
export type RegionConfig = RegionSettings & {
    /** `protect` this region's stateful resources: `regions[].protect`, else true in prod. */
    protect: boolean;
    /** The GPU pool TorchServe runs on. */
    servingPool: string;
    /** The models this region serves. */
    modelNames: string[];
    /** GPU facts per pool name. */
    poolShapes: Record<string, GpuPoolShape>;
};

export interface EdgeStoreCredentials {
    accessKeyId: pulumi.Output<string>;
    secretAccessKey: pulumi.Output<string>;
}

/** Values that only ever travel as Pulumi secrets. */
export interface FleetSecrets {
    /** Kubeconfig per existing-cluster region name. */
    kubeconfigs: Record<string, pulumi.Output<string>>;
    /** Read-only model-store keys per existing-cluster region name. */
    edgeStoreCredentials: Record<string, EdgeStoreCredentials>;
    /**
     * Image pull secrets per existing-cluster region name: the `.dockerconfigjson` of a
     * read-only registry identity, for regions that run the LLM-track image.
     */
    edgeImagePullSecrets: Record<string, pulumi.Output<string>>;
    /** Optional TensorZero backends (observability and inference cache). */
    gatewayBackends: { clickhouseUrl?: pulumi.Output<string>; postgresUrl?: pulumi.Output<string>; valkeyUrl?: pulumi.Output<string> };
}

/** The one typed, validated object the program is built from. */
export type FleetConfig = Omit<FleetSettings, "regions"> & {
    project: string;
    stack: string;
    /** `protect` stateful resources (model store, clusters) from deletion; true in prod. */
    protect: boolean;
    regions: RegionConfig[];
    /** Region names behind the global name, in config order. */
    routedRegions: string[];
    secrets: FleetSecrets;
    /**
     * Text values of plain settings set with --secret; every resource input and output that
     * holds one is made secret (config/secretSettings.ts). Empty unless loadConfig found one.
     */
    secretSettings?: SecretSetting[];
};

/** One text value of a plain setting that was set with --secret. */
export interface SecretSetting {
    /** Key path under `modelfleet:` (`serving.domain`). */
    path: string;
    value: string;
}

/** The top-level keys of the `modelfleet` namespace that hold plain settings. */
const settingKeys = Object.keys(fleetSchema.shape) as Array<keyof typeof fleetSchema.shape>;
const backendKeys = ["clickhouseUrl", "postgresUrl", "valkeyUrl"] as const;
const NAMESPACE = "modelfleet";

/** Raw secret config as read: values are plain strings here and wrapped as secrets later. */
export interface RawSecrets {
    kubeconfigs?: unknown;
    edgeStoreCredentials?: unknown;
    gatewayBackends?: unknown;
    edgeImagePullSecrets?: unknown;
}

export interface ValidateOptions {
    /**
     * Whether the value at a key path (`kubeconfigs.edge-muc`) was stored encrypted, itself
     * or as part of an encrypted parent. Without it, where secrets are stored is not checked.
     */
    isSecure?: (path: string) => boolean;
    /** The day the EKS support calendar is read for (default: now). */
    today?: Date;
    /** The stack's name; a stack named after an environment must declare that environment. */
    stack?: string;
    /**
     * The caller reads the stack file without a secrets provider (the offline plan): an
     * encrypted plain setting cannot be read there, so it is reported rather than used.
     */
    cannotDecrypt?: boolean;
}

/**
 * Validates the raw `modelfleet:*` values (secret keys included, their values never
 * inspected beyond their shape) and returns the settings, or throws ConfigError with every
 * problem. Pure: the offline plan calls it on a stack file before running the program.
 */
export function validateSettings(raw: Record<string, unknown>, options: ValidateOptions = {}): FleetSettings {
    const secrets: RawSecrets = raw;
    const problems: ConfigProblem[] = [];
    const allKeys = [...(settingKeys as string[]), ...secretKeyNames];
    for (const k of Object.keys(raw).filter((key) => !allKeys.includes(key))) {
        problems.push(unknownKeyProblem(k, closest(k, allKeys), `pulumi config rm 'modelfleet:${k}'`));
    }
    if (options.isSecure) problems.push(...storageProblems(raw, options.isSecure, options.cannotDecrypt ?? false));
    const presence = secretShapeProblems(secrets, problems);
    const input = Object.fromEntries(settingKeys.map((k) => [k, raw[k]]));
    const parsed = fleetSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) {
        // Cross-field rules need a well-typed config; report the shape problems first.
        problems.push(...fromZodIssues(parsed.error.issues, (path, key) => closest(key, knownKeysAt(fleetSchema, path, input))));
        throw new ConfigError(problems);
    }
    problems.push(
        ...crossCheck(parsed.data, presence),
        ...environmentProblems(parsed.data, options.stack),
        ...pricingProblems(parsed.data),
    );
    const torchserve = parsed.data.serving.torchserve;
    const settings: FleetSettings = {
        ...parsed.data,
        serving: {
            ...parsed.data.serving,
            torchserve: { ...torchserve, drainSeconds: torchserve.drainSeconds ?? derivedDrainSeconds(parsed.data.models) },
        },
    };
    problems.push(...servingProblems(settings), ...systemPoolProblems(settings));
    problems.push(...checkSupportCalendar(settings, options.today ?? new Date()).problems, ...checkAddonPins(settings));
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

/** Warnings that do not stop a stack: a pinned version close to the end of its support. */
export function settingsWarnings(settings: FleetSettings, options: ValidateOptions = {}): string[] {
    return checkSupportCalendar(settings, options.today ?? new Date()).warnings;
}

/**
 * `environment` decides `protect`, cluster deletion protection and the policy config
 * (policy/config/<environment>.json), so it is the one source of truth for them. A stack
 * named after an environment must declare that environment: `environment: dev` on the
 * prod stack would otherwise drop every protection without a word.
 */
function environmentProblems(settings: ParsedSettings, stack: string | undefined): ConfigProblem[] {
    const environments: readonly string[] = fleetSchema.shape.environment.unwrap().options;
    if (stack === undefined || !environments.includes(stack) || settings.environment === stack) return [];
    return [
        {
            path: "environment",
            message: `is '${settings.environment}' but the stack is named '${stack}'; protection and the policy config follow environment, so they must agree`,
            fix: `pulumi config set environment ${stack} --stack ${stack}`,
        },
    ];
}

const secretKeyNames = ["kubeconfigs", "edgeStoreCredentials", "gatewayBackends", "edgeImagePullSecrets"];

/**
 * Secret keys hold only encrypted values. A plain setting may be encrypted too: the program
 * keeps every resource input made from it secret (config/secretSettings.ts); only a reader
 * without the secrets provider cannot use it.
 */
function storageProblems(raw: Record<string, unknown>, isSecure: (path: string) => boolean, cannotDecrypt: boolean): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const walk = (value: unknown, at: Array<string | number>, secretKey: boolean): void => {
        const path = keyPath(at);
        if (!secretKey && cannotDecrypt && isSecure(path)) {
            problems.push({
                path,
                message:
                    "is encrypted, and the offline plan has no secrets provider to read it (pulumi preview and up read it and keep it secret)",
                fix: `plan a copy of the stack file that holds the value of 'pulumi config get --path ${path}' in plain text`,
            });
            return;
        }
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i], secretKey));
        else if (typeof value === "object" && value !== null) Object.entries(value).forEach(([k, v]) => walk(v, [...at, k], secretKey));
        else if (secretKey && typeof value === "string" && !isSecure(path)) {
            problems.push({
                path,
                message: "is stored in plain text, and would be committed with the stack file; it must be encrypted",
                fix: `pulumi config set --secret --path '${path}' <value>`,
            });
        }
    };
    for (const [key, value] of Object.entries(raw)) walk(value, [key], secretKeyNames.includes(key));
    return problems;
}

function secretShapeProblems(secrets: RawSecrets, problems: ConfigProblem[]): SecretPresence {
    const presence: SecretPresence = { kubeconfigs: [], edgeStoreCredentials: [], edgeImagePullSecrets: [] };
    const asRecord = (key: string, value: unknown): Record<string, unknown> => {
        if (value === undefined) return {};
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.push({
                path: key,
                message: "must be an object keyed by region name",
                fix: `pulumi config set --secret --path '${key}.<region>' <value>`,
            });
            return {};
        }
        return value as Record<string, unknown>;
    };
    for (const [region, value] of Object.entries(asRecord("kubeconfigs", secrets.kubeconfigs))) {
        if (typeof value === "string" && value.length > 0) presence.kubeconfigs.push(region);
        else
            problems.push({
                path: keyPath(["kubeconfigs", region]),
                message: "must be the kubeconfig text",
                fix: `pulumi config set --secret --path 'kubeconfigs.${region}' "$(cat kubeconfig.yaml)"`,
            });
    }
    for (const [region, value] of Object.entries(asRecord("edgeImagePullSecrets", secrets.edgeImagePullSecrets))) {
        if (typeof value === "string" && isDockerConfigJson(value)) presence.edgeImagePullSecrets.push(region);
        else
            problems.push({
                path: keyPath(["edgeImagePullSecrets", region]),
                message: 'must be the JSON of a .dockerconfigjson ({"auths": {...}})',
                fix: `pulumi config set --secret --path 'edgeImagePullSecrets.${region}' "$(cat dockerconfig.json)"`,
            });
    }
    for (const [region, value] of Object.entries(asRecord("edgeStoreCredentials", secrets.edgeStoreCredentials))) {
        const v = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
        const missing = ["accessKeyId", "secretAccessKey"].filter((f) => typeof v[f] !== "string");
        if (missing.length === 0) presence.edgeStoreCredentials.push(region);
        for (const f of missing) {
            problems.push({
                path: `edgeStoreCredentials.${region}.${f}`,
                message: "is required",
                fix: `pulumi config set --secret --path 'edgeStoreCredentials.${region}.${f}' <value>`,
            });
        }
    }
    for (const [key, value] of Object.entries(asRecord("gatewayBackends", secrets.gatewayBackends))) {
        if (!(backendKeys as readonly string[]).includes(key)) {
            problems.push({
                path: `gatewayBackends.${key}`,
                message: `is not a known backend (${backendKeys.join(", ")})`,
                fix: `pulumi config rm --path 'gatewayBackends.${key}'`,
            });
        } else if (typeof value !== "string") {
            problems.push({
                path: `gatewayBackends.${key}`,
                message: "must be a URL string",
                fix: `pulumi config set --secret --path 'gatewayBackends.${key}' <url>`,
            });
        }
    }
    return presence;
}

/** Whether a secret value has the shape of a .dockerconfigjson; nothing of it is reported. */
function isDockerConfigJson(text: string): boolean {
    try {
        const parsed: unknown = JSON.parse(text);
        const auths = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["auths"] : undefined;
        return typeof auths === "object" && auths !== null && !Array.isArray(auths);
    } catch {
        return false;
    }
}

/** Adds what validation resolved and wraps secrets. */
export function resolveConfig(settings: FleetSettings, secrets: RawSecrets, context: { project: string; stack: string }): FleetConfig {
    const regions: RegionConfig[] = settings.regions.map((region) => ({
        ...region,
        protect: region.protect ?? (region.decommission ? false : settings.environment === "prod"),
        servingPool: region.servingPool ?? region.gpuPools[0].name,
        modelNames: region.models ?? settings.models.map((m) => m.name),
        poolShapes: Object.fromEntries(
            region.gpuPools.flatMap((p) => {
                const shape = poolShape(region, p.name);
                return shape ? [[p.name, shape] as const] : [];
            }),
        ),
    }));
    const secretString = (v: unknown) => pulumi.secret(String(v));
    const records = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});
    const backends = records(secrets.gatewayBackends);
    return {
        ...settings,
        ...context,
        protect: settings.environment === "prod",
        regions,
        routedRegions: routedRegions(settings),
        secrets: {
            kubeconfigs: Object.fromEntries(Object.entries(records(secrets.kubeconfigs)).map(([k, v]) => [k, secretString(v)])),
            edgeStoreCredentials: Object.fromEntries(
                Object.entries(records(secrets.edgeStoreCredentials)).map(([k, v]) => [
                    k,
                    { accessKeyId: secretString(records(v).accessKeyId), secretAccessKey: secretString(records(v).secretAccessKey) },
                ]),
            ),
            edgeImagePullSecrets: Object.fromEntries(
                Object.entries(records(secrets.edgeImagePullSecrets)).map(([k, v]) => [k, secretString(v)]),
            ),
            gatewayBackends: Object.fromEntries(
                backendKeys.filter((k) => backends[k] !== undefined).map((k) => [k, secretString(backends[k])]),
            ),
        },
    };
}

/**
 * Reads the `modelfleet:*` stack config, validates it and returns one typed object.
 * Throws ConfigError naming every wrong key and its fix.
 */
export function loadConfig(): FleetConfig {
    // Every key of the namespace, so a misspelt key is reported rather than ignored.
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(`${NAMESPACE}:`)) raw[fullKey.slice(NAMESPACE.length + 1)] = parseConfigText(text);
    }
    // Secret values arrive decrypted in the program's config; resolveConfig wraps them with
    // pulumi.secret before they reach any resource, so they stay encrypted in state. The
    // engine says which keys were set with --secret, key by key (not value by value).
    const isSecure = (path: string) => isConfigSecret(`${NAMESPACE}:${/^[^.[]+/.exec(path)?.[0] ?? path}`);
    const stack = pulumi.getStack();
    const settings = validateSettings(raw, { isSecure, stack });
    if (settings.kubernetesIdentity === "preview" && !pulumi.runtime.isDryRun()) {
        // The read-only identity could not apply anything, and an update must never run as it.
        throw new ConfigError([
            {
                path: "kubernetesIdentity",
                message: "is preview, which only pulumi preview may use (the read-only identity cannot apply Kubernetes objects)",
                fix: "pulumi config rm kubernetesIdentity",
            },
        ]);
    }
    for (const warning of settingsWarnings(settings)) void pulumi.log.warn(warning);
    const secretSettings = settingKeys.flatMap((key) => (isSecure(key) ? settingLeaves(raw[key], [key]) : []));
    return { ...resolveConfig(settings, raw, { project: pulumi.getProject(), stack }), secretSettings };
}

/**
 * Whether the engine passed a key as secret. The SDK keeps the list of secret keys it was
 * given (`PULUMI_CONFIG_SECRET_KEYS`, or setAllConfig's second argument) and answers
 * this with its runtime `isConfigSecret`, which its type declarations leave out.
 */
function isConfigSecret(fullKey: string): boolean {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") throw new Error("@pulumi/pulumi no longer exposes runtime isConfigSecret");
    return runtimeConfig.isConfigSecret(fullKey);
}

/**
 * The text leaves of a plain setting set with --secret. The engine marks a whole top-level
 * key secret when any value under it is encrypted, so every leaf under it counts.
 */
function settingLeaves(value: unknown, at: Array<string | number>): SecretSetting[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => settingLeaves(v, [...at, i]));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => settingLeaves(v, [...at, k]));
    return typeof value === "string" && value !== "" ? [{ path: keyPath(at), value }] : [];
}

/** Structured values reach the program as JSON text, plain strings as themselves. */
function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
