/**
 * How workloads run: pinned images, health probes, the restricted pod security profile,
 * no host access, and disruption budgets for replicated Deployments.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { ResourceValidationArgs } from "@pulumi/policy";
import {
    clusterOf,
    containersOf,
    describeContainer,
    describeWorkload,
    isExemptDaemonSet,
    K8S,
    namespaceOf,
    objectName,
    PART_OF_LABEL,
    podTemplateOf,
    type PodTemplate,
    PROJECT_LABEL_VALUE,
    selectorMatches,
    forWorkloads,
    kubeInputs,
} from "./kubernetes";
import { count, flag, get, isRecord, list, resourcesOfType, setting, settingsOf, strings, text, type GuardPolicy } from "./util";

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
    if (image.includes("@")) {
        const digest = image.slice(image.indexOf("@") + 1);
        return /^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest) ? undefined : `has a malformed digest "${digest}"`;
    }
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    if (colon === -1) return "has no tag (it resolves to latest)";
    const tag = lastSegment.slice(colon + 1);
    if (tag === "") return "has an empty tag";
    if (tag.toLowerCase() === "latest") return "uses the latest tag";
    return undefined;
}

const imagePinned: GuardPolicy = {
    name: "image-pinned",
    description: "Container images are pinned by version tag or digest, never latest or untagged.",
    enforcementLevel: "mandatory",
    validateResource: forWorkloads((props, args, report) => {
        const template = podTemplateOf(args.type, props, args.name);
        if (template === undefined) return;
        for (const ref of containersOf(template.spec)) {
            const image = text(ref.container.image);
            const reason = image === undefined ? "has no image" : unpinnedReason(image);
            if (reason !== undefined) {
                report(
                    `${describeWorkload(template)}: ${describeContainer(ref)} image ${image === undefined ? "" : `"${image}" `}${reason}.`,
                );
            }
        }
    }),
};

const servingProbes: GuardPolicy = {
    name: "serving-probes",
    description: "Serving containers (Deployments, StatefulSets, pods part-of modelfleet) have readiness and liveness probes.",
    enforcementLevel: "mandatory",
    validateResource: forWorkloads((props, args, report) => {
        const template = podTemplateOf(args.type, props, args.name);
        if (template === undefined) return;
        // Jobs run to completion: a liveness probe would only kill a long download.
        const batch = template.kind === "Job" || template.kind === "CronJob";
        const serving =
            template.kind === "Deployment" || template.kind === "StatefulSet" || template.labels[PART_OF_LABEL] === PROJECT_LABEL_VALUE;
        if (batch || !serving) args.notApplicable("not a serving workload");
        for (const ref of containersOf(template.spec)) {
            if (ref.init && !ref.sidecar) continue;
            const missing = (["readinessProbe", "livenessProbe"] as const).filter((p) => !isRecord(ref.container[p]));
            if (missing.length > 0) {
                report(`${describeWorkload(template)}: ${describeContainer(ref)} has no ${missing.join(" and no ")}.`);
            }
        }
    }),
};

const hardeningDefaults = { exemptDaemonSetNamespaces: ["kube-system"] };
const hardeningSchema = {
    properties: {
        exemptDaemonSetNamespaces: setting.strings(
            "Namespaces whose DaemonSets (node agents) are exempt.",
            hardeningDefaults.exemptDaemonSetNamespaces,
        ),
    },
};

/** The pod template the hardening policies check; exempt node agents are not applicable. */
function hardenedTemplate(props: unknown, args: ResourceValidationArgs): PodTemplate | undefined {
    const { exemptDaemonSetNamespaces } = settingsOf(args, hardeningDefaults);
    const template = podTemplateOf(args.type, props, args.name);
    if (template !== undefined && isExemptDaemonSet(template, exemptDaemonSetNamespaces)) args.notApplicable("exempt node agent");
    return template;
}

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

const podSecurityRestricted: GuardPolicy = {
    name: "pod-security-restricted",
    description: "Pods meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, seccomp.",
    enforcementLevel: "mandatory",
    configSchema: hardeningSchema,
    validateResource: forWorkloads((props, args, report) => {
        const template = hardenedTemplate(props, args);
        if (template === undefined) return;
        const pod = get(template.spec, "securityContext");
        for (const ref of containersOf(template.spec)) {
            const own = get(ref.container, "securityContext");
            const where = `${describeWorkload(template)}: ${describeContainer(ref)}`;
            const problems: string[] = [];

            const nonRoot = flag(get(own, "runAsNonRoot")) ?? flag(get(pod, "runAsNonRoot"));
            const user = count(get(own, "runAsUser")) ?? count(get(pod, "runAsUser"));
            if (nonRoot !== true) problems.push("runAsNonRoot is not true");
            if (user === 0) problems.push("runAsUser is 0 (root)");
            if (flag(get(own, "allowPrivilegeEscalation")) !== false) problems.push("allowPrivilegeEscalation is not false");
            if (flag(get(own, "privileged")) === true) problems.push("privileged is true");
            if (!strings(get(own, "capabilities", "drop")).includes("ALL")) problems.push("capabilities.drop does not include ALL");
            const added = strings(get(own, "capabilities", "add")).filter((c) => c !== "NET_BIND_SERVICE");
            if (added.length > 0) problems.push(`capabilities.add has ${added.join(", ")}`);
            const seccomp = text(get(own, "seccompProfile", "type")) ?? text(get(pod, "seccompProfile", "type"));
            if (seccomp === undefined || !SECCOMP_OK.includes(seccomp)) {
                problems.push(`seccompProfile.type is ${seccomp ?? "unset"} (want RuntimeDefault)`);
            }
            for (const problem of problems) report(`${where}: ${problem}.`);
        }
    }),
};

const noHostAccess: GuardPolicy = {
    name: "no-host-access",
    description: "Pods do not share the host's network, PID or IPC namespaces, mount hostPath volumes, or bind host ports.",
    enforcementLevel: "mandatory",
    configSchema: hardeningSchema,
    validateResource: forWorkloads((props, args, report) => {
        const template = hardenedTemplate(props, args);
        if (template === undefined) return;
        const label = describeWorkload(template);
        for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (flag(template.spec[field]) === true) report(`${label} sets ${field}: true.`);
        }
        for (const volume of list(template.spec.volumes)) {
            if (isRecord(get(volume, "hostPath"))) {
                report(`${label} mounts hostPath volume "${text(get(volume, "name")) ?? "?"}".`);
            }
        }
        for (const ref of containersOf(template.spec)) {
            for (const port of list(ref.container.ports)) {
                const hostPort = count(get(port, "hostPort"));
                if (hostPort !== undefined && hostPort !== 0) {
                    report(`${label}: ${describeContainer(ref)} binds host port ${hostPort}.`);
                }
            }
        }
    }),
};

const HPA_TYPES = [K8S.hpaV2, K8S.hpaV1];

const pdbForReplicatedDeployments: GuardPolicy = {
    name: "pdb-for-replicated-deployments",
    description: "Every Deployment with more than one replica, or scaled by an HPA, has a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const deployments = resourcesOfType(args, [K8S.deployment]);
        if (deployments.length === 0) args.notApplicable("no Deployments in the stack");
        const hpas = resourcesOfType(args, HPA_TYPES);
        const budgets = resourcesOfType(args, [K8S.podDisruptionBudget]);

        for (const deployment of deployments) {
            const object = kubeInputs<k8s.apps.v1.Deployment>(deployment);
            const namespace = namespaceOf(object);
            const name = objectName(object, deployment.name);
            const sameCluster = (r: (typeof args.resources)[number]) =>
                clusterOf(r) === clusterOf(deployment) && namespaceOf(kubeInputs(r)) === namespace;
            // The API server defaults replicas to 1.
            const replicas = count(get(object, "spec", "replicas")) ?? 1;
            const scaler = hpas.find((h) => {
                const hpa = kubeInputs<k8s.autoscaling.v2.HorizontalPodAutoscaler | k8s.autoscaling.v1.HorizontalPodAutoscaler>(h);
                return (
                    sameCluster(h) &&
                    text(get(hpa, "spec", "scaleTargetRef", "kind")) === "Deployment" &&
                    text(get(hpa, "spec", "scaleTargetRef", "name")) === name &&
                    (count(get(hpa, "spec", "maxReplicas")) ?? 2) > 1
                );
            });
            if (replicas <= 1 && scaler === undefined) continue;

            const template = podTemplateOf(deployment.type, deployment.props, deployment.name);
            const labels = template?.labels ?? {};
            const covered = budgets.some(
                (b) => sameCluster(b) && selectorMatches(get(kubeInputs<k8s.policy.v1.PodDisruptionBudget>(b), "spec", "selector"), labels),
            );
            if (!covered) {
                const why = scaler !== undefined ? "is scaled by an HPA" : `runs ${replicas} replicas`;
                report(`Deployment ${namespace}/${name} ${why} but no PodDisruptionBudget selects its pods.`, deployment.urn);
            }
        }
    },
};

export const workloadPolicies: GuardPolicy[] = [
    imagePinned,
    servingProbes,
    podSecurityRestricted,
    noHostAccess,
    pdbForReplicatedDeployments,
];
