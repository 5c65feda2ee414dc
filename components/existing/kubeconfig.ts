import { parse } from "yaml";

/**
 * The API server URL of a kubeconfig's current context, or undefined when the kubeconfig
 * does not say (no current context, a context without a cluster, not YAML at all). Never
 * throws and never echoes the document: a kubeconfig may hold credentials.
 */
export function currentServer(kubeconfig: string): string | undefined {
    let doc: unknown;
    try {
        doc = parse(kubeconfig);
    } catch {
        return undefined;
    }
    const current = field(doc, "current-context");
    if (typeof current !== "string") return undefined;
    const context = named(field(doc, "contexts"), current);
    const clusterName = field(field(context, "context"), "cluster");
    if (typeof clusterName !== "string") return undefined;
    const server = field(field(named(field(doc, "clusters"), clusterName), "cluster"), "server");
    return typeof server === "string" && server.length > 0 ? server : undefined;
}

function field(value: unknown, key: string): unknown {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** The entry of a kubeconfig list (`contexts`, `clusters`) with this name. */
function named(list: unknown, name: string): unknown {
    return Array.isArray(list) ? list.find((entry) => field(entry, "name") === name) : undefined;
}
