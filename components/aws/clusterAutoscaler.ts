import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodIdentityRole } from "./podIdentityRole";

export const AUTOSCALER_NAMESPACE = "kube-system";
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
const METRICS_PORT = 8085;

/** How the autoscaler scales down; defaults suit GPU nodes that take minutes to come up. */
export interface ScaleDownSettings {
    /** How long a node must be unneeded before it goes; default 10m. */
    unneededTime?: string;
    /** Wait after a scale-up before considering scale-down; default 10m. */
    delayAfterAdd?: string;
    /** Node utilisation (requests / allocatable) below which a node is unneeded; default 0.5. */
    utilizationThreshold?: number;
}

/** The autoscaler's IAM policy: read anything, resize and terminate only this cluster's groups. */
export function autoscalerPolicy(clusterName: string, region: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                // Labels and taints of empty managed node groups, for scale-from-zero.
                Sid: "DescribeOwnNodeGroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `arn:aws:eks:${region}:*:nodegroup/${clusterName}/*`,
            },
            {
                Sid: "ResizeOwnGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    };
}

/** The command line: auto-discovery by tag, GPU-aware expansion, and the scale-down settings. */
export function autoscalerCommand(clusterName: string, scaleDown: ScaleDownSettings = {}): string[] {
    return [
        "/cluster-autoscaler",
        "--cloud-provider=aws",
        `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${clusterName}`,
        // Picks the group that wastes the least CPU and memory, so a one-GPU pod does not get an eight-GPU node.
        "--expander=least-waste",
        "--balance-similar-node-groups",
        // kube-system DaemonSets and controllers run on every node; they must not pin nodes forever.
        "--skip-nodes-with-system-pods=false",
        "--skip-nodes-with-local-storage=false",
        `--scale-down-unneeded-time=${scaleDown.unneededTime ?? "10m"}`,
        `--scale-down-delay-after-add=${scaleDown.delayAfterAdd ?? "10m"}`,
        `--scale-down-utilization-threshold=${scaleDown.utilizationThreshold ?? 0.5}`,
        `--address=:${METRICS_PORT}`,
        "--v=2",
    ];
}

export interface ClusterAutoscalerArgs {
    /** AWS region of the cluster (the autoscaler's AWS API calls and the Pod Identity association). */
    region: string;
    /** The cluster's name as the cluster resource outputs it. */
    clusterName: pulumi.Input<string>;
    /** Pinned cluster-autoscaler image, whose minor version should match the cluster's. */
    image: string;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** Node selector for the Deployment (the system pool). */
    nodeSelector: Record<string, string>;
    /** Scale-down timing and threshold; defaults 10m, 10m, 0.5. */
    scaleDown?: ScaleDownSettings;
    /** What the Deployment must wait for (node groups, add-ons, the admin grant). */
    dependsOn?: pulumi.Resource[];
    /** The AWS provider every region shares; default the ambient one. */
    awsProvider?: aws.Provider;
}

/**
 * The Kubernetes cluster-autoscaler for EKS managed node groups, with an EKS Pod Identity
 * role scoped to the cluster's own auto-scaling groups. RBAC follows the upstream AWS example.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly role: PodIdentityRole;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:ClusterAutoscaler", name, {}, opts);
        const threshold = args.scaleDown?.utilizationThreshold;
        const problems: string[] = [];
        if (threshold !== undefined && (threshold <= 0 || threshold >= 1))
            problems.push(`scaleDown.utilizationThreshold must be between 0 and 1, got ${threshold}`);
        for (const key of ["unneededTime", "delayAfterAdd"] as const) {
            const value = args.scaleDown?.[key];
            if (value !== undefined && !/^[0-9]+(s|m|h)$/.test(value))
                problems.push(`scaleDown.${key} must be a duration such as 10m, got '${value}'`);
        }
        if (problems.length > 0) throw new Error(`ClusterAutoscaler ${name}: ${problems.join("; ")}`);

        const clusterName = pulumi.output(args.clusterName);
        this.role = new PodIdentityRole(
            `${name}-identity`,
            {
                region: args.region,
                clusterName: args.clusterName,
                serviceAccount: { namespace: AUTOSCALER_NAMESPACE, name: AUTOSCALER_SERVICE_ACCOUNT },
                policy: clusterName.apply((cluster) => JSON.stringify(autoscalerPolicy(cluster, args.region))),
                provider: args.awsProvider,
            },
            { parent: this },
        );

        const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const labels = { "app.kubernetes.io/name": "cluster-autoscaler", "app.kubernetes.io/part-of": "modelfleet" };
        const metadata = { name: AUTOSCALER_SERVICE_ACCOUNT, namespace: AUTOSCALER_NAMESPACE, labels };
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata }, k8sOpts);
        const subjects = [{ kind: "ServiceAccount", name: AUTOSCALER_SERVICE_ACCOUNT, namespace: AUTOSCALER_NAMESPACE }];

        const read = ["get", "list", "watch"];
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-clusterrole`,
            {
                metadata: { name: "cluster-autoscaler", labels },
                rules: [
                    { apiGroups: [""], resources: ["events", "endpoints"], verbs: ["create", "patch"] },
                    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                    { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
                    { apiGroups: [""], resources: ["endpoints"], resourceNames: ["cluster-autoscaler"], verbs: ["get", "update"] },
                    { apiGroups: [""], resources: ["nodes"], verbs: [...read, "update"] },
                    {
                        apiGroups: [""],
                        resources: [
                            "namespaces",
                            "pods",
                            "services",
                            "replicationcontrollers",
                            "persistentvolumeclaims",
                            "persistentvolumes",
                        ],
                        verbs: read,
                    },
                    { apiGroups: ["extensions"], resources: ["replicasets", "daemonsets"], verbs: read },
                    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["list", "watch"] },
                    { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: read },
                    {
                        apiGroups: ["storage.k8s.io"],
                        resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
                        verbs: read,
                    },
                    // Read-only; used only when dynamic resource allocation is enabled.
                    { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: read },
                    { apiGroups: ["batch", "extensions"], resources: ["jobs"], verbs: [...read, "patch"] },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                    {
                        apiGroups: ["coordination.k8s.io"],
                        resources: ["leases"],
                        resourceNames: ["cluster-autoscaler"],
                        verbs: ["get", "update"],
                    },
                ],
            },
            k8sOpts,
        );
        const role = new k8s.rbac.v1.Role(
            `${name}-role`,
            {
                metadata,
                rules: [
                    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
                    {
                        apiGroups: [""],
                        resources: ["configmaps"],
                        resourceNames: ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"],
                        verbs: ["delete", "get", "update", "watch"],
                    },
                ],
            },
            k8sOpts,
        );
        const bindings = [
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-clusterrolebinding`,
                {
                    metadata: { name: "cluster-autoscaler", labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-autoscaler" },
                    subjects,
                },
                { ...k8sOpts, dependsOn: [...(args.dependsOn ?? []), clusterRole] },
            ),
            new k8s.rbac.v1.RoleBinding(
                `${name}-rolebinding`,
                { metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cluster-autoscaler" }, subjects },
                { ...k8sOpts, dependsOn: [...(args.dependsOn ?? []), role] },
            ),
        ];

        const healthProbe = { httpGet: { path: "/health-check", port: METRICS_PORT }, periodSeconds: 10, timeoutSeconds: 5 };
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: "cluster-autoscaler", namespace: AUTOSCALER_NAMESPACE, labels },
                spec: {
                    // One active instance by design (it takes a leader lease); a restart loses nothing.
                    replicas: 1,
                    selector: { matchLabels: { "app.kubernetes.io/name": "cluster-autoscaler" } },
                    template: {
                        metadata: { labels, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT) } },
                        spec: {
                            serviceAccountName: AUTOSCALER_SERVICE_ACCOUNT,
                            priorityClassName: "system-cluster-critical",
                            nodeSelector: args.nodeSelector,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 65534,
                                runAsGroup: 65534,
                                fsGroup: 65534,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            containers: [
                                {
                                    name: "cluster-autoscaler",
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    command: clusterName.apply((cluster) => autoscalerCommand(cluster, args.scaleDown)),
                                    // Pods cannot reach instance metadata (hop limit 1), so the region is explicit.
                                    env: [{ name: "AWS_REGION", value: args.region }],
                                    ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
                                    resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
                                    livenessProbe: { ...healthProbe, initialDelaySeconds: 30, failureThreshold: 3 },
                                    readinessProbe: { ...healthProbe, failureThreshold: 3 },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            { ...k8sOpts, dependsOn: [...(args.dependsOn ?? []), serviceAccount, ...bindings, ...this.role.readyResources] },
        );
        this.registerOutputs({ roleArn: this.role.roleArn, deployment: this.deployment, role: this.role });
    }
}
