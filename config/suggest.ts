import { distance } from "fastest-levenshtein";
import type { z } from "zod";

/**
 * "Did you mean": the candidate nearest to a misspelt word, when it is near enough to be
 * a typo (a third of the word's length in edits, at least one) or differs only in case.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        if (candidate === word) continue;
        const d = candidate.toLowerCase() === word.toLowerCase() ? 0 : distance(word, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const allowed = Math.max(1, Math.floor(word.length / 3));
    return bestDistance <= allowed ? best : undefined;
}

/** Zod's definition object, as far as walking a schema needs it. */
interface Def {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    innerType?: z.ZodType;
    options?: z.ZodType[];
    discriminator?: string;
    valueType?: z.ZodType;
    in?: z.ZodType;
    values?: unknown[];
}

function defOf(schema: z.ZodType): Def {
    return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Wrappers that do not change the keys an object takes. */
function unwrap(schema: z.ZodType): z.ZodType {
    for (;;) {
        const def = defOf(schema);
        if (def.innerType !== undefined) schema = def.innerType;
        else if (def.type === "pipe" && def.in !== undefined) schema = def.in;
        else return schema;
    }
}

/**
 * The keys an object accepts at `path` of `schema`, given the input there (to pick the
 * member of a discriminated union). Empty when the path leads to no object.
 */
export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, input: unknown): string[] {
    let at = unwrap(schema);
    let value = input;
    for (const part of path) {
        at = pickUnionMember(at, value);
        const def = defOf(at);
        if (def.type === "object" && def.shape && typeof part === "string" && def.shape[part]) at = unwrap(def.shape[part]);
        else if (def.type === "array" && def.element) at = unwrap(def.element);
        else if (def.type === "record" && def.valueType) at = unwrap(def.valueType);
        else return [];
        value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
    }
    at = pickUnionMember(at, value);
    const def = defOf(at);
    if (def.type === "object" && def.shape) return Object.keys(def.shape);
    if (def.type === "union" && def.options) return [...new Set(def.options.flatMap((o) => knownKeysAt(o, [], value)))];
    return [];
}

/** The member of a discriminated union the input selects; the union itself otherwise. */
function pickUnionMember(schema: z.ZodType, input: unknown): z.ZodType {
    const def = defOf(schema);
    if (def.type !== "union" || !def.options || def.discriminator === undefined) return schema;
    const tag = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[def.discriminator] : undefined;
    for (const option of def.options) {
        const member = unwrap(option);
        const discriminator = defOf(member).shape?.[def.discriminator];
        if (discriminator && (defOf(unwrap(discriminator)).values ?? []).includes(tag)) return member;
    }
    return schema;
}
