/**
 * Sets (or, with `undefined`, deletes) the value at a key path such as
 * `regions[0].gpuPools[0].maxNodes`. Its own module, free of the Pulumi SDK, so schema-only
 * tests can use it without loading the SDK; test/mocks.ts re-exports it.
 */
export function setPath(raw: Record<string, unknown>, keyPath: string, value: unknown): void {
    const parts = keyPath.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
    let at = raw;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    const last = parts[parts.length - 1];
    if (value === undefined) delete at[last];
    else at[last] = value;
}
