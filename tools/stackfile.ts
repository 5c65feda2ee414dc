import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SECRET_MARKER } from "./contracts";

/** A stack file read for the offline plan: config by full key, secure values redacted. */
export interface StackFile {
    path: string;
    /** Full key (`modelfleet:regions`, `aws:region`) → value, `secure:` leaves replaced by "[secret]". */
    config: Record<string, unknown>;
    /** Full keys that hold at least one secure value. */
    secretKeys: string[];
}

/** A stack file that cannot be read or parsed; `line` is 1-based when known. */
export class StackFileError extends Error {
    constructor(
        readonly file: string,
        message: string,
        readonly line?: number,
    ) {
        super(`${file}${line !== undefined ? `:${line}` : ""}: ${message}`);
        this.name = "StackFileError";
    }
}

export function stackFilePath(stack: string, dir = process.cwd()): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(file: string): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new StackFileError(file, `cannot read stack file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    return parseStackFile(text, file);
}

export function parseStackFile(text: string, file: string): StackFile {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
        const first = doc.errors[0];
        const line = first.linePos?.[0]?.line;
        throw new StackFileError(file, `YAML syntax error: ${first.message.split("\n")[0]}`, line);
    }
    const root: unknown = doc.toJS();
    if (root === null || root === undefined) return { path: file, config: {}, secretKeys: [] };
    if (typeof root !== "object" || Array.isArray(root)) throw new StackFileError(file, "must be a mapping with a `config:` key");
    const configValue = (root as Record<string, unknown>)["config"] ?? {};
    if (typeof configValue !== "object" || configValue === null || Array.isArray(configValue)) {
        throw new StackFileError(file, "`config:` must be a mapping of keys to values");
    }
    const config: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(configValue as Record<string, unknown>)) {
        const found = { secret: false };
        config[key] = redactSecure(value, found);
        if (found.secret) secretKeys.push(key);
    }
    return { path: file, config, secretKeys };
}

/** Replaces every `{ secure: ciphertext }` leaf by the redaction marker. */
function redactSecure(value: unknown, found: { secret: boolean }): unknown {
    if (Array.isArray(value)) return value.map((v) => redactSecure(v, found));
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") {
            found.secret = true;
            return SECRET_MARKER;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, redactSecure(v, found)]));
    }
    return value;
}

/** The keys of one namespace, without the `ns:` prefix. */
export function namespaceConfig(config: Record<string, unknown>, namespace: string): Record<string, unknown> {
    const prefix = `${namespace}:`;
    return Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
}

/** Config as the Pulumi runtime holds it: every value a string, objects as JSON. */
export function runtimeConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
