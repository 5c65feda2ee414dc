import type * as k8s from "@pulumi/kubernetes/types/input";
import type { Unwrap } from "@pulumi/pulumi";
import { workloadPolicies } from "../policy/policies";
import { unpinnedReason } from "../policy/policies/workloads";
import {
    deployment,
    first,
    goodContainer,
    goodPodSpec,
    kube,
    notApplicableReason,
    stackNotApplicableReason,
    T,
    testPolicies,
    type PodSpec,
} from "./policy-harness";

const daemonSet = (namespace: string, pod: PodSpec) =>
    kube(T.daemonSet, {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "nvidia-device-plugin", namespace },
        spec: { selector: { matchLabels: { app: "dp" } }, template: { metadata: { labels: { app: "dp" } }, spec: pod } },
    } satisfies Unwrap<k8s.apps.v1.DaemonSet>);

const hostPod = (): PodSpec => ({
    ...goodPodSpec(),
    hostNetwork: true,
    volumes: [{ name: "device-plugins", hostPath: { path: "/var/lib/kubelet/device-plugins" } }],
});

const job = (pod: PodSpec, labels?: Record<string, string>) =>
    kube(T.job, {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "download-model", namespace: "serving" },
        spec: { template: { ...(labels ? { metadata: { labels } } : {}), spec: { ...pod, restartPolicy: "Never" } } },
    } satisfies Unwrap<k8s.batch.v1.Job>);

const replicated = (replicas: number, name = "tensorzero") =>
    deployment(name, (d) => {
        if (d.spec) d.spec.replicas = replicas;
    });
const pdb = (selector: Unwrap<k8s.meta.v1.LabelSelector>, namespace = "serving") =>
    kube(T.pdb, {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "tensorzero", namespace },
        spec: { maxUnavailable: 1, selector },
    } satisfies Unwrap<k8s.policy.v1.PodDisruptionBudget>);
const hpa = (target: string, maxReplicas = 6) =>
    kube(T.hpa, {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: target, namespace: "serving" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas: 1, maxReplicas },
    } satisfies Unwrap<k8s.autoscaling.v2.HorizontalPodAutoscaler>);

describe("image references", () => {
    test.each([
        ["pytorch/torchserve:0.12.0-gpu", undefined],
        ["registry.example.com:5000/team/torchserve:0.12.0", undefined],
        [`tensorzero/gateway@sha256:${"a".repeat(64)}`, undefined],
        ["registry.example.com:5000/team/torchserve", "has no tag (it resolves to latest)"],
        ["tensorzero/gateway:latest", "uses the latest tag"],
        ["tensorzero/gateway@sha256:xyz", 'has a malformed digest "sha256:xyz"'],
        ["tensorzero/gateway:", "has an empty tag"],
        ["tensorzero/gateway:LATEST", "uses the latest tag"],
        ["registry.example.com:5000/gateway", "has no tag (it resolves to latest)"],
        [`tensorzero/gateway@sha256:${"a".repeat(32)}`, undefined],
        [`tensorzero/gateway@sha256:${"a".repeat(31)}`, `has a malformed digest "sha256:${"a".repeat(31)}"`],
        [`tensorzero/gateway@SHA256:${"a".repeat(64)}`, `has a malformed digest "SHA256:${"a".repeat(64)}"`],
        [`tensorzero/gateway@sha256:${"a".repeat(64)}z`, `has a malformed digest "sha256:${"a".repeat(64)}z"`],
        [`tensorzero/gateway@sha256:${"A".repeat(64)}`, `has a malformed digest "sha256:${"A".repeat(64)}"`],
        [`tensorzero/gateway@:${"a".repeat(64)}`, `has a malformed digest ":${"a".repeat(64)}"`],
    ])("%s", (image, reason) => {
        expect(unpinnedReason(image)).toBe(reason);
    });
});

testPolicies(workloadPolicies, {
    "image-pinned": {
        fields: ["containers.image", "initContainers.image"],
        reject: [
            {
                title: "latest",
                field: "containers.image",
                resources: deployment("tensorzero", (_, pod) => {
                    first(pod).image = "tensorzero/gateway:latest";
                }),
                message: 'container "tensorzero" image "tensorzero/gateway:latest" uses the latest tag.',
            },
            {
                title: "an untagged init container",
                field: "initContainers.image",
                resources: deployment("torchserve", (_, pod) => {
                    pod.initContainers = [{ ...goodContainer("fetch"), image: "amazon/aws-cli" }];
                }),
                message: 'init container "fetch" image "amazon/aws-cli" has no tag',
            },
            {
                title: "a container without an image",
                field: "containers.image",
                resources: deployment("tensorzero", (_, pod) => {
                    delete first(pod).image;
                }),
                message: 'Deployment serving/tensorzero: container "tensorzero" image has no image.',
            },
            {
                title: "an empty tag",
                field: "containers.image",
                resources: deployment("tensorzero", (_, pod) => {
                    first(pod).image = "tensorzero/gateway:";
                }),
                message: 'Deployment serving/tensorzero: container "tensorzero" image "tensorzero/gateway:" has an empty tag.',
            },
        ],
        accept: [
            { title: "a version tag", resources: deployment() },
            {
                title: "a digest",
                resources: deployment("tensorzero", (_, pod) => {
                    first(pod).image = `tensorzero/gateway@sha256:${"0".repeat(64)}`;
                }),
            },
        ],
    },
    "serving-probes": {
        fields: ["containers.readinessProbe", "containers.livenessProbe", 'template.metadata.labels["app.kubernetes.io/part-of"]'],
        reject: [
            {
                title: "a Deployment container without probes",
                field: "containers.readinessProbe",
                resources: deployment("tensorzero", (_, pod) => {
                    delete first(pod).readinessProbe;
                    delete first(pod).livenessProbe;
                }),
                message: 'container "tensorzero" has no readinessProbe and no livenessProbe.',
            },
            {
                title: "a Pod part-of modelfleet without liveness",
                field: 'template.metadata.labels["app.kubernetes.io/part-of"]',
                resources: kube(T.pod, {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "canary", namespace: "serving", labels: { "app.kubernetes.io/part-of": "modelfleet" } },
                    spec: goodPodSpec([{ ...goodContainer("canary"), livenessProbe: undefined }]),
                } satisfies Unwrap<k8s.core.v1.Pod>),
                message: 'container "canary" has no livenessProbe.',
            },
            {
                title: "a Deployment container without liveness",
                field: "containers.livenessProbe",
                resources: deployment("tensorzero", (_, pod) => {
                    delete first(pod).livenessProbe;
                }),
                message: 'Deployment serving/tensorzero: container "tensorzero" has no livenessProbe.',
            },
            {
                title: "a StatefulSet container without readiness",
                field: "containers.readinessProbe",
                resources: kube(T.statefulSet, {
                    apiVersion: "apps/v1",
                    kind: "StatefulSet",
                    metadata: { name: "model-cache", namespace: "serving" },
                    spec: {
                        serviceName: "model-cache",
                        selector: { matchLabels: { app: "model-cache" } },
                        template: {
                            metadata: { labels: { app: "model-cache" } },
                            spec: goodPodSpec([{ ...goodContainer("cache"), readinessProbe: undefined }]),
                        },
                    },
                } satisfies Unwrap<k8s.apps.v1.StatefulSet>),
                message: 'StatefulSet serving/model-cache: container "cache" has no readinessProbe.',
            },
            {
                title: "a native sidecar without probes",
                field: "containers.livenessProbe",
                resources: deployment("torchserve", (_, pod) => {
                    pod.initContainers = [
                        { ...goodContainer("log-shipper"), restartPolicy: "Always", readinessProbe: undefined, livenessProbe: undefined },
                    ];
                }),
                message: 'Deployment serving/torchserve: init container "log-shipper" has no readinessProbe and no livenessProbe.',
            },
            {
                title: "a Deployment of another project is checked all the same",
                field: "containers.readinessProbe",
                resources: deployment("grafana", (d, pod) => {
                    if (d.spec?.template.metadata) d.spec.template.metadata.labels = { app: "grafana" };
                    delete first(pod).readinessProbe;
                }),
                message: 'Deployment serving/grafana: container "grafana" has no readinessProbe.',
            },
        ],
        accept: [
            { title: "both probes", resources: deployment() },
            {
                title: "a Job of the project needs none",
                resources: job(goodPodSpec([{ ...goodContainer("download"), livenessProbe: undefined }]), {
                    "app.kubernetes.io/part-of": "modelfleet",
                }),
            },
            {
                title: "a Job needs none",
                resources: job(goodPodSpec([{ ...goodContainer("download"), readinessProbe: undefined, livenessProbe: undefined }])),
            },
            {
                title: "a CronJob needs none",
                resources: kube(T.cronJob, {
                    apiVersion: "batch/v1",
                    kind: "CronJob",
                    metadata: { name: "warm-cache", namespace: "serving" },
                    spec: {
                        schedule: "0 * * * *",
                        jobTemplate: {
                            spec: {
                                template: {
                                    metadata: { labels: { "app.kubernetes.io/part-of": "modelfleet" } },
                                    spec: {
                                        ...goodPodSpec([{ ...goodContainer("warm"), livenessProbe: undefined }]),
                                        restartPolicy: "Never",
                                    },
                                },
                            },
                        },
                    },
                } satisfies Unwrap<k8s.batch.v1.CronJob>),
            },
            {
                title: "an init container that runs to completion needs none",
                resources: deployment("torchserve", (_, pod) => {
                    pod.initContainers = [{ ...goodContainer("fetch"), readinessProbe: undefined, livenessProbe: undefined }];
                }),
            },
            {
                title: "a Pod part of another project",
                resources: kube(T.pod, {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "debug", namespace: "serving", labels: { "app.kubernetes.io/part-of": "other" } },
                    spec: goodPodSpec([{ ...goodContainer("debug"), livenessProbe: undefined }]),
                } satisfies Unwrap<k8s.core.v1.Pod>),
            },
        ],
    },
    "pod-security-restricted": {
        fields: [
            "securityContext.runAsNonRoot",
            "securityContext.runAsUser",
            "securityContext.allowPrivilegeEscalation",
            "securityContext.privileged",
            "securityContext.capabilities.drop",
            "securityContext.capabilities.add",
            "securityContext.seccompProfile.type",
            "DaemonSet.metadata.namespace",
        ],
        reject: [
            {
                title: "no pod or container security context",
                field: "securityContext.runAsNonRoot",
                resources: deployment("torchserve", (_, pod) => {
                    delete pod.securityContext;
                    delete first(pod).securityContext;
                }),
                message: 'container "torchserve": runAsNonRoot is not true.',
            },
            {
                title: "privilege escalation allowed",
                field: "securityContext.allowPrivilegeEscalation",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"] } };
                }),
                message: "allowPrivilegeEscalation is not false",
            },
            {
                title: "capabilities not dropped",
                field: "securityContext.capabilities.add",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { allowPrivilegeEscalation: false, capabilities: { add: ["SYS_ADMIN"] } };
                }),
                message: "capabilities.add has SYS_ADMIN",
            },
            {
                title: "a drop list without ALL",
                field: "securityContext.capabilities.drop",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["NET_RAW"] } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": capabilities.drop does not include ALL.',
            },
            {
                title: "a privileged container",
                field: "securityContext.privileged",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { allowPrivilegeEscalation: false, privileged: true, capabilities: { drop: ["ALL"] } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": privileged is true.',
            },
            {
                title: "no seccomp profile",
                field: "securityContext.seccompProfile.type",
                resources: deployment("torchserve", (_, pod) => {
                    pod.securityContext = { runAsNonRoot: true };
                }),
                message: "seccompProfile.type is unset (want RuntimeDefault)",
            },
            {
                title: "a container that overrides to root",
                field: "securityContext.runAsUser",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
                }),
                message: "runAsUser is 0 (root)",
            },
            {
                title: "a pod that runs as root",
                field: "securityContext.runAsUser",
                resources: deployment("torchserve", (_, pod) => {
                    pod.securityContext = { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": runAsUser is 0 (root).',
            },
            {
                title: "a container that opts out of the pod's non-root setting",
                field: "securityContext.runAsNonRoot",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = { runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": runAsNonRoot is not true.',
            },
            {
                title: "an unconfined container in a RuntimeDefault pod",
                field: "securityContext.seccompProfile.type",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "Unconfined" },
                    };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": seccompProfile.type is Unconfined (want RuntimeDefault).',
            },
            {
                title: "an allowed capability beside a forbidden one",
                field: "securityContext.capabilities.add",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).securityContext = {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_ADMIN", "SYS_TIME"] },
                    };
                }),
                message: 'Deployment serving/torchserve: container "torchserve": capabilities.add has NET_ADMIN, SYS_TIME.',
            },
            {
                title: "a DaemonSet outside the exempt namespaces",
                field: "DaemonSet.metadata.namespace",
                resources: daemonSet("monitoring", { containers: [goodContainer("agent")] }),
                message: "runAsNonRoot is not true",
            },
        ],
        accept: [
            { title: "restricted at pod and container level", resources: deployment() },
            {
                title: "seccomp at container level",
                resources: deployment("torchserve", (_, pod) => {
                    pod.securityContext = { runAsNonRoot: true };
                    first(pod).securityContext = {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    };
                }),
            },
            { title: "a kube-system DaemonSet is exempt", resources: daemonSet("kube-system", { containers: [goodContainer("agent")] }) },
            {
                title: "non-root and user set on the container alone",
                resources: deployment("torchserve", (_, pod) => {
                    pod.securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } };
                    first(pod).securityContext = {
                        runAsNonRoot: true,
                        runAsUser: 1000,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    };
                }),
            },
            {
                title: "a Localhost seccomp profile and the one capability allowed back",
                resources: deployment("torchserve", (_, pod) => {
                    pod.securityContext = {
                        runAsNonRoot: true,
                        seccompProfile: { type: "Localhost", localhostProfile: "profiles/ts.json" },
                    };
                    first(pod).securityContext = {
                        allowPrivilegeEscalation: false,
                        privileged: false,
                        capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                    };
                }),
            },
            {
                title: "exempt namespaces come from config",
                resources: daemonSet("gpu-operator", { containers: [goodContainer("agent")] }),
                settings: { exemptDaemonSetNamespaces: ["kube-system", "gpu-operator"] },
            },
        ],
    },
    "no-host-access": {
        fields: ["hostNetwork", "hostPID", "hostIPC", "volumes.hostPath", "containers.ports.hostPort", "DaemonSet.metadata.namespace"],
        reject: [
            {
                title: "hostNetwork and hostPath in a Deployment",
                field: "hostNetwork",
                resources: deployment("torchserve", (d) => {
                    if (d.spec) d.spec.template.spec = hostPod();
                }),
                message: "sets hostNetwork: true.",
            },
            {
                title: "hostPath volume",
                field: "volumes.hostPath",
                resources: daemonSet("monitoring", hostPod()),
                message: 'mounts hostPath volume "device-plugins"',
            },
            {
                title: "a host port",
                field: "containers.ports.hostPort",
                resources: deployment("torchserve", (_, pod) => {
                    first(pod).ports = [{ containerPort: 8080, hostPort: 8080 }];
                }),
                message: 'container "torchserve" binds host port 8080',
            },
            {
                title: "the host's PID namespace",
                field: "hostPID",
                resources: deployment("torchserve", (_, pod) => {
                    pod.hostPID = true;
                }),
                message: "Deployment serving/torchserve sets hostPID: true.",
            },
            {
                title: "the host's IPC namespace",
                field: "hostIPC",
                resources: deployment("torchserve", (_, pod) => {
                    pod.hostIPC = true;
                }),
                message: "Deployment serving/torchserve sets hostIPC: true.",
            },
            {
                title: "a node agent outside the exempt namespaces",
                field: "DaemonSet.metadata.namespace",
                resources: daemonSet("monitoring", { ...goodPodSpec(), hostNetwork: true }),
                message: "DaemonSet monitoring/nvidia-device-plugin sets hostNetwork: true.",
            },
            {
                title: "a hostPath volume and a host port, exactly",
                field: "volumes.hostPath",
                resources: daemonSet("monitoring", {
                    ...goodPodSpec([{ ...goodContainer("agent"), ports: [{ containerPort: 9400, hostPort: 9400 }] }]),
                    volumes: [{ name: "device-plugins", hostPath: { path: "/var/lib/kubelet/device-plugins" } }],
                }),
                message: 'DaemonSet monitoring/nvidia-device-plugin mounts hostPath volume "device-plugins".',
            },
            {
                title: "a host port, exactly",
                field: "containers.ports.hostPort",
                resources: daemonSet(
                    "monitoring",
                    goodPodSpec([{ ...goodContainer("agent"), ports: [{ containerPort: 9400, hostPort: 9400 }] }]),
                ),
                message: 'DaemonSet monitoring/nvidia-device-plugin: container "agent" binds host port 9400.',
            },
            {
                title: "a hostPath volume without a name",
                field: "volumes.hostPath",
                resources: kube(T.deployment, {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata: { name: "torchserve", namespace: "serving" },
                    spec: {
                        selector: { matchLabels: { app: "torchserve" } },
                        template: { spec: { ...goodPodSpec(), volumes: [{ hostPath: { path: "/models" } }] } },
                    },
                }),
                message: 'Deployment serving/torchserve mounts hostPath volume "?".',
            },
        ],
        accept: [
            { title: "no host access", resources: deployment() },
            { title: "a kube-system node agent", resources: daemonSet("kube-system", hostPod()) },
            {
                title: "host namespaces off, other volumes, container ports only",
                resources: deployment("torchserve", (_, pod) => {
                    pod.hostNetwork = false;
                    pod.hostPID = false;
                    pod.hostIPC = false;
                    pod.volumes = [{ name: "scratch", emptyDir: {} }];
                    first(pod).ports = [{ containerPort: 8080, hostPort: 0 }, { containerPort: 8081 }];
                }),
            },
        ],
    },
    "pdb-for-replicated-deployments": {
        fields: [
            "Deployment.spec.replicas",
            "HorizontalPodAutoscaler.spec.scaleTargetRef.name",
            "HorizontalPodAutoscaler.spec.maxReplicas",
            "PodDisruptionBudget.spec.selector",
            "PodDisruptionBudget.metadata.namespace",
        ],
        reject: [
            {
                title: "three replicas, no PDB",
                field: "Deployment.spec.replicas",
                resources: [replicated(3)],
                message: "Deployment serving/tensorzero runs 3 replicas but no PodDisruptionBudget selects its pods",
            },
            {
                title: "a PDB selecting other pods",
                field: "PodDisruptionBudget.spec.selector",
                resources: [replicated(2), pdb({ matchLabels: { "app.kubernetes.io/name": "torchserve" } })],
                message: "runs 2 replicas but no PodDisruptionBudget",
            },
            {
                title: "one replica scaled by an HPA",
                field: "HorizontalPodAutoscaler.spec.scaleTargetRef.name",
                resources: [replicated(1), hpa("tensorzero")],
                message: "is scaled by an HPA but no PodDisruptionBudget",
            },
            {
                title: "a PDB in another namespace",
                field: "PodDisruptionBudget.metadata.namespace",
                resources: [replicated(2), pdb({ matchLabels: { "app.kubernetes.io/name": "tensorzero" } }, "other")],
                message: "runs 2 replicas",
            },
            {
                title: "an HPA that may scale to two",
                field: "HorizontalPodAutoscaler.spec.maxReplicas",
                resources: [replicated(1), hpa("tensorzero", 2)],
                message: "Deployment serving/tensorzero is scaled by an HPA but no PodDisruptionBudget selects its pods.",
            },
            {
                title: "three replicas and an HPA, no PDB",
                field: "HorizontalPodAutoscaler.spec.scaleTargetRef.name",
                resources: [replicated(3), hpa("tensorzero")],
                message: "Deployment serving/tensorzero is scaled by an HPA but no PodDisruptionBudget selects its pods.",
            },
            {
                title: "an HPA that leaves maxReplicas unset",
                field: "HorizontalPodAutoscaler.spec.maxReplicas",
                resources: [
                    replicated(1),
                    kube(T.hpa, {
                        metadata: { name: "tensorzero", namespace: "serving" },
                        spec: { scaleTargetRef: { kind: "Deployment", name: "tensorzero" } },
                    }),
                ],
                message: "Deployment serving/tensorzero is scaled by an HPA but no PodDisruptionBudget selects its pods.",
            },
            {
                title: "a PDB of another cluster",
                field: "PodDisruptionBudget.metadata.namespace",
                resources: [
                    replicated(2),
                    kube(
                        T.pdb,
                        {
                            apiVersion: "policy/v1",
                            kind: "PodDisruptionBudget",
                            metadata: { name: "tensorzero", namespace: "serving" },
                            spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "tensorzero" } } },
                        } satisfies Unwrap<k8s.policy.v1.PodDisruptionBudget>,
                        { provider: "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::usw2" },
                    ),
                ],
                message: "Deployment serving/tensorzero runs 2 replicas but no PodDisruptionBudget selects its pods.",
            },
        ],
        accept: [
            { title: "a single replica", resources: [replicated(1)] },
            { title: "matchLabels PDB", resources: [replicated(3), pdb({ matchLabels: { "app.kubernetes.io/name": "tensorzero" } })] },
            {
                title: "matchExpressions PDB for an HPA target",
                resources: [
                    replicated(1),
                    hpa("tensorzero"),
                    pdb({ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["tensorzero", "torchserve"] }] }),
                ],
            },
            { title: "an HPA capped at one replica", resources: [replicated(1), hpa("tensorzero", 1)] },
            {
                title: "replicas left to the API server's default of one",
                resources: [
                    deployment("tensorzero", (d) => {
                        if (d.spec) delete d.spec.replicas;
                    }),
                ],
            },
            {
                title: "an HPA of a StatefulSet that shares the Deployment's name",
                resources: [
                    replicated(1),
                    kube(T.hpa, {
                        metadata: { name: "tensorzero", namespace: "serving" },
                        spec: { scaleTargetRef: { kind: "StatefulSet", name: "tensorzero" }, maxReplicas: 6 },
                    }),
                ],
            },
            {
                title: "an HPA of the same name in another namespace",
                resources: [
                    replicated(1),
                    kube(T.hpa, {
                        metadata: { name: "tensorzero", namespace: "batch" },
                        spec: { scaleTargetRef: { kind: "Deployment", name: "tensorzero" }, maxReplicas: 6 },
                    }),
                ],
            },
            {
                title: "an HPA of the same name in another cluster",
                resources: [
                    replicated(1),
                    kube(
                        T.hpa,
                        {
                            metadata: { name: "tensorzero", namespace: "serving" },
                            spec: { scaleTargetRef: { kind: "Deployment", name: "tensorzero" }, maxReplicas: 6 },
                        },
                        { provider: "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::usw2" },
                    ),
                ],
            },
            { title: "an HPA of another Deployment", resources: [replicated(1), hpa("torchserve")] },
        ],
    },
});

describe("workload policies as the pack lists them", () => {
    const exempt = {
        properties: {
            exemptDaemonSetNamespaces: {
                type: "array",
                items: { type: "string" },
                description: "Namespaces whose DaemonSets (node agents) are exempt.",
                default: ["kube-system"],
            },
        },
    };

    test("names, descriptions, levels and settings", () => {
        expect(workloadPolicies.map((p) => [p.name, p.description, p.enforcementLevel, p.configSchema])).toEqual([
            ["image-pinned", "Container images are pinned by version tag or digest, never latest or untagged.", "mandatory", undefined],
            [
                "serving-probes",
                "Serving containers (Deployments, StatefulSets, pods part-of modelfleet) have readiness and liveness probes.",
                "mandatory",
                undefined,
            ],
            [
                "pod-security-restricted",
                "Pods meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, seccomp.",
                "mandatory",
                exempt,
            ],
            [
                "no-host-access",
                "Pods do not share the host's network, PID or IPC namespaces, mount hostPath volumes, or bind host ports.",
                "mandatory",
                exempt,
            ],
            [
                "pdb-for-replicated-deployments",
                "Every Deployment with more than one replica, or scaled by an HPA, has a PodDisruptionBudget selecting its pods.",
                "mandatory",
                undefined,
            ],
        ]);
    });

    test("probes are not asked of batch workloads or pods outside the project", () => {
        expect(notApplicableReason("serving-probes", job(goodPodSpec()))).toBe("not a serving workload");
        expect(notApplicableReason("serving-probes", deployment())).toBeUndefined();
    });

    test("node agents in exempt namespaces are not checked for hardening", () => {
        const agent = daemonSet("kube-system", hostPod());
        expect(notApplicableReason("pod-security-restricted", agent)).toBe("exempt node agent");
        expect(notApplicableReason("no-host-access", agent)).toBe("exempt node agent");
        expect(notApplicableReason("no-host-access", daemonSet("monitoring", hostPod()))).toBeUndefined();
    });

    test("the disruption budget rule does not apply to a stack without Deployments", () => {
        expect(stackNotApplicableReason("pdb-for-replicated-deployments")).toBe("no Deployments in the stack");
    });
});
