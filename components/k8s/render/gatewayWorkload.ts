import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServingContext } from "./context";
import { gatewayBackendEnv, gatewayPaths, type GatewayBackend } from "./gatewayConfig";
import { commonLabels, gatewayLabels, gatewaySelector, names, portNames, ports } from "./names";
import {
    drainLifecycle,
    emptyDir,
    gracePeriodSeconds,
    guaranteed,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    zoneSpread,
} from "./podCommon";

export function gatewayResources(ctx: ServingContext): Record<string, string> {
    return { cpu: ctx.serving.gateway.cpu, memory: ctx.serving.gateway.memory };
}

export function renderGatewayServiceAccount(ctx: ServingContext): k8s.types.input.core.v1.ServiceAccount {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: names.gateway, namespace: ctx.namespace, labels: { ...commonLabels(ctx.regionName), ...gatewaySelector() } },
        automountServiceAccountToken: false,
    };
}

export function renderGatewayConfigMap(ctx: ServingContext, toml: string): k8s.types.input.core.v1.ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: names.gatewayConfig,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), ...gatewaySelector() },
        },
        data: { "tensorzero.toml": toml },
    };
}

/** The backend URLs, from secret config, as the environment the gateway reads them from. */
export function renderGatewayBackendsSecret(
    ctx: ServingContext,
    urls: Partial<Record<GatewayBackend, pulumi.Input<string>>>,
): k8s.types.input.core.v1.Secret {
    const stringData: Record<string, pulumi.Input<string>> = {};
    for (const backend of ctx.backends) {
        const url = urls[backend];
        if (url !== undefined) stringData[gatewayBackendEnv[backend]] = url;
    }
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
            name: names.gatewayBackends,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), ...gatewaySelector() },
        },
        type: "Opaque",
        stringData,
    };
}

/** The TensorZero gateway on the system (CPU) nodes. No `replicas`: its HPA owns the count. */
export function renderGatewayDeployment(ctx: ServingContext, configChecksum: string): k8s.types.input.apps.v1.Deployment {
    const labels = gatewayLabels(ctx.regionName, ctx.gatewayImage);
    const selector = gatewaySelector();
    // Requests through the gateway wait on TorchServe; drain as long as TorchServe does.
    const drainSeconds = ctx.serving.torchserve.drainSeconds;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: names.gateway, namespace: ctx.namespace, labels },
        spec: {
            selector: { matchLabels: selector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            minReadySeconds: 5,
            revisionHistoryLimit: 5,
            template: {
                metadata: {
                    labels,
                    annotations: { "checksum/config": configChecksum, "kubectl.kubernetes.io/default-container": "gateway" },
                },
                spec: {
                    serviceAccountName: names.gateway,
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: restrictedPodSecurityContext(),
                    nodeSelector: { ...ctx.systemNodeSelector },
                    topologySpreadConstraints: zoneSpread(selector),
                    terminationGracePeriodSeconds: gracePeriodSeconds(drainSeconds),
                    containers: [
                        {
                            name: "gateway",
                            image: ctx.gatewayImage,
                            imagePullPolicy: "IfNotPresent",
                            args: ["--config-file", gatewayPaths.configFile],
                            env: ctx.backends.map((b) => ({
                                name: gatewayBackendEnv[b],
                                valueFrom: { secretKeyRef: { name: names.gatewayBackends, key: gatewayBackendEnv[b] } },
                            })),
                            ports: [{ name: portNames.http, containerPort: ports.gateway, protocol: "TCP" }],
                            resources: guaranteed(gatewayResources(ctx)),
                            startupProbe: {
                                httpGet: { path: "/status", port: portNames.http },
                                periodSeconds: 5,
                                timeoutSeconds: 3,
                                failureThreshold: 24,
                            },
                            // /health also checks the configured backends: a gateway that cannot log is taken out of rotation.
                            readinessProbe: {
                                httpGet: { path: "/health", port: portNames.http },
                                periodSeconds: 10,
                                timeoutSeconds: 5,
                                failureThreshold: 3,
                            },
                            livenessProbe: {
                                httpGet: { path: "/status", port: portNames.http },
                                periodSeconds: 10,
                                timeoutSeconds: 5,
                                failureThreshold: 6,
                            },
                            lifecycle: drainLifecycle(drainSeconds),
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { name: "config", mountPath: gatewayPaths.configDir, readOnly: true },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [{ name: "config", configMap: { name: names.gatewayConfig } }, emptyDir("tmp", "256Mi")],
                },
            },
        },
    };
}
