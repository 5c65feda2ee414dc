import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { inputsOf } from "../policy/policies/util";
import {
    clusterOf,
    containersOf,
    describeContainer,
    describeWorkload,
    forWorkloads,
    isExemptDaemonSet,
    K8S,
    kindOf,
    kubeInputs,
    namespaceOf,
    objectName,
    PART_OF_LABEL,
    podTemplateOf,
    podTemplatePath,
    PROJECT_LABEL_VALUE,
    selectorMatches,
    WORKLOAD_TYPES,
    type PodTemplate,
} from "../policy/policies/kubernetes";

const OPTS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

function resource(props: Record<string, unknown>, providerUrn?: string): PolicyResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "r",
        urn: "urn:pulumi:test::modelfleet::kubernetes:apps/v1:Deployment::r",
        props,
        opts: OPTS,
        isType: () => false,
        asType: () => undefined,
        dependencies: [],
        propertyDependencies: {},
        ...(providerUrn !== undefined ? { provider: { urn: providerUrn, type: "pulumi:providers:kubernetes", name: "p", props: {} } } : {}),
    };
}

function validationArgs(type: string, props: Record<string, unknown>): ResourceValidationArgs {
    return {
        type,
        props,
        urn: `urn:pulumi:test::modelfleet::${type}::r`,
        name: "r",
        stackTags: new Map(),
        opts: OPTS,
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason ?? ""}`);
        },
    };
}

const containers = [{ name: "app", image: "x" }];

describe("type tokens", () => {
    test("the workload kinds with a pod template, in table order", () => {
        expect(WORKLOAD_TYPES).toEqual([
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1:ReplicaSet",
            "kubernetes:core/v1:ReplicationController",
            "kubernetes:batch/v1:Job",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:Pod",
        ]);
    });
    test("the other kinds the policies read", () => {
        expect([K8S.service, K8S.resourceQuota, K8S.limitRange, K8S.ingress, K8S.podDisruptionBudget, K8S.hpaV2, K8S.hpaV1]).toEqual([
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ResourceQuota",
            "kubernetes:core/v1:LimitRange",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
        ]);
    });
    test("the project label", () => {
        expect([PART_OF_LABEL, PROJECT_LABEL_VALUE]).toEqual(["app.kubernetes.io/part-of", "modelfleet"]);
    });
    test("kindOf is the text after the last colon", () => {
        expect(kindOf("kubernetes:apps/v1:Deployment")).toBe("Deployment");
        expect(kindOf("Pod")).toBe("Pod");
    });
});

describe("podTemplatePath", () => {
    test("fixed for the built-in kinds", () => {
        expect(podTemplatePath("kubernetes:apps/v1:Deployment", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:apps/v1:StatefulSet", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:apps/v1:DaemonSet", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:apps/v1:ReplicaSet", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:core/v1:ReplicationController", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:batch/v1:Job", {})).toEqual(["spec", "template"]);
        expect(podTemplatePath("kubernetes:batch/v1:CronJob", {})).toEqual(["spec", "jobTemplate", "spec", "template"]);
        expect(podTemplatePath("kubernetes:core/v1:Pod", {})).toEqual([]);
    });
    test("another Kubernetes kind with a pod template at a usual place", () => {
        const rollout = { spec: { template: { spec: { containers } } } };
        expect(podTemplatePath("kubernetes:argoproj.io/v1alpha1:Rollout", rollout)).toEqual(["spec", "template"]);
        const scheduled = { spec: { jobTemplate: { spec: { template: { spec: { containers } } } } } };
        expect(podTemplatePath("kubernetes:example.com/v1:Batch", scheduled)).toEqual(["spec", "jobTemplate", "spec", "template"]);
    });
    test("another Kubernetes kind without containers has no template", () => {
        expect(podTemplatePath("kubernetes:example.com/v1:Thing", { spec: { template: { spec: { containers: "app" } } } })).toBeUndefined();
        expect(podTemplatePath("kubernetes:example.com/v1:Thing", { spec: { template: {} } })).toBeUndefined();
        expect(podTemplatePath("kubernetes:core/v1:ConfigMap", { data: {} })).toBeUndefined();
    });
    test("a non-Kubernetes resource has no template even when shaped like one", () => {
        expect(podTemplatePath("aws:ecs/service:Service", { spec: { template: { spec: { containers } } } })).toBeUndefined();
        expect(podTemplatePath("xkubernetes:a/v1:B", { spec: { template: { spec: { containers } } } })).toBeUndefined();
    });
    test("a spec that cannot be read has no template", () => {
        const unknown = new Proxy(
            {},
            {
                get: () => {
                    throw new Error("unknown at preview");
                },
            },
        );
        expect(podTemplatePath("kubernetes:example.com/v1:Thing", { spec: unknown })).toBeUndefined();
    });
});

describe("forWorkloads", () => {
    const seen: string[] = [];
    const validate = forWorkloads((_props, args, report) => {
        seen.push(args.type);
        report(`checked ${args.name}`);
    });
    beforeEach(() => {
        seen.length = 0;
    });
    test("runs the check on a workload", () => {
        const reports: string[] = [];
        void validate(validationArgs("kubernetes:core/v1:Pod", { spec: { containers } }), (message) => reports.push(message));
        expect(seen).toEqual(["kubernetes:core/v1:Pod"]);
        expect(reports).toEqual(["checked r"]);
    });
    test("does not apply to objects without a pod template", () => {
        expect(() => validate(validationArgs("kubernetes:core/v1:ConfigMap", {}), () => undefined)).toThrow(
            "not applicable: Policy only applies to workloads: Pods and objects that carry a pod template",
        );
        expect(seen).toEqual([]);
    });
});

describe("names", () => {
    test("namespace defaults to default", () => {
        expect(namespaceOf({ metadata: { namespace: "serving" } })).toBe("serving");
        expect(namespaceOf({ metadata: {} })).toBe("default");
        expect(namespaceOf({})).toBe("default");
    });
    test("object name falls back to the resource name", () => {
        expect(objectName({ metadata: { name: "gateway" } }, "res")).toBe("gateway");
        expect(objectName({}, "res")).toBe("res");
    });
    test("kubeInputs reads the resource's props", () => {
        expect(kubeInputs(resource({ metadata: { name: "gateway" } }))).toEqual({ metadata: { name: "gateway" } });
    });
    test("clusterOf is the provider's URN, empty without one", () => {
        expect(clusterOf(resource({}, "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::edge"))).toBe(
            "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::edge",
        );
        expect(clusterOf(resource({}))).toBe("");
    });
});

describe("podTemplateOf", () => {
    test("a Deployment's template with its owner's name and namespace", () => {
        const props = {
            metadata: { name: "torchserve", namespace: "serving" },
            spec: { template: { metadata: { labels: { app: "ts", tier: 1 } }, spec: { containers } } },
        };
        expect(podTemplateOf("kubernetes:apps/v1:Deployment", props, "res")).toEqual({
            kind: "Deployment",
            name: "torchserve",
            namespace: "serving",
            labels: { app: "ts", tier: "1" },
            spec: { containers },
        });
    });
    test("a Pod is its own template", () => {
        expect(podTemplateOf("kubernetes:core/v1:Pod", { metadata: { labels: { app: "p" } }, spec: { containers } }, "res")).toEqual({
            kind: "Pod",
            name: "res",
            namespace: "default",
            labels: { app: "p" },
            spec: { containers },
        });
    });
    test("missing template and spec read as empty", () => {
        expect(podTemplateOf("kubernetes:apps/v1:Deployment", { spec: { template: "x" } }, "res")).toEqual({
            kind: "Deployment",
            name: "res",
            namespace: "default",
            labels: {},
            spec: {},
        });
        expect(podTemplateOf("kubernetes:apps/v1:Deployment", { spec: { template: { spec: ["x"] } } }, "res")?.spec).toEqual({});
    });
    test("props that are not an object read as an unnamed object", () => {
        expect(podTemplateOf("kubernetes:core/v1:Pod", ["x"], "res")).toEqual({
            kind: "Pod",
            name: "res",
            namespace: "default",
            labels: {},
            spec: {},
        });
    });
    test("no template outside the workloads", () => {
        expect(podTemplateOf("kubernetes:core/v1:Service", { spec: {} }, "res")).toBeUndefined();
    });
});

describe("containersOf", () => {
    test("init containers first, then app containers, with names, sidecars and positions", () => {
        const spec = inputsOf<k8s.core.v1.PodSpec>({
            initContainers: [{ name: "fetch" }, { name: "proxy", restartPolicy: "Always" }, { image: "x" }, "bad"],
            containers: [{ name: "app", restartPolicy: "Always" }, { image: "y" }],
        });
        expect(containersOf(spec).map(({ name, init, sidecar }) => ({ name, init, sidecar }))).toEqual([
            { name: "fetch", init: true, sidecar: false },
            { name: "proxy", init: true, sidecar: true },
            { name: "initContainers[2]", init: true, sidecar: false },
            { name: "app", init: false, sidecar: false },
            { name: "containers[1]", init: false, sidecar: false },
        ]);
        expect(containersOf(spec)[1]?.container).toEqual({ name: "proxy", restartPolicy: "Always" });
    });
    test("an init container restarted on failure is not a sidecar", () => {
        expect(containersOf({ initContainers: [{ name: "fetch", restartPolicy: "OnFailure" }] })[0]?.sidecar).toBe(false);
    });
    test("a spec without containers has none", () => {
        expect(containersOf({})).toEqual([]);
    });
    test("descriptions", () => {
        const [init, app] = containersOf({ initContainers: [{ name: "fetch" }], containers: [{ name: "app" }] });
        expect(init && describeContainer(init)).toBe('init container "fetch"');
        expect(app && describeContainer(app)).toBe('container "app"');
        const template: PodTemplate = { kind: "Deployment", name: "torchserve", namespace: "serving", labels: {}, spec: {} };
        expect(describeWorkload(template)).toBe("Deployment serving/torchserve");
    });
});

describe("selectorMatches", () => {
    const labels = { app: "ts", tier: "gpu" };
    test("no selector matches nothing", () => {
        expect(selectorMatches(undefined, labels)).toBe(false);
    });
    test("an empty selector matches everything", () => {
        expect(selectorMatches({}, labels)).toBe(true);
    });
    test("matchLabels must all be equal", () => {
        expect(selectorMatches({ matchLabels: { app: "ts" } }, labels)).toBe(true);
        expect(selectorMatches({ matchLabels: { app: "ts", tier: "cpu" } }, labels)).toBe(false);
        expect(selectorMatches({ matchLabels: { zone: "a" } }, labels)).toBe(false);
    });
    test("In", () => {
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["cpu", "gpu"] }] }, labels)).toBe(true);
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["cpu"] }] }, labels)).toBe(false);
        expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "In", values: ["undefined"] }] }, labels)).toBe(false);
    });
    test("NotIn", () => {
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["cpu"] }] }, labels)).toBe(true);
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["gpu"] }] }, labels)).toBe(false);
        expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels)).toBe(true);
    });
    test("Exists and DoesNotExist", () => {
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels)).toBe(true);
        expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
        expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(true);
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels)).toBe(false);
    });
    test("an unknown operator matches nothing", () => {
        expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] }, labels)).toBe(false);
        expect(selectorMatches({ matchExpressions: [{ key: "tier" }] }, labels)).toBe(false);
    });
    test("expressions and labels are ANDed", () => {
        const both = {
            matchLabels: { app: "ts" },
            matchExpressions: [
                { key: "tier", operator: "Exists" },
                { key: "zone", operator: "DoesNotExist" },
            ],
        };
        expect(selectorMatches(both, labels)).toBe(true);
        expect(selectorMatches(both, { ...labels, zone: "a" })).toBe(false);
        expect(selectorMatches(both, { tier: "gpu" })).toBe(false);
    });
    test("an expression without a key tests the empty label", () => {
        expect(selectorMatches({ matchExpressions: [{ operator: "Exists" }] }, { "": "x" })).toBe(true);
        expect(selectorMatches({ matchExpressions: [{ operator: "Exists" }] }, labels)).toBe(false);
    });
    test("a label inherited from Object is not a label", () => {
        expect(selectorMatches({ matchExpressions: [{ key: "toString", operator: "Exists" }] }, labels)).toBe(false);
    });
    test("numeric values compare as text", () => {
        expect(
            selectorMatches({ matchExpressions: [{ key: "gen", operator: "In", values: [5 as unknown as string] }] }, { gen: "5" }),
        ).toBe(true);
    });
});

describe("isExemptDaemonSet", () => {
    const template = (kind: string, namespace: string): PodTemplate => ({ kind, name: "agent", namespace, labels: {}, spec: {} });
    test("a DaemonSet in a listed namespace", () => {
        expect(isExemptDaemonSet(template("DaemonSet", "kube-system"), ["kube-system"])).toBe(true);
    });
    test("a DaemonSet elsewhere, or another kind in the namespace", () => {
        expect(isExemptDaemonSet(template("DaemonSet", "serving"), ["kube-system"])).toBe(false);
        expect(isExemptDaemonSet(template("Deployment", "kube-system"), ["kube-system"])).toBe(false);
    });
});
