import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { TORCHSERVE_MAX_SURGE } from "../../../config/serving";
import { TORCHSERVE_SERVICE_ACCOUNT } from "../../types";
import { GPU_RESOURCE } from "../nodeLabels";
import type { ServingContext } from "./context";
import { commonLabels, names, portNames, ports, torchserveLabels, torchserveSelector, type Track } from "./names";
import {
    drainLifecycle,
    emptyDir,
    gracePeriodSeconds,
    guaranteed,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    zoneSpread,
} from "./podCommon";
import { MODEL_STARTUP_TIMEOUT_SECONDS, renderModelSyncScript, renderTorchServeStartScript, torchservePaths } from "./torchserveConfig";

type Deployment = k8s.types.input.apps.v1.Deployment;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** The model-sync init container's resources; the copy is network-bound. */
export const MODEL_SYNC_RESOURCES = { cpu: "1", memory: "1Gi" } as const;
/** /dev/shm for PyTorch workers (the container runtime's default is 64Mi). */
export const SHM_SIZE = "1Gi";
const STARTUP_PROBE_PERIOD_SECONDS = 10;

export function torchserveResources(ctx: ServingContext): Record<string, string> {
    const ts = ctx.serving.torchserve;
    return { cpu: ts.cpu, memory: ts.memory, [GPU_RESOURCE]: String(ts.gpus) };
}

/** The service account the model-store identity (Pod Identity, Workload Identity) is bound to. */
export function renderTorchServeServiceAccount(
    ctx: ServingContext,
    annotations: Record<string, pulumi.Input<string>>,
): k8s.types.input.core.v1.ServiceAccount {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
            name: TORCHSERVE_SERVICE_ACCOUNT,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), "app.kubernetes.io/name": "torchserve" },
            annotations,
        },
        // Pods get cloud credentials from the identity agent, never from the API token.
        automountServiceAccountToken: false,
    };
}

/** Read-only keys for existing clusters, as the AWS CLI reads them from the environment. */
export function renderModelStoreCredentialsSecret(
    ctx: ServingContext,
    credentials: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> },
): k8s.types.input.core.v1.Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: names.modelStoreCredentials, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        type: "Opaque",
        stringData: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    };
}

function modelSyncEnv(ctx: ServingContext): EnvVar[] {
    const env: EnvVar[] = [{ name: "MODEL_STORE_URI", value: ctx.modelStore.uri }];
    if (ctx.modelStore.kind === "s3") {
        env.push({ name: "AWS_REGION", value: ctx.modelStore.bucketRegion }, { name: "HOME", value: "/tmp" });
        if (ctx.modelStore.staticCredentials) {
            for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
                env.push({ name: key, valueFrom: { secretKeyRef: { name: names.modelStoreCredentials, key } } });
            }
        }
    } else {
        env.push(
            { name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" },
            { name: "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", value: "true" },
            { name: "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", value: "true" },
        );
    }
    return env;
}

/** tini in the LLM-track image (serving/llm/Dockerfile installs it); the stock image has none. */
export const TINI = "/usr/bin/tini";

/**
 * The TorchServe container's command; it replaces the image's entrypoint. The start script
 * `exec`s the JVM, so SIGTERM reaches it (see renderTorchServeStartScript). On the
 * LLM-track image tini is PID 1 in front of it: vLLM starts processes of its own, and an
 * orphan of theirs is reaped by tini, which the JVM would not do. Without `-g`: SIGTERM goes
 * to the JVM alone, which stops its workers itself.
 */
export function torchserveCommand(llmTrack: boolean): string[] {
    return [...(llmTrack ? [TINI, "--"] : []), "/bin/sh", "-c", renderTorchServeStartScript()];
}

/**
 * One track's TorchServe Deployment. No `replicas`: the track's HPA owns the count, and a
 * value here would reset it on every update.
 */
export function renderTorchServeDeployment(ctx: ServingContext, track: Track, configChecksum: string): Deployment {
    const ts = ctx.serving.torchserve;
    const labels = torchserveLabels(ctx.regionName, track, ctx.trackImages[track]);
    const selector = torchserveSelector(track);
    const ping = { path: "/ping", port: portNames.http };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: names.torchserveDeployment(track), namespace: ctx.namespace, labels },
        spec: {
            selector: { matchLabels: selector },
            // Never drop serving capacity during a rollout; the surge pod may need a new GPU node.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: TORCHSERVE_MAX_SURGE } },
            minReadySeconds: 10,
            // Node scale-up, image pull, model copy and load together take many minutes.
            progressDeadlineSeconds: 1800,
            revisionHistoryLimit: 5,
            template: {
                metadata: {
                    labels,
                    annotations: { "checksum/config": configChecksum, "kubectl.kubernetes.io/default-container": "torchserve" },
                },
                spec: {
                    serviceAccountName: TORCHSERVE_SERVICE_ACCOUNT,
                    ...(ctx.imagePullSecret !== undefined ? { imagePullSecrets: [{ name: names.imagePullSecret }] } : {}),
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    securityContext: restrictedPodSecurityContext(),
                    nodeSelector: { ...ctx.placement.nodeSelector },
                    tolerations: ctx.placement.tolerations,
                    topologySpreadConstraints: zoneSpread(selector),
                    terminationGracePeriodSeconds: gracePeriodSeconds(ts.drainSeconds),
                    initContainers: [
                        {
                            name: "model-sync",
                            image: ctx.syncImage,
                            imagePullPolicy: "IfNotPresent",
                            command: ["/bin/sh", "-c", renderModelSyncScript(ctx.modelStore.kind, ctx.models)],
                            env: modelSyncEnv(ctx),
                            resources: guaranteed({ ...MODEL_SYNC_RESOURCES }),
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { name: "model-store", mountPath: torchservePaths.modelStore },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    containers: [
                        {
                            name: "torchserve",
                            image: ctx.trackImageRefs[track],
                            imagePullPolicy: "IfNotPresent",
                            command: torchserveCommand(ctx.llmTrack),
                            env: [
                                { name: "LOG_LOCATION", value: torchservePaths.logs },
                                { name: "METRICS_LOCATION", value: torchservePaths.logs },
                                { name: "TEMP", value: torchservePaths.scratch },
                                { name: "HOME", value: torchservePaths.home },
                            ],
                            ports: [
                                { name: portNames.http, containerPort: ports.inference, protocol: "TCP" },
                                { name: portNames.metrics, containerPort: ports.metrics, protocol: "TCP" },
                            ],
                            resources: guaranteed(torchserveResources(ctx)),
                            startupProbe: {
                                httpGet: ping,
                                periodSeconds: STARTUP_PROBE_PERIOD_SECONDS,
                                timeoutSeconds: 5,
                                failureThreshold: Math.ceil((MODEL_STARTUP_TIMEOUT_SECONDS + 300) / STARTUP_PROBE_PERIOD_SECONDS),
                            },
                            readinessProbe: { httpGet: ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                            // Lenient: TorchServe restarts crashed workers itself; only a wedged frontend should restart the pod.
                            livenessProbe: { httpGet: ping, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 },
                            lifecycle: drainLifecycle(ts.drainSeconds),
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { name: "config", mountPath: torchservePaths.configDir, readOnly: true },
                                { name: "model-store", mountPath: torchservePaths.modelStore, readOnly: true },
                                { name: "scratch", mountPath: torchservePaths.scratch },
                                { name: "logs", mountPath: torchservePaths.logs },
                                { name: "cache", mountPath: torchservePaths.cache },
                                { name: "tmp", mountPath: "/tmp" },
                                { name: "dshm", mountPath: "/dev/shm" },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: names.torchserveConfig } },
                        emptyDir("model-store"),
                        emptyDir("scratch"),
                        emptyDir("logs", "2Gi"),
                        emptyDir("cache"),
                        emptyDir("tmp", "1Gi"),
                        emptyDir("dshm", SHM_SIZE, "Memory"),
                    ],
                },
            },
        },
    };
}

/** The read-only registry credential an edge cluster pulls the LLM-track image with. */
export function renderImagePullSecret(ctx: ServingContext, dockerConfigJson: pulumi.Input<string>): k8s.types.input.core.v1.Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: names.imagePullSecret, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": dockerConfigJson },
    };
}

export function renderTorchServeConfigMap(ctx: ServingContext, configProperties: string): k8s.types.input.core.v1.ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: names.torchserveConfig,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), "app.kubernetes.io/name": "torchserve" },
        },
        data: { "config.properties": configProperties },
    };
}
