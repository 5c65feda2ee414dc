import type * as k8s from "@pulumi/kubernetes";

type Container = k8s.types.input.core.v1.Container;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** The UID both images' unprivileged users have (model-server, gateway). */
export const APP_UID = 1000;

/** Pod-level settings the `restricted` Pod Security Standard requires. */
export function restrictedPodSecurityContext(): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: APP_UID,
        runAsGroup: APP_UID,
        // Makes the emptyDir volumes writable for the init container and the server alike.
        fsGroup: APP_UID,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function restrictedContainerSecurityContext(): SecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: APP_UID,
        runAsGroup: APP_UID,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Keeps a terminating pod serving while the load balancer and kube-proxy stop sending it
 * new requests, so in-flight requests finish before the process gets SIGTERM. A shell
 * `sleep` rather than the lifecycle `sleep` action, which older clusters lack.
 */
export function drainLifecycle(seconds: number): Container["lifecycle"] {
    return { preStop: { exec: { command: ["/bin/sh", "-c", `sleep ${seconds}`] } } };
}

/** The grace period: the drain, plus time for the process to exit after SIGTERM. */
export function gracePeriodSeconds(drainSeconds: number): number {
    return drainSeconds + 30;
}

/** Requests equal to limits (Guaranteed QoS), so GPU pods are never the first evicted. */
export function guaranteed(resources: Record<string, string>): Container["resources"] {
    return { requests: { ...resources }, limits: { ...resources } };
}

/**
 * Spread a Deployment's pods across zones. ScheduleAnyway: GPUs are not offered in every
 * zone, and a hard constraint would leave pods pending rather than run them unevenly.
 */
export function zoneSpread(selector: Record<string, string>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [
        {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { ...selector } },
        },
    ];
}

export function emptyDir(name: string, sizeLimit?: string, medium?: string): k8s.types.input.core.v1.Volume {
    return { name, emptyDir: { ...(sizeLimit ? { sizeLimit } : {}), ...(medium ? { medium } : {}) } };
}
