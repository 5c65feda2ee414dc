import * as path from "path";
import * as YAML from "yaml";
import type { PlanResource } from "../contracts";
import type { OutputFile } from "../outdir";

/** A Kubernetes object the program creates, as `kubectl apply` would take it. */
export interface RenderedManifest {
    cluster: string;
    file: string;
    object: Record<string, unknown>;
}

/** True for resources that are plain Kubernetes objects (not providers or Helm/YAML wrappers). */
export function isKubernetesObject(r: PlanResource): boolean {
    if (!r.custom || !r.type.startsWith("kubernetes:")) return false;
    const inputs = r.inputs;
    return typeof inputs["kind"] === "string" && typeof inputs["apiVersion"] === "string";
}

/** `<kind>-<namespace>-<name>.yaml`; cluster-scoped objects use the namespace `cluster`. */
export function manifestFileName(object: Record<string, unknown>, fallbackName: string): string {
    const metadata = (object["metadata"] ?? {}) as Record<string, unknown>;
    const kind = String(object["kind"]).toLowerCase();
    const namespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "cluster";
    const name = typeof metadata["name"] === "string" ? metadata["name"] : fallbackName;
    return `${kind}-${namespace}-${name}.yaml`.replace(/[^A-Za-z0-9._-]/g, "_");
}

export function renderManifests(resources: PlanResource[], regionOf: Map<string, string>): RenderedManifest[] {
    return resources.filter(isKubernetesObject).map((r) => {
        // The `kubernetes:` inputs are the object itself, minus Pulumi's own bookkeeping.
        const object = Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !k.startsWith("__")));
        return { cluster: regionOf.get(r.urn) ?? "global", file: manifestFileName(object, r.name), object };
    });
}

/** The manifests as files of the plan folder: `manifests/<cluster>/<file>`. */
export function manifestFiles(manifests: RenderedManifest[]): OutputFile[] {
    return manifests.map((m) => ({
        path: path.join("manifests", m.cluster, m.file),
        content: YAML.stringify(m.object, { lineWidth: 0 }),
    }));
}
