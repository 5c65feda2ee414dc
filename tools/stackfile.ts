import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readBoundedFile } from "./boundedFile";
import { projectRoot } from "./root";
import { ConfigError, formatProblem, validateSettings, type FleetSettings } from "../config";
import { closest } from "../config/suggest";
import { SECRET_MARKER } from "./contracts";

/**
 * Reads a stack file the way the Pulumi CLI does, so the offline tools see the config
 * `pulumi up` would give the program:
 * - a key without a namespace belongs to the project (`regions` is `modelfleet:regions`);
 * - the project file's `config:` fills keys the stack file leaves out (`default` or
 *   `value` of a project key, `value` of another namespace's key);
 * - `secure:` leaves are secrets; their ciphertext is never decrypted here.
 * On top of the CLI it bounds what it reads (size, aliases), refuses duplicate keys in
 * linear time, and names what a misspelt key was probably meant to be.
 */

/** The largest stack file read, in bytes. Committed stack files are a few KiB. */
export const MAX_STACK_FILE_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed in one stack file (a YAML "billion laughs" is refused). */
export const MAX_ALIAS_COUNT = 100;

/** A stack file read for the offline tools: config by full key, secure values redacted. */
export interface StackFile {
    path: string;
    /** Full key (`modelfleet:regions`, `aws:region`) → value, `secure:` leaves replaced by "[secret]". */
    config: Record<string, unknown>;
    /** Full keys that hold at least one secure value. */
    secretKeys: string[];
    /** Key paths (`kubeconfigs.edge-muc`, `regions[0].adminRoleArn`) of the project's secure leaves. */
    securePaths: string[];
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

const PROJECT = "modelfleet";
const ROOT = projectRoot();
/** Top-level keys of a stack file (the CLI's ProjectStack). */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];
/** Attributes of a structured declaration in the project file's `config:`. */
const DECLARATION_KEYS = ["type", "description", "secret", "default", "value", "items"];

export function stackFilePath(stack: string, dir = process.cwd()): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** The stacks that have a stack file in `dir`, sorted. */
export function existingStacks(dir: string): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch {
        return [];
    }
    return names
        .map((n) => /^Pulumi\.(.+)\.ya?ml$/.exec(n)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The stack file of `--stack NAME`; a name with no file lists the stacks that exist. */
export function stackFileOf(stack: string, dir: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || stack.startsWith("."))
        throw new StackFileError(`--stack ${escapeValue(stack)}`, "is not a stack name (letters, digits, '-', '_' and '.')");
    const file = stackFilePath(stack, dir);
    if (fs.existsSync(file)) return file;
    const stacks = existingStacks(dir);
    const hint = closest(stack, stacks);
    throw new StackFileError(
        `--stack ${stack}`,
        `no stack file ${path.basename(file)}; the stacks are: ${stacks.join(", ") || "none"}${hint ? ` (did you mean --stack ${hint}?)` : ""}`,
    );
}

export interface ReadOptions {
    /** The project file whose `config:` supplies defaults; default: the repository's Pulumi.yaml. */
    projectFile?: string;
    /** The day the EKS support calendar is read for, when the file is validated (default: now). */
    today?: Date;
}

export function readStackFile(file: string, options: ReadOptions = {}): StackFile {
    const text = readBounded(file, MAX_STACK_FILE_BYTES);
    const projectFile = options.projectFile ?? path.join(ROOT, "Pulumi.yaml");
    const project = readProjectFile(projectFile);
    return parseStackFile(text, file, project);
}

/** The parts of the project file that matter for config. */
export interface ProjectConfig {
    name: string;
    /** Full key → declaration, as the CLI reads `config:` of the project file. */
    config: Record<string, { value?: unknown; default?: unknown; secret?: boolean; type?: string }>;
}

export function readProjectFile(file: string): ProjectConfig {
    const root = parseYaml(readBounded(file, MAX_STACK_FILE_BYTES), file);
    if (!isRecord(root) || typeof root["name"] !== "string") throw new StackFileError(file, "is not a Pulumi project file (no `name:`)");
    const name = root["name"];
    const declared = root["config"] ?? {};
    if (!isRecord(declared)) throw new StackFileError(file, "`config:` must be a mapping of keys to declarations");
    const config: ProjectConfig["config"] = {};
    for (const [key, declaration] of Object.entries(declared)) {
        const fullKey = namespacedKey(key, name);
        const ofProject = fullKey.startsWith(`${name}:`);
        // A non-object is the value itself (the CLI's short form).
        if (!isRecord(declaration)) {
            config[fullKey] = { value: declaration };
            continue;
        }
        const unknown = Object.keys(declaration).filter((k) => !DECLARATION_KEYS.includes(k));
        if (unknown.length > 0) {
            throw new StackFileError(
                file,
                `config ${key}: ${unknown.map((k) => `'${escapeValue(k)}'`).join(", ")} is not a declaration attribute (${DECLARATION_KEYS.join(", ")}); an object value goes under 'value:'`,
            );
        }
        if (declaration["default"] !== undefined && declaration["value"] !== undefined)
            throw new StackFileError(file, `project config '${key}' cannot have both a 'default' and 'value' attribute`);
        if (!ofProject && (declaration["type"] !== undefined || declaration["default"] !== undefined)) {
            throw new StackFileError(
                file,
                `configuration key '${key}' is not namespaced by the project and can only set a 'value' (not 'type' or 'default')`,
            );
        }
        config[fullKey] = {
            value: declaration["value"],
            default: declaration["default"],
            secret: declaration["secret"] === true,
            type: typeof declaration["type"] === "string" ? declaration["type"] : undefined,
        };
    }
    return { name, config };
}

export function parseStackFile(text: string, file: string, project: ProjectConfig = { name: PROJECT, config: {} }): StackFile {
    const root = parseYaml(text, file);
    if (root === null || root === undefined)
        return withProjectConfig({ path: file, config: {}, secretKeys: [], securePaths: [] }, project, file);
    if (!isRecord(root)) throw new StackFileError(file, "must be a mapping with a `config:` key");
    if ("runtime" in root && "name" in root) {
        throw new StackFileError(
            file,
            "is a project file (it has name: and runtime:), not a stack file; give a stack file such as Pulumi.dev.yaml, or --stack NAME",
        );
    }
    for (const key of Object.keys(root)) {
        if (STACK_FILE_KEYS.includes(key)) continue;
        const hint = closest(key, STACK_FILE_KEYS);
        throw new StackFileError(
            file,
            `'${escapeValue(key)}' is not a stack file key (${STACK_FILE_KEYS.join(", ")})${hint ? `; did you mean '${hint}'?` : ""}`,
        );
    }
    const configValue = root["config"] ?? {};
    if (!isRecord(configValue)) throw new StackFileError(file, "`config:` must be a mapping of keys to values");

    const config: Record<string, unknown> = {};
    const written = new Map<string, string>();
    const secretKeys: string[] = [];
    const securePaths: string[] = [];
    for (const [key, value] of Object.entries(configValue)) {
        const fullKey = namespacedKey(key, project.name);
        const earlier = written.get(fullKey);
        if (earlier !== undefined)
            throw new StackFileError(file, `config keys '${escapeValue(earlier)}' and '${escapeValue(key)}' are both ${fullKey}; keep one`);
        written.set(fullKey, key);
        const namespace = fullKey.slice(0, fullKey.indexOf(":"));
        if (namespace !== project.name && closest(namespace, [project.name]) !== undefined) {
            throw new StackFileError(
                file,
                `config key '${escapeValue(key)}': namespace '${escapeValue(namespace)}' is neither the project nor a provider; did you mean '${project.name}:${fullKey.slice(namespace.length + 1)}'?`,
            );
        }
        const secure: string[] = [];
        config[fullKey] = redactSecure(value, [fullKey.slice(namespace.length + 1)], secure, file);
        if (secure.length > 0) secretKeys.push(fullKey);
        if (namespace === project.name) securePaths.push(...secure);
    }
    return withProjectConfig({ path: file, config, secretKeys, securePaths }, project, file);
}

/**
 * Fills keys the stack file leaves out from the project file's `config:`, as the CLI does
 * before it runs the program, and checks typed project keys the way it does.
 */
function withProjectConfig(stack: StackFile, project: ProjectConfig, file: string): StackFile {
    for (const [fullKey, declaration] of Object.entries(project.config)) {
        const present = fullKey in stack.config;
        if (!present) {
            const value = declaration.default ?? declaration.value;
            if (value !== undefined) stack.config[fullKey] = value;
            continue;
        }
        const shown = fullKey.startsWith(`${project.name}:`) ? fullKey.slice(project.name.length + 1) : fullKey;
        if (declaration.secret && !stack.secretKeys.includes(fullKey)) {
            throw new StackFileError(
                file,
                `${fullKey} must be encrypted as the project declares it secret; fix: pulumi config set --secret ${shown} <value>`,
            );
        }
        if (
            declaration.type !== undefined &&
            !stack.secretKeys.includes(fullKey) &&
            !matchesType(declaration.type, stack.config[fullKey])
        ) {
            throw new StackFileError(file, `${fullKey} must be of type '${declaration.type}' (declared in the project file)`);
        }
    }
    return stack;
}

/** The CLI's check of a typed project key (string, integer, boolean; arrays are not checked here). */
function matchesType(type: string, value: unknown): boolean {
    if (type === "string") return typeof value === "string";
    if (type === "integer")
        return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
    if (type === "boolean") return typeof value === "boolean" || value === "true" || value === "false";
    if (type === "array") return Array.isArray(value);
    return true;
}

/** `regions` → `modelfleet:regions`; `ns:config:key` (an old form the CLI still reads) → `ns:key`. */
export function namespacedKey(key: string, project: string): string {
    if (!key.includes(":")) return `${project}:${key}`;
    const parts = key.split(":");
    if (parts.length === 3 && parts[1] === "config") return `${parts[0]}:${parts[2]}`;
    return key;
}

/** Replaces every `{ secure: ciphertext }` leaf by the redaction marker and records its key path. */
function redactSecure(value: unknown, at: Array<string | number>, secure: string[], file: string): unknown {
    if (Array.isArray(value)) return value.map((v, i) => redactSecure(v, [...at, i], secure, file));
    if (isRecord(value)) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            if (typeof entries[0][1] !== "string")
                throw new StackFileError(file, `${pathText(at)}: a secure value must be the ciphertext string the CLI wrote`);
            secure.push(pathText(at));
            return SECRET_MARKER;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, redactSecure(v, [...at, k], secure, file)]));
    }
    return value;
}

function pathText(parts: Array<string | number>): string {
    let out = "";
    for (const part of parts) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
    return out;
}

/** The file's text; a file that is missing, not a regular file, or over `cap` is refused in the tools' one message format. */
function readBounded(file: string, cap: number): string {
    const read = readBoundedFile(file, cap);
    if (!read.ok) throw new StackFileError(file, read.problem);
    return read.text;
}

/**
 * Parses YAML as the CLI's YAML library does (YAML 1.2 core schema, `<<` merge keys, no
 * duplicate keys), with duplicate keys found in one pass rather than the parser's
 * pairwise check, and alias expansion bounded.
 */
function parseYaml(text: string, file: string): unknown {
    let doc: YAML.Document.Parsed;
    try {
        doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: false, merge: true });
    } catch (err) {
        throw new StackFileError(file, `cannot be parsed (${err instanceof RangeError ? "nested too deeply" : String(err)})`);
    }
    if (doc.errors.length > 0) {
        const first = doc.errors[0];
        const line = first.linePos?.[0]?.line;
        throw new StackFileError(file, `YAML syntax error: ${first.message.split("\n")[0]}`, line);
    }
    const duplicate = firstDuplicateKey(doc, text);
    if (duplicate) throw new StackFileError(file, `key '${escapeValue(duplicate.key)}' is defined twice in one mapping`, duplicate.line);
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
        if (err instanceof ReferenceError || /alias/i.test(String(err)))
            throw new StackFileError(file, `has more than ${MAX_ALIAS_COUNT} YAML alias expansions (an alias bomb?); write the values out`);
        if (err instanceof RangeError) throw new StackFileError(file, "is nested too deeply");
        throw err;
    }
}

/** The first key repeated within one mapping, found with one set per mapping. */
function firstDuplicateKey(doc: YAML.Document.Parsed, text: string): { key: string; line: number } | undefined {
    const pending: unknown[] = [doc.contents];
    while (pending.length > 0) {
        const node = pending.pop();
        if (YAML.isMap(node)) {
            const seen = new Set<string>();
            for (const pair of node.items) {
                if (YAML.isScalar(pair.key)) {
                    const id = `${typeof pair.key.value}:${String(pair.key.value)}`;
                    if (seen.has(id)) return { key: String(pair.key.value), line: lineOf(text, pair.key.range?.[0] ?? 0) };
                    seen.add(id);
                }
                pending.push(pair.value);
            }
        } else if (YAML.isSeq(node)) {
            pending.push(...node.items);
        }
    }
    return undefined;
}

function lineOf(text: string, offset: number): number {
    let line = 1;
    for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    return line;
}

/** A value as it may be echoed in a one-line message: control characters escaped, length bounded. */
export function escapeValue(value: string, max = 80): string {
    const escaped = JSON.stringify(value).slice(1, -1);
    return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
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

/** Whether a key path, or a parent of it, was stored as a `secure:` value. */
export function secureLookup(securePaths: string[]): (path: string) => boolean {
    const secure = new Set(securePaths);
    return (keyPath) => {
        if (secure.has(keyPath)) return true;
        for (let i = 0; i < keyPath.length; i++) {
            if ((keyPath[i] === "." || keyPath[i] === "[") && secure.has(keyPath.slice(0, i))) return true;
        }
        return false;
    };
}

/** A stack file read and its project settings validated, or the lines that say what is wrong. */
export type CheckedStack = { ok: true; stackFile: StackFile; settings: FleetSettings } | { ok: false; errors: string[] };

/** Reads a stack file as the CLI would and validates its `modelfleet:*` settings. */
export function checkStackFile(file: string, options: ReadOptions & { stack?: string } = {}): CheckedStack {
    let stackFile: StackFile;
    try {
        stackFile = readStackFile(file, options);
    } catch (err) {
        if (err instanceof StackFileError) return { ok: false, errors: [err.message] };
        throw err;
    }
    try {
        const settings = validateSettings(namespaceConfig(stackFile.config, PROJECT), {
            isSecure: secureLookup(stackFile.securePaths),
            cannotDecrypt: true,
            today: options.today,
            stack: options.stack,
        });
        return { ok: true, stackFile, settings };
    } catch (err) {
        if (err instanceof ConfigError) return { ok: false, errors: err.problems.map(formatProblem) };
        throw err;
    }
}
