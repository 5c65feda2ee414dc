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

export function formatProblem(p: ConfigProblem): string {
    return `modelfleet:${p.path} ${p.message}; fix: ${p.fix}`;
}

/** `regions[1].gpuPools[0]` from ["regions", 1, "gpuPools", 0]. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out;
}

export function setCommand(path: string, example: string | number | boolean, secret = false): string {
    return `pulumi config set${secret ? " --secret" : ""} --path '${path}' ${example}`;
}

/** Turns zod's issues into problems with a fix each. */
export function fromZodIssues(issues: z.core.$ZodIssue[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = keyPath([...issue.path, key]);
                problems.push({
                    path,
                    message: "is not a known key",
                    fix: `check the spelling, or remove it: pulumi config rm --path '${path}'`,
                });
            }
            continue;
        }
        const path = keyPath(issue.path);
        if (issue.code === "invalid_type" && issue.input === undefined) {
            problems.push({ path, message: `is required (${issue.expected})`, fix: setCommand(path, "<value>") });
            continue;
        }
        const message = issue.code === "invalid_type" ? `must be ${article(issue.expected)}, got ${describe(issue.input)}` : issue.message;
        problems.push({ path, message, fix: fixFor(issue, path) });
    }
    return problems;
}

/** The fix for a bound: drop the entries past a list's cap, or set the nearest allowed number. */
function fixFor(issue: z.core.$ZodIssue, path: string): string {
    if (issue.code === "too_big" && issue.origin === "array") {
        const max = Number(issue.maximum);
        return `remove entries from index ${max} on (pulumi config rm --path '${path}[${max}]', repeated), or split the stack`;
    }
    if (issue.code === "too_big" && (issue.origin === "number" || issue.origin === "int")) return setCommand(path, Number(issue.maximum));
    if (issue.code === "too_small" && (issue.origin === "number" || issue.origin === "int")) return setCommand(path, Number(issue.minimum));
    const fixValue: unknown = issue.code === "custom" ? issue.params?.["fixValue"] : undefined;
    return setCommand(path, typeof fixValue === "string" ? fixValue : "<value>");
}

function article(expected: string): string {
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(input: unknown): string {
    if (Array.isArray(input)) return "a list";
    if (input === null) return "null";
    if (typeof input === "object") return "an object";
    return `${typeof input} ${JSON.stringify(input)}`;
}
