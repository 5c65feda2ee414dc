/**
 * The Deployment shape shared by the cluster's metrics APIs (metrics-server and the custom
 * metrics adapters): two replicas that roll one at a time, system-cluster-critical on Linux
 * nodes, and a single container under the restricted pod security profile.
 */
import type * as k8s from "@pulumi/kubernetes";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

export interface SystemDeploymentArgs {
    /** Service account and container name. */
    name: string;
    /** Labels the Deployment selects its pods by. */
    selector: Record<string, string>;
    /** Labels on the pods (a superset of `selector`). */
    labels: Record<string, string>;
    /** Node selector on top of `kubernetes.io/os: linux`; default none. */
    nodeSelector?: Record<string, string>;
    /** UID and GID the pod runs as. */
    runAs: number;
    /** Pod fields beyond the common ones (affinity); default none. */
    pod?: Pick<PodSpec, "affinity">;
    /** Pod securityContext fields beyond the common ones; default none. */
    podSecurityContext?: Pick<k8s.types.input.core.v1.PodSecurityContext, "fsGroup">;
    /** The container: image, command or args, ports, resources, probes, volume mounts. */
    container: Omit<Container, "name" | "securityContext" | "imagePullPolicy">;
    /** Container securityContext fields beyond the common ones; default none. */
    containerSecurityContext?: Pick<k8s.types.input.core.v1.SecurityContext, "runAsUser">;
    volumes: k8s.types.input.core.v1.Volume[];
}

export function systemDeploymentSpec(args: SystemDeploymentArgs): k8s.types.input.apps.v1.DeploymentSpec {
    const { image, ...container } = args.container;
    return {
        // Two replicas: the API stays up while a node drains or a pod restarts; an HPA
        // without its metrics API holds its size, it cannot scale up.
        replicas: 2,
        selector: { matchLabels: args.selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
            metadata: { labels: args.labels },
            spec: {
                serviceAccountName: args.name,
                priorityClassName: "system-cluster-critical",
                nodeSelector: { "kubernetes.io/os": "linux", ...(args.nodeSelector ?? {}) },
                ...(args.pod ?? {}),
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: args.runAs,
                    runAsGroup: args.runAs,
                    ...(args.podSecurityContext ?? {}),
                    seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                    {
                        name: args.name,
                        image,
                        imagePullPolicy: "IfNotPresent",
                        ...container,
                        securityContext: {
                            runAsNonRoot: true,
                            ...(args.containerSecurityContext ?? {}),
                            readOnlyRootFilesystem: true,
                            allowPrivilegeEscalation: false,
                            capabilities: { drop: ["ALL"] },
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                    },
                ],
                volumes: args.volumes,
            },
        },
    };
}
