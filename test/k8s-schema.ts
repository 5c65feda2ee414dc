import { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1";
import { APIService } from "kubernetes-models/apiregistration.k8s.io/v1";
import { DaemonSet, Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, IngressClass, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

type Model = new (data: never) => { validate(): void };

/**
 * The Kubernetes API schemas the tests validate rendered objects against, by
 * `<apiVersion>/<kind>`. Custom resources have no schema here; tests check their shape.
 */
const models: Record<string, Model> = {
    "v1/Namespace": Namespace,
    "v1/ConfigMap": ConfigMap,
    "v1/Secret": Secret,
    "v1/Service": Service,
    "v1/ServiceAccount": ServiceAccount,
    "v1/ResourceQuota": ResourceQuota,
    "v1/LimitRange": LimitRange,
    "apps/v1/Deployment": Deployment,
    "apps/v1/DaemonSet": DaemonSet,
    "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
    "networking.k8s.io/v1/Ingress": Ingress,
    "networking.k8s.io/v1/IngressClass": IngressClass,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
    "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
    "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": MutatingWebhookConfiguration,
    "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": ValidatingWebhookConfiguration,
    "apiregistration.k8s.io/v1/APIService": APIService,
};

/** `<apiVersion>/<kind>` of a manifest. */
export function schemaKey(manifest: object): string {
    const m = manifest as { apiVersion?: unknown; kind?: unknown };
    return `${String(m.apiVersion)}/${String(m.kind)}`;
}

export function hasSchema(manifest: object): boolean {
    return models[schemaKey(manifest)] !== undefined;
}

/** Validates a manifest against its API schema; throws on a violation or when the kind has no schema here. */
export function validateManifest(manifest: object): void {
    const Model = models[schemaKey(manifest)];
    if (!Model) throw new Error(`no schema for ${schemaKey(manifest)}`);
    // A plain JSON copy: the models reject class instances and undefined fields.
    new Model(JSON.parse(JSON.stringify(manifest)) as never).validate();
}
