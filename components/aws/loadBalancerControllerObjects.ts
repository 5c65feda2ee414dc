import type * as k8s from "@pulumi/kubernetes";

/**
 * The AWS Load Balancer Controller's RBAC rules and admission webhooks, as plain data. They
 * follow the controller's own manifests for the v2.13 line, less what this fleet does not use.
 */

export const LBC_NAMESPACE = "kube-system";
export const LBC_NAME = "aws-load-balancer-controller";
export const WEBHOOK_SERVICE = "aws-load-balancer-webhook-service";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;
const read = ["get", "list", "watch"];

/** Leader election between replicas, on its own lease and config map only. */
export function leaderElectionRules(): PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
        {
            apiGroups: [""],
            resources: ["configmaps"],
            resourceNames: ["aws-load-balancer-controller-leader"],
            verbs: ["get", "patch", "update"],
        },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        {
            apiGroups: ["coordination.k8s.io"],
            resources: ["leases"],
            resourceNames: ["aws-load-balancer-controller-leader"],
            verbs: ["get", "update", "patch"],
        },
    ];
}

/** Cluster-wide rules. No Secret access: it is needed only for ALB OIDC authentication, unused here. */
export function controllerClusterRules(): PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["endpoints", "namespaces", "nodes", "pods"], verbs: read },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: [""], resources: ["pods/status", "services/status"], verbs: ["patch", "update"] },
        { apiGroups: [""], resources: ["services"], verbs: [...read, "patch", "update"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
        { apiGroups: ["elbv2.k8s.aws"], resources: ["ingressclassparams"], verbs: read },
        {
            apiGroups: ["elbv2.k8s.aws"],
            resources: ["targetgroupbindings"],
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        { apiGroups: ["elbv2.k8s.aws"], resources: ["targetgroupbindings/status"], verbs: ["patch", "update"] },
        { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses"], verbs: [...read, "patch", "update"] },
        { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses/status"], verbs: ["patch", "update"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: read },
    ];
}

type RuleWithOperations = k8s.types.input.admissionregistration.v1.RuleWithOperations;

/** Leaves the controller's own objects alone: its pods must start while its webhooks are down. */
const notSelf = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: [LBC_NAME] }] };

/** Creates and updates of one elbv2.k8s.aws v1beta1 resource. */
const elbv2Rule = (resource: string): RuleWithOperations => ({
    apiGroups: ["elbv2.k8s.aws"],
    apiVersions: ["v1beta1"],
    operations: ["CREATE", "UPDATE"],
    resources: [resource],
});

/**
 * One of the controller's webhooks: served at `path` by the webhook Service, and failing
 * closed, as upstream's are. `scope` narrows which objects it sees.
 */
function webhook(
    name: string,
    path: string,
    rule: RuleWithOperations,
    scope: Pick<k8s.types.input.admissionregistration.v1.ValidatingWebhook, "namespaceSelector" | "objectSelector" | "matchPolicy"> = {},
) {
    return {
        name,
        clientConfig: { service: { name: WEBHOOK_SERVICE, namespace: LBC_NAMESPACE, path } },
        admissionReviewVersions: ["v1beta1"],
        failurePolicy: "Fail",
        sideEffects: "None",
        ...scope,
        rules: [rule],
    };
}

/**
 * Pod readiness gates (only in namespaces that opt in by label) and TargetGroupBinding
 * defaults. The Service mutator is left out: it would make the controller the default for
 * every LoadBalancer Service, and with its Fail policy block all Service writes while it is down.
 */
export function mutatingWebhooks(): k8s.types.input.admissionregistration.v1.MutatingWebhook[] {
    return [
        // Target-health readiness gates, only in namespaces that opt in by label.
        webhook(
            "mpod.elbv2.k8s.aws",
            "/mutate-v1-pod",
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
            {
                namespaceSelector: {
                    matchExpressions: [{ key: "elbv2.k8s.aws/pod-readiness-gate-inject", operator: "In", values: ["enabled"] }],
                },
                objectSelector: notSelf,
            },
        ),
        webhook("mtargetgroupbinding.elbv2.k8s.aws", "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding", elbv2Rule("targetgroupbindings")),
    ];
}

/** Validation of IngressClassParams, TargetGroupBindings and Ingresses. */
export function validatingWebhooks(): k8s.types.input.admissionregistration.v1.ValidatingWebhook[] {
    return [
        webhook(
            "vingressclassparams.elbv2.k8s.aws",
            "/validate-elbv2-k8s-aws-v1beta1-ingressclassparams",
            elbv2Rule("ingressclassparams"),
            { objectSelector: notSelf },
        ),
        webhook(
            "vtargetgroupbinding.elbv2.k8s.aws",
            "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding",
            elbv2Rule("targetgroupbindings"),
        ),
        webhook(
            "vingress.elbv2.k8s.aws",
            "/validate-networking-v1-ingress",
            { apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["ingresses"] },
            { matchPolicy: "Equivalent" },
        ),
    ];
}
