import type { z } from "zod";

/** One thing wrong with the stack config: where, what, and the command that fixes it. */
export interface ConfigProblem {
    /** Key path under the `modelfleet` namespace, e.g. `regions[1].gpuPools[0].maxNodes`. */
    path: string;
    message: string;
    /** A command or instruction that fixes it. */
    fix: string;
}

/** Thrown when the stack config is wrong; carries every problem found, not just the first. */
export class ConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(`stack config has ${problems.length} problem(s):\n${problems.map(formatProblem).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** One line per problem, whatever the key or value echoed in it holds. */
export function formatProblem(p: ConfigProblem): string {
    return oneLine(`modelfleet:${p.path} ${p.message}; fix: ${p.fix}`, Infinity);
}

/** `regions[1].gpuPools[0]` from ["regions", 1, "gpuPools", 0]. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        // Pulumi's --path syntax needs a key such as "g6.xlarge" quoted: a dot would split it.
        else if (!/^[A-Za-z0-9_-]+$/.test(String(part))) out += `[${JSON.stringify(String(part))}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out;
}

export function setCommand(path: string, example: string | number | boolean, secret = false): string {
    return `pulumi config set${secret ? " --secret" : ""} --path '${path}' ${example}`;
}

/** An unknown key's problem; with the key it was probably meant to be when there is one. */
export function unknownKeyProblem(path: string, suggestion: string | undefined, rm: string): ConfigProblem {
    if (suggestion === undefined) return { path, message: "is not a known key", fix: `check the spelling, or remove it: ${rm}` };
    return { path, message: `is not a known key (did you mean ${suggestion}?)`, fix: `rename it to ${suggestion}, or remove it: ${rm}` };
}

/**
 * Turns zod's issues into problems with a fix each. `suggest` names the key an unknown
 * key was probably meant to be (the nearest known key at its path).
 */
export function fromZodIssues(
    issues: z.core.$ZodIssue[],
    suggest: (path: ReadonlyArray<PropertyKey>, key: string) => string | undefined = () => undefined,
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = keyPath([...issue.path, key]);
                const hint = suggest(issue.path, key);
                problems.push(
                    unknownKeyProblem(
                        path,
                        hint === undefined ? undefined : keyPath([...issue.path, hint]),
                        `pulumi config rm --path '${path}'`,
                    ),
                );
            }
            continue;
        }
        const path = keyPath(issue.path);
        if (issue.code === "invalid_type" && issue.input === undefined) {
            problems.push({ path, message: `is required (${issue.expected})`, fix: setCommand(path, "<value>") });
            continue;
        }
        const message = issue.code === "invalid_type" ? `must be ${article(issue.expected)}, got ${describe(issue.input)}` : issue.message;
        problems.push({ path, message: withoutLeadingKey(message, issue.path), fix: fixFor(issue, path) });
    }
    return problems;
}

/** The fix for a bound: drop the entries past a list's cap, or set the nearest allowed number. */
function fixFor(issue: z.core.$ZodIssue, path: string): string {
    if (issue.code === "too_big" && issue.origin === "array") {
        const max = Number(issue.maximum);
        return `remove entries from index ${max} on (pulumi config rm --path '${path}[${max}]', repeated), or split the stack`;
    }
    // An exclusive bound (greater than 0) is not itself a fix; only an inclusive one is.
    const numeric = issue.code !== "custom" && "origin" in issue && (issue.origin === "number" || issue.origin === "int");
    if (issue.code === "too_big" && numeric && issue.inclusive !== false) return setCommand(path, Number(issue.maximum));
    if (issue.code === "too_small" && numeric && issue.inclusive !== false) return setCommand(path, Number(issue.minimum));
    const fixValue: unknown = issue.code === "custom" ? issue.params?.["fixValue"] : undefined;
    return setCommand(path, typeof fixValue === "string" ? fixValue : "<value>");
}

/** "cloud must be ..." under the key `cloud` would print the key twice. */
function withoutLeadingKey(message: string, path: ReadonlyArray<PropertyKey>): string {
    const last = path[path.length - 1];
    return typeof last === "string" && message.startsWith(`${last} `) ? message.slice(last.length + 1) : message;
}

function article(expected: string): string {
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(input: unknown): string {
    if (Array.isArray(input)) return "a list";
    if (input === null) return "null";
    if (typeof input === "object") return "an object";
    return `${typeof input} ${oneLine(JSON.stringify(input) ?? String(input))}`;
}

/** A value echoed in a message, kept to one line and a bounded length. */
export function oneLine(text: string, max = 80): string {
    const escaped = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}
