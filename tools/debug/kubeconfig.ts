import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** A kubeconfig kubectl would use, found the way kubectl finds it. */
export interface KubeconfigSource {
    /** Files that exist, in kubectl's order. */
    files: string[];
    /** Where the path came from. */
    origin: "--kubeconfig" | "KUBECONFIG" | "~/.kube/config";
    /** Context names across the files. */
    contexts: string[];
    /** Files whose contexts could not be read (the commands are printed all the same). */
    unreadable: string[];
}

/**
 * `--kubeconfig`, else the existing files of `KUBECONFIG` (a path list), else
 * `~/.kube/config` when it exists. Undefined when none is available. A `--kubeconfig`
 * that does not exist is an error the caller reports.
 */
export function findKubeconfig(flag: string | undefined, env: NodeJS.ProcessEnv, homeDir: string): KubeconfigSource | undefined {
    if (flag !== undefined) return read([path.resolve(flag)], "--kubeconfig");
    const fromEnv = (env["KUBECONFIG"] ?? "").split(path.delimiter).filter((p) => p !== "" && fs.existsSync(p));
    if (fromEnv.length > 0) return read(fromEnv, "KUBECONFIG");
    const home = path.join(homeDir, ".kube", "config");
    return fs.existsSync(home) ? read([home], "~/.kube/config") : undefined;
}

function read(files: string[], origin: KubeconfigSource["origin"]): KubeconfigSource {
    const contexts: string[] = [];
    const unreadable: string[] = [];
    for (const file of files) {
        try {
            const doc: unknown = YAML.parse(fs.readFileSync(file, "utf8"));
            const list = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)["contexts"] : undefined;
            for (const c of Array.isArray(list) ? list : []) {
                const name = typeof c === "object" && c !== null ? (c as Record<string, unknown>)["name"] : undefined;
                if (typeof name === "string") contexts.push(name);
            }
        } catch {
            unreadable.push(file);
        }
    }
    return { files, origin, contexts, unreadable };
}
