/**
 * Reading Kubernetes objects as policies see them: `{ apiVersion, kind, metadata, spec }`
 * under a `kubernetes:<group>/<version>:<Kind>` type token, whether they come from
 * @pulumi/kubernetes resources, a rendered chart, or plain YAML given to the guard.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import {
    dig,
    get,
    inputsOf,
    isRecord,
    list,
    stringMap,
    text,
    type Inputs,
    type PolicyResource,
    type ResourceValidation,
    type TypedResourceCheck,
} from "./util";

/** Any Kubernetes object, read for its metadata. */
export type KubeObject = Inputs<{ metadata?: k8s.meta.v1.ObjectMeta }>;
export type PodSpec = Inputs<k8s.core.v1.PodSpec>;
export type Container = Inputs<k8s.core.v1.Container>;

/** The raw props of a Kubernetes resource viewed as object `Args` of @pulumi/kubernetes. */
export function kubeInputs<Args = { metadata?: k8s.meta.v1.ObjectMeta }>(resource: PolicyResource): Inputs<Args> {
    return inputsOf<Args>(resource.props);
}

export const K8S = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pod: "kubernetes:core/v1:Pod",
    replicationController: "kubernetes:core/v1:ReplicationController",
    service: "kubernetes:core/v1:Service",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    hpaV1: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
} as const;

/** Where each workload kind keeps its pod template (metadata + spec). Empty: the object is the pod. */
const POD_TEMPLATE_PATH: Record<string, readonly string[]> = {
    [K8S.deployment]: ["spec", "template"],
    [K8S.statefulSet]: ["spec", "template"],
    [K8S.daemonSet]: ["spec", "template"],
    [K8S.replicaSet]: ["spec", "template"],
    [K8S.replicationController]: ["spec", "template"],
    [K8S.job]: ["spec", "template"],
    [K8S.cronJob]: ["spec", "jobTemplate", "spec", "template"],
    [K8S.pod]: [],
};

export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_TEMPLATE_PATH);

/**
 * Where a kind outside the table (an Argo Rollout, a Knative Service, an operator's own
 * workload) keeps its pod template when it has one: the places the built-in kinds use.
 */
const USUAL_POD_TEMPLATE_PATHS: ReadonlyArray<readonly string[]> = [
    ["spec", "template"],
    ["spec", "jobTemplate", "spec", "template"],
];

/**
 * The path to the pod template of a Kubernetes object: fixed for the built-in workload
 * kinds, and for any other kind the first usual place holding a pod spec with containers.
 */
export function podTemplatePath(type: string, props: unknown): readonly string[] | undefined {
    const known = POD_TEMPLATE_PATH[type];
    if (known !== undefined) return known;
    if (!type.startsWith("kubernetes:")) return undefined;
    try {
        return USUAL_POD_TEMPLATE_PATHS.find((path) => Array.isArray(dig(props, [...path, "spec", "containers"])));
    } catch {
        // A spec still unknown at preview cannot be told apart from any other object's.
        return undefined;
    }
}

/** A policy check run on every object that carries a pod template, whatever its kind. */
export function forWorkloads(check: TypedResourceCheck): ResourceValidation {
    return (args, reportViolation) => {
        if (podTemplatePath(args.type, args.props) === undefined) {
            args.notApplicable("Policy only applies to workloads: Pods and objects that carry a pod template");
        }
        check(args.props, args, reportViolation);
    };
}

export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const PROJECT_LABEL_VALUE = "modelfleet";

/** Namespace of an object; the API server's default when the manifest leaves it out. */
export function namespaceOf(props: KubeObject): string {
    return text(get(props, "metadata", "namespace")) ?? "default";
}

/** `metadata.name`, or the Pulumi resource name when the provider will auto-name the object. */
export function objectName(props: KubeObject, resourceName: string): string {
    return text(get(props, "metadata", "name")) ?? resourceName;
}

export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

export interface PodTemplate {
    /** Kind of the owning workload, e.g. `Deployment`. */
    kind: string;
    name: string;
    namespace: string;
    labels: Record<string, string>;
    spec: PodSpec;
}

export function podTemplateOf(type: string, props: unknown, resourceName: string): PodTemplate | undefined {
    const path = podTemplatePath(type, props);
    if (path === undefined) return undefined;
    const object = isRecord(props) ? inputsOf<{ metadata?: k8s.meta.v1.ObjectMeta }>(props) : {};
    const raw = dig(props, path);
    const template = isRecord(raw) ? inputsOf<k8s.core.v1.PodTemplateSpec>(raw) : {};
    const spec = template.spec;
    return {
        kind: kindOf(type),
        name: objectName(object, resourceName),
        namespace: namespaceOf(object),
        labels: stringMap(get(template, "metadata", "labels")),
        spec: isRecord(spec) ? spec : {},
    };
}

export interface ContainerRef {
    name: string;
    /** Init containers run before the app containers, except native sidecars (see `sidecar`). */
    init: boolean;
    /** An init container with `restartPolicy: Always` keeps running beside the app containers. */
    sidecar: boolean;
    container: Container;
}

export function containersOf(podSpec: PodSpec): ContainerRef[] {
    const refs: ContainerRef[] = [];
    for (const [field, init] of [
        ["initContainers", true],
        ["containers", false],
    ] as const) {
        list(podSpec[field]).forEach((container, index) => {
            if (!isRecord(container)) return;
            refs.push({
                name: text(container.name) ?? `${field}[${index}]`,
                init,
                sidecar: init && text(container.restartPolicy) === "Always",
                container,
            });
        });
    }
    return refs;
}

export function describeContainer(ref: ContainerRef): string {
    return `${ref.init ? "init container" : "container"} "${ref.name}"`;
}

export function describeWorkload(template: PodTemplate): string {
    return `${template.kind} ${template.namespace}/${template.name}`;
}

/**
 * Identity of the cluster an object lands in: its Kubernetes provider. Objects applied with
 * different providers live in different clusters even when their namespaces share a name.
 */
export function clusterOf(resource: PolicyResource): string {
    return resource.provider?.urn ?? "";
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions, ANDed). */
export function selectorMatches(selector: Inputs<k8s.meta.v1.LabelSelector> | undefined, labels: Record<string, string>): boolean {
    if (!isRecord(selector)) return false;
    const matchLabels = stringMap(selector.matchLabels);
    for (const [key, value] of Object.entries(matchLabels)) {
        if (labels[key] !== value) return false;
    }
    for (const expression of list(selector.matchExpressions)) {
        const key = text(get(expression, "key")) ?? "";
        const operator = text(get(expression, "operator"));
        const values = list(get(expression, "values")).map(String);
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        switch (operator) {
            case "In":
                if (!has || !values.includes(labels[key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/**
 * The DaemonSet exemption shared by the pod-hardening policies: node agents (CNI, device
 * plugins, log shippers) in the listed namespaces legitimately need host access.
 */
export function isExemptDaemonSet(template: PodTemplate, exemptNamespaces: readonly string[]): boolean {
    return template.kind === "DaemonSet" && exemptNamespaces.includes(template.namespace);
}
