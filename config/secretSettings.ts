import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem } from "./errors";
import type { SecretSetting } from "./load";

/**
 * A plain setting set with `pulumi config set --secret` stays secret: every resource input
 * (and every stack output) that holds its value, whole or inside a longer text, becomes a
 * Pulumi secret, so the state and the CLI's display keep it encrypted. Resource names
 * cannot: a URN is never encrypted, so a secret value that names a resource is refused.
 */
export function keepSettingsSecret(settings: readonly SecretSetting[]): void {
    if (settings.length === 0) return;
    // A stack transformation sees every resource, component children included, before it is
    // registered (registerResourceTransform would too, but not under the SDK's mocks).
    pulumi.runtime.registerStackTransformation((args) => {
        const naming = settings.filter((s) => args.name.includes(s.value));
        if (naming.length > 0) throw new ConfigError(naming.map((s) => namingProblem(s, args.name)));
        return { props: withSecrets(args.props, settings) as pulumi.Inputs, opts: args.opts };
    });
}

/** A stack output with every value of a secret setting in it made secret. */
export function secretOutput(value: unknown, settings: readonly SecretSetting[]): unknown {
    return settings.length === 0 ? value : withSecrets(value, settings);
}

function namingProblem(setting: SecretSetting, resourceName: string): ConfigProblem {
    const key = /^[^.[]+/.exec(setting.path)?.[0] ?? setting.path;
    return {
        path: setting.path,
        message: `is secret, but the program names resource '${resourceName}' with it, and a URN is never encrypted (Pulumi passes all of modelfleet:${key} as secret when any value under it was set with --secret)`,
        fix: `keep every value under modelfleet:${key} plain: pulumi config set --path '${setting.path}' <value>`,
    };
}

function holds(text: string, settings: readonly SecretSetting[]): boolean {
    return settings.some((s) => text.includes(s.value));
}

function withSecrets(value: unknown, settings: readonly SecretSetting[]): unknown {
    if (typeof value === "string") return holds(value, settings) ? pulumi.secret(value) : value;
    // Inside an Output too, only the texts that hold the value: the rest of a manifest stays readable.
    if (pulumi.Output.isInstance(value)) return value.apply((v) => withSecrets(v, settings));
    if (Array.isArray(value)) return value.map((v) => withSecrets(v, settings));
    // Resources, assets and other objects pass as they are; only plain data is walked.
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecrets(v, settings)]));
    return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null) return false;
    const proto = Object.getPrototypeOf(value) as unknown;
    return proto === Object.prototype || proto === null;
}
