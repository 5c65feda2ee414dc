/**
 * Runs one policy over one resource (or one stack) through the same runner the offline plan
 * and the guard use, so tests see exactly what `pulumi preview --policy-pack` would.
 * Fixtures are typed with the provider SDKs' own input types: a misspelt property in a
 * fixture fails type-checking instead of silently passing a policy.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { PolicyResource } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { allPolicies, type GuardPolicy } from "../policy/policies";
import { evaluatePolicies, type RunnerResource } from "../tools/policy-runner";
import type { PlanResourceOpts, PolicyViolation } from "../tools/contracts";

/** The SDK's marker for a string that is unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Deployment = Unwrap<k8s.apps.v1.Deployment>;
export type PodSpec = Unwrap<k8s.core.v1.PodSpec>;
export type Container = Unwrap<k8s.core.v1.Container>;

export function policyNamed(name: string): GuardPolicy {
    const policy = allPolicies.find((p) => p.name === name);
    if (policy === undefined) throw new Error(`no policy named ${name}`);
    return policy;
}

interface ResourceExtras {
    opts?: PlanResourceOpts;
    provider?: string;
    parent?: string;
    propertyDependencies?: Record<string, string[]>;
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::modelfleet::${type}::${name}`;
}

/** A cloud resource with the given Pulumi inputs (camelCase SDK names). */
export function cloud(type: string, name: string, inputs: object, extras: ResourceExtras = {}): RunnerResource {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        inputs: Object.fromEntries(Object.entries(inputs)),
        opts: extras.opts ?? {},
        ...(extras.provider !== undefined ? { provider: extras.provider } : {}),
        ...(extras.parent !== undefined ? { parent: extras.parent } : {}),
        ...(extras.propertyDependencies !== undefined ? { propertyDependencies: extras.propertyDependencies } : {}),
    };
}

/** A Kubernetes object as @pulumi/kubernetes registers it. */
export function kube<O extends { metadata?: { name?: string; namespace?: string } }>(
    type: string,
    object: O,
    extras: ResourceExtras = {},
): RunnerResource {
    const name = object.metadata?.name ?? "unnamed";
    const namespace = object.metadata?.namespace ?? "default";
    return cloud(type, `${namespace}-${name}`, object, extras);
}

export const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
} as const;

/** A container that passes every container-level policy. */
export function goodContainer(name = "torchserve"): Container {
    return {
        name,
        image: "pytorch/torchserve:0.12.0-gpu",
        ports: [{ containerPort: 8080, name: "http" }],
        resources: {
            requests: { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" },
            limits: { memory: "8Gi", "nvidia.com/gpu": "1" },
        },
        readinessProbe: { httpGet: { path: "/ping", port: 8080 } },
        livenessProbe: { httpGet: { path: "/ping", port: 8080 } },
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        },
    };
}

export function goodPodSpec(containers: Container[] = [goodContainer()]): PodSpec {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers,
    };
}

export const SERVING_LABELS = { "app.kubernetes.io/name": "torchserve", "app.kubernetes.io/part-of": "modelfleet" };

/** A Deployment that passes every policy; `edit` changes the copy before it is wrapped. */
export function deployment(name = "torchserve", edit?: (d: Deployment, pod: PodSpec) => void, extras?: ResourceExtras): RunnerResource {
    const pod = goodPodSpec([goodContainer(name)]);
    const d: Deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "serving" },
        spec: {
            replicas: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": name } },
            template: { metadata: { labels: { ...SERVING_LABELS, "app.kubernetes.io/name": name } }, spec: pod },
        },
    };
    edit?.(d, pod);
    return kube(T.deployment, d, extras);
}

/** The first container of a pod spec, for tests that change one field. */
export function first(pod: PodSpec): Container {
    const container = pod.containers[0];
    if (container === undefined) throw new Error("fixture pod has no container");
    return container;
}

/** Violations of policy `name` over `resources`; `settings` are that policy's config. */
export async function runPolicy(
    name: string,
    resources: RunnerResource | RunnerResource[],
    settings?: Record<string, unknown>,
): Promise<PolicyViolation[]> {
    const report = await evaluatePolicies(Array.isArray(resources) ? resources : [resources], {
        policies: [policyNamed(name)],
        config: settings === undefined ? {} : { [name]: settings },
    });
    return report.violations;
}

/**
 * Runs a validation with a `notApplicable` that stops it: the reason it gave, or undefined
 * when it ran through. Anything else it throws is thrown on.
 */
function reasonNotApplicable(validate: (notApplicable: (why?: string) => never) => void): string | undefined {
    let reason: string | undefined;
    const stop = new Error("not applicable");
    try {
        validate((why) => {
            reason = why;
            throw stop;
        });
    } catch (e) {
        if (e !== stop) throw e;
    }
    return reason;
}

/**
 * The reason a resource policy gives for not applying to `resource` (what the Pulumi service
 * lists beside the policy's verdicts), or undefined when it applies.
 */
export function notApplicableReason(name: string, resource: RunnerResource, settings: Record<string, unknown> = {}): string | undefined {
    const policy = policyNamed(name);
    if (!("validateResource" in policy) || policy.validateResource === undefined || Array.isArray(policy.validateResource)) {
        throw new Error(`${name} is not a single resource validation`);
    }
    const validate = policy.validateResource;
    return reasonNotApplicable((notApplicable) =>
        validate(
            {
                type: resource.type,
                props: resource.inputs,
                urn: resource.urn,
                stackTags: new Map(),
                name: resource.name,
                opts: {
                    protect: resource.opts.protect === true,
                    ignoreChanges: [],
                    aliases: [],
                    additionalSecretOutputs: [],
                    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                },
                isType: () => false,
                asType: () => undefined,
                getConfig: <T extends object>() => settings as T,
                notApplicable,
            },
            () => undefined,
        ),
    );
}

/**
 * The reason a stack policy gives for not applying to a stack of `resources`, or undefined
 * when it applies.
 */
export function stackNotApplicableReason(name: string, resources: PolicyResource[] = []): string | undefined {
    const policy = policyNamed(name);
    if (!("validateStack" in policy)) throw new Error(`${name} is not a stack policy`);
    return reasonNotApplicable((notApplicable) =>
        policy.validateStack(
            { resources, stackTags: new Map(), getConfig: <C extends object>() => ({}) as C, notApplicable },
            () => undefined,
        ),
    );
}

export interface RejectCase {
    title: string;
    /** The input field (dotted path; `opts.x` for a resource option) whose value this case gets wrong. */
    field: string;
    resources: RunnerResource | RunnerResource[];
    settings?: Record<string, unknown>;
    /** A fragment of the expected violation message. */
    message: string;
}

export interface AcceptCase {
    title: string;
    resources: RunnerResource | RunnerResource[];
    settings?: Record<string, unknown>;
}

export interface PolicyCases {
    /**
     * The audit: every input field the policy reads to reach its verdict, as a dotted path into
     * the provider's inputs (`opts.protect` for a resource option). Each needs a reject case.
     */
    fields: readonly string[];
    reject: RejectCase[];
    accept: AcceptCase[];
}

/**
 * Generates, for every policy of a module, one test per reject and accept case, plus a test
 * that the table covers every policy of the module both ways.
 */
export function testPolicies(policies: readonly GuardPolicy[], cases: Record<string, PolicyCases>): void {
    test("every policy has reject and accept cases", () => {
        expect(Object.keys(cases).sort()).toEqual(policies.map((p) => p.name).sort());
        for (const c of Object.values(cases)) {
            expect(c.reject.length).toBeGreaterThan(0);
            expect(c.accept.length).toBeGreaterThan(0);
        }
    });
    test("every field a policy checks has a reject case, and every reject case names a checked field", () => {
        for (const [name, c] of Object.entries(cases)) {
            const rejected = [...new Set(c.reject.map((r) => r.field))].sort();
            expect([name, rejected]).toEqual([name, [...c.fields].sort()]);
        }
    });
    for (const [name, c] of Object.entries(cases)) {
        const level = policyNamed(name).enforcementLevel;
        describe(name, () => {
            test.each(c.reject)("rejects: $title", async ({ resources, settings, message }) => {
                const violations = await runPolicy(name, resources, settings);
                expect(violations.map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
                for (const v of violations) {
                    expect(v).toMatchObject({ policy: name, level });
                }
            });
            test.each(c.accept)("accepts: $title", async ({ resources, settings }) => {
                expect(await runPolicy(name, resources, settings)).toEqual([]);
            });
        });
    }
}
