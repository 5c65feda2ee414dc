/**
 * Every change the end-to-end run makes to what the offline plan rendered, in one place.
 *
 * Only addresses, ports and paths change: the servers run on 127.0.0.1 instead of in a pod,
 * and read and write under the run's own directory instead of the image's. Each rewrite must
 * match the rendered text at least once, so a render that moves on fails here rather than
 * running half-rewritten. Nothing else in the rendered files is touched.
 */

/** Where the run's servers listen (127.0.0.1, ports 18000-18999). */
export const PORTS = {
    moto: 18050,
    inference: 18080,
    management: 18081,
    metrics: 18082,
    gateway: 18030,
    contentTypeStripper: 18090,
} as const;

export const HOST = "127.0.0.1";

/** The rendered files the run reads. */
export type RenderedFile = "config.properties" | "tensorzero.toml" | "model-sync script" | "TorchServe start script" | "pod env and args";

export interface Rewrite {
    file: RenderedFile;
    /** What the plan renders (exact text). */
    from: string;
    /** What the run uses; `{dir}` is the run's working directory. */
    to: string;
    /** Why it differs on this machine. */
    why: string;
}

export const REWRITES: readonly Rewrite[] = [
    {
        file: "config.properties",
        from: "inference_address=http://0.0.0.0:8080",
        to: `inference_address=http://${HOST}:${PORTS.inference}`,
        why: "listen on loopback, on a port of the run's range",
    },
    {
        file: "config.properties",
        from: "management_address=http://127.0.0.1:8081",
        to: `management_address=http://${HOST}:${PORTS.management}`,
        why: "port of the run's range",
    },
    {
        file: "config.properties",
        from: "metrics_address=http://0.0.0.0:8082",
        to: `metrics_address=http://${HOST}:${PORTS.metrics}`,
        why: "listen on loopback, on a port of the run's range",
    },
    {
        file: "config.properties",
        from: "model_store=/home/model-server/model-store",
        to: "model_store={dir}/model-store",
        why: "the pod's emptyDir model store is a directory of the run",
    },
    {
        file: "tensorzero.toml",
        from: 'bind_address = "0.0.0.0:3000"',
        to: `bind_address = "${HOST}:${PORTS.gateway}"`,
        why: "listen on loopback, on a port of the run's range",
    },
    {
        file: "tensorzero.toml",
        from: "http://torchserve.modelfleet.svc:8080/",
        to: `http://${HOST}:${PORTS.inference}/`,
        why: "the TorchServe Service's cluster address is the local inference address",
    },
    {
        file: "model-sync script",
        from: "/home/model-server/model-store",
        to: "{dir}/model-store",
        why: "the pod's emptyDir model store is a directory of the run",
    },
    {
        file: "TorchServe start script",
        from: "/etc/torchserve/config.properties",
        to: "{dir}/config.properties",
        why: "the mounted ConfigMap is a file of the run",
    },
    {
        file: "TorchServe start script",
        from: "/home/model-server",
        to: "{dir}",
        why: "the pod's model store and tmp emptyDirs are directories of the run",
    },
    {
        file: "pod env and args",
        from: "/etc/torchserve/config.properties",
        to: "{dir}/config.properties",
        why: "the mounted ConfigMap is a file of the run",
    },
    {
        file: "pod env and args",
        from: "/home/model-server",
        to: "{dir}",
        why: "the pod's home, logs, tmp and model-store emptyDirs are directories of the run",
    },
    {
        file: "pod env and args",
        from: "/tmp",
        to: "{dir}/tmp",
        why: "the model-sync container's HOME (/tmp emptyDir) is a directory of the run",
    },
];

/**
 * Apply the rewrites for `file` to `text`. Throws, naming the rewrite, when one does not
 * match: the rendered file changed and this table must follow it.
 */
export function applyRewrites(file: RenderedFile, text: string, dir: string): string {
    let result = text;
    for (const rewrite of REWRITES.filter((r) => r.file === file)) {
        if (!result.includes(rewrite.from)) {
            throw new Error(`e2e rewrite for ${file} does not match: '${rewrite.from}' is not in the rendered text (e2e/rewrites.ts)`);
        }
        result = result.split(rewrite.from).join(rewrite.to.split("{dir}").join(dir));
    }
    return result;
}

/**
 * Apply the pod's path rewrites to one value (an env value or an argument). Values that are
 * not under a rewritten path pass unchanged; the longest matching prefix wins.
 */
export function rewritePodValue(value: string, dir: string): string {
    const candidates = REWRITES.filter((r) => r.file === "pod env and args")
        .filter((r) => value === r.from || value.startsWith(`${r.from}/`))
        .sort((a, b) => b.from.length - a.from.length);
    const best = candidates[0];
    if (best === undefined) return value;
    return best.to.split("{dir}").join(dir) + value.slice(best.from.length);
}
