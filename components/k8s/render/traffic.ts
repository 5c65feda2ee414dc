import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServingContext } from "./context";
import {
    commonLabels,
    gatewaySelector,
    names,
    otherTrack,
    portNames,
    ports,
    torchserveAnyTrackSelector,
    torchserveSelector,
    TRACKS,
    type Track,
} from "./names";

type Service = k8s.types.input.core.v1.Service;
type Ingress = k8s.types.input.networking.v1.Ingress;

/** TLS 1.2 and 1.3 only (AWS's recommended policy for ALBs). */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** The label ServiceMonitors select metrics Services by. */
export const METRICS_LABEL = "modelfleet.io/metrics";
/** Health-check paths: TorchServe's and the gateway's readiness endpoints. */
export const healthPaths = { torchserve: "/ping", gateway: "/health" } as const;

/** The parts of the region's TLS the Ingress uses (RegionTls fits; plain strings do in tests). */
export type IngressTls =
    | { kind: "acm"; hosts: string[]; certificateArn: pulumi.Input<string> }
    | { kind: "gcp-managed"; hosts: string[]; certificateMapName: pulumi.Input<string>; staticIpName: pulumi.Input<string> }
    | { kind: "cert-manager"; hosts: string[]; secretName: string };

/** A CustomResource's arguments (FrontendConfig, BackendConfig, ServiceMonitor, ...). */
export interface CustomObject {
    apiVersion: string;
    kind: string;
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: Record<string, pulumi.Input<unknown>>;
}

/**
 * Seconds a response may take end to end: the longest model timeout plus margin. Load
 * balancers default to 30-60 s idle timeouts, which would cut LLM responses short.
 */
export function responseBudgetSeconds(ctx: ServingContext): number {
    const longest = Math.max(ctx.serving.torchserve.defaultResponseTimeoutSeconds, ...ctx.models.map((m) => m.responseTimeoutSeconds));
    return Math.min(4000, Math.max(60, longest + 30));
}

/**
 * Annotations a backend Service needs for the cloud load balancer in front of it. GKE's
 * Gateway uses container-native NEGs on its own and reads its health checks and timeouts
 * from policies (gkeGateway.ts), so its Services need none.
 */
function backendAnnotations(ctx: ServingContext, healthPath: string): Record<string, string> {
    switch (ctx.ingress.kind) {
        case "alb":
            // Service-level annotations override the Ingress's for this target group.
            return { "alb.ingress.kubernetes.io/healthcheck-path": healthPath, "alb.ingress.kubernetes.io/success-codes": "200" };
        case "gce":
        case "class":
            return {};
    }
}

function service(
    ctx: ServingContext,
    name: string,
    selector: Record<string, string>,
    port: number,
    portName: string,
    extra: { labels?: Record<string, string>; annotations?: Record<string, string>; headless?: boolean } = {},
): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), ...extra.labels },
            annotations: extra.annotations ?? {},
        },
        spec: {
            type: "ClusterIP",
            ...(extra.headless ? { clusterIP: "None" } : {}),
            selector,
            ports: [{ name: portName, port, targetPort: portName, protocol: "TCP" }],
        },
    };
}

/** The stable Service: the active track's pods. Switching tracks changes only its selector. */
export function renderStableService(ctx: ServingContext): Service {
    return service(ctx, names.torchserveStable, torchserveSelector(ctx.activeTrack), ports.inference, portNames.http, {
        labels: { "app.kubernetes.io/name": "torchserve" },
        annotations: backendAnnotations(ctx, healthPaths.torchserve),
    });
}

/** The preview Service: the other track's pods, reachable in-cluster for checks before a switch. */
export function renderPreviewService(ctx: ServingContext): Service {
    return service(ctx, names.torchservePreview, torchserveSelector(otherTrack(ctx.activeTrack)), ports.inference, portNames.http, {
        labels: { "app.kubernetes.io/name": "torchserve" },
    });
}

/**
 * One Service per track: the backends weighted routing splits between (ALB target groups,
 * nginx canary, the gateway's weighted variants). Same load-balancer annotations as the
 * stable Service, so each track's target group checks TorchServe's /ping.
 */
export function renderTrackService(ctx: ServingContext, track: Track): Service {
    return service(ctx, names.torchserveTrack(track), torchserveSelector(track), ports.inference, portNames.http, {
        labels: { "app.kubernetes.io/name": "torchserve" },
        annotations: backendAnnotations(ctx, healthPaths.torchserve),
    });
}

/** Whether both tracks take a share of requests (a canary is running). */
export function isSplit(ctx: ServingContext): boolean {
    return TRACKS.every((t) => ctx.weights[t] > 0);
}

/**
 * ALB: an `actions.<name>` annotation forwarding to both track Services by weight
 * (AWS Load Balancer Controller `forwardConfig.targetGroups[].serviceName/servicePort/weight`;
 * the Ingress backend names the action with port `use-annotation`).
 */
export function albWeightedForward(ctx: ServingContext): string {
    return JSON.stringify({
        type: "forward",
        forwardConfig: {
            targetGroups: TRACKS.map((t) => ({
                serviceName: names.torchserveTrack(t),
                servicePort: String(ports.inference),
                weight: ctx.weights[t],
            })),
        },
    });
}

/** Headless, every track: each TorchServe pod is scraped once, whichever Service fronts it. */
export function renderMetricsService(ctx: ServingContext): Service {
    return service(ctx, names.torchserveMetrics, torchserveAnyTrackSelector(), ports.metrics, portNames.metrics, {
        labels: { "app.kubernetes.io/name": "torchserve", [METRICS_LABEL]: "torchserve" },
        headless: true,
    });
}

export function renderGatewayService(ctx: ServingContext): Service {
    return service(ctx, names.gateway, gatewaySelector(), ports.gateway, portNames.http, {
        labels: { ...gatewaySelector(), [METRICS_LABEL]: "gateway" },
        annotations: backendAnnotations(ctx, healthPaths.gateway),
    });
}

function ingressAnnotations(ctx: ServingContext, tls: IngressTls): Record<string, pulumi.Input<string>> {
    const ingress = ctx.ingress;
    if (ingress.kind === "alb" && tls.kind === "acm") {
        return {
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            // Pods are targets directly: no kube-proxy hop, and the drain is the pod's own.
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
            "alb.ingress.kubernetes.io/certificate-arn": tls.certificateArn,
            "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
            "alb.ingress.kubernetes.io/target-group-attributes": [
                "load_balancing.algorithm.type=least_outstanding_requests",
                `deregistration_delay.timeout_seconds=${ctx.serving.torchserve.drainSeconds}`,
            ].join(","),
            "alb.ingress.kubernetes.io/load-balancer-attributes": `idle_timeout.timeout_seconds=${responseBudgetSeconds(ctx)}`,
            "alb.ingress.kubernetes.io/healthcheck-path": healthPaths.gateway,
            "alb.ingress.kubernetes.io/success-codes": "200",
            "alb.ingress.kubernetes.io/tags": `modelfleet-region=${ctx.regionName}`,
            [`alb.ingress.kubernetes.io/actions.${names.albWeightedAction}`]: albWeightedForward(ctx),
        };
    }
    if (ingress.kind === "class" && tls.kind === "cert-manager") {
        // No cert-manager issuer annotation: the region's Certificate object already owns the
        // TLS Secret, and the ingress-shim would create a second Certificate for it.
        const annotations: Record<string, string> = {};
        if (ingress.className.includes("nginx")) {
            const seconds = String(responseBudgetSeconds(ctx));
            annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] = seconds;
            annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] = seconds;
            // Above TorchServe's own 6.5 MB request limit; nginx's default is 1 MB.
            annotations["nginx.ingress.kubernetes.io/proxy-body-size"] = "8m";
        }
        return annotations;
    }
    // GKE is served through the Gateway API (gkeGateway.ts), which splits traffic by weight.
    throw new Error(`ingress flavour '${ingress.kind}' cannot use TLS of kind '${tls.kind}' in an Ingress`);
}

/**
 * The one Ingress of the cluster: `/predictions` and `/ping` to TorchServe's stable
 * Service, everything else to the gateway. Only those two TorchServe paths are exposed.
 */
export function renderIngress(ctx: ServingContext, tls: IngressTls): Ingress {
    // ALB splits by the weighted action; elsewhere the primary track's Service (nginx adds the canary Ingress).
    const torchserve =
        ctx.ingress.kind === "alb"
            ? { service: { name: names.albWeightedAction, port: { name: "use-annotation" } } }
            : { service: { name: names.torchserveStable, port: { number: ports.inference } } };
    const gateway = { service: { name: names.gateway, port: { number: ports.gateway } } };
    const rules = tls.hosts.map((host) => ({
        host,
        http: {
            paths: [
                { path: "/predictions", pathType: "Prefix", backend: torchserve },
                { path: healthPaths.torchserve, pathType: "Exact", backend: torchserve },
                { path: "/", pathType: "Prefix", backend: gateway },
            ],
        },
    }));
    const ingress = ctx.ingress;
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: names.ingress,
            namespace: ctx.namespace,
            labels: commonLabels(ctx.regionName),
            annotations: ingressAnnotations(ctx, tls),
        },
        spec: {
            ingressClassName: ingress.className,
            // On GKE the certificate comes from Certificate Manager; there is no Secret.
            ...(tls.kind === "gcp-managed"
                ? {}
                : { tls: [{ hosts: [...tls.hosts], ...(tls.kind === "cert-manager" ? { secretName: tls.secretName } : {}) }] }),
            rules,
        },
    };
}

/** Whether the cluster's ingress controller is ingress-nginx (canary annotations). */
export function isNginx(ctx: ServingContext): boolean {
    return ctx.ingress.kind === "class" && ctx.ingress.className.includes("nginx");
}

/**
 * nginx: the canary Ingress, present while both tracks take traffic. ingress-nginx sends
 * `canary-weight` percent of the requests for the same hosts and paths to its backend
 * (the second track's Service) and the rest to the main Ingress's.
 */
export function renderCanaryIngress(ctx: ServingContext, tls: IngressTls): Ingress | undefined {
    if (!isNginx(ctx) || !isSplit(ctx) || tls.kind !== "cert-manager") return undefined;
    const canary = TRACKS.find((t) => t !== ctx.activeTrack) ?? "green";
    const backend = { service: { name: names.torchserveTrack(canary), port: { number: ports.inference } } };
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: names.canaryIngress,
            namespace: ctx.namespace,
            labels: commonLabels(ctx.regionName),
            annotations: {
                ...ingressAnnotations(ctx, tls),
                "nginx.ingress.kubernetes.io/canary": "true",
                "nginx.ingress.kubernetes.io/canary-weight": String(ctx.weights[canary]),
                "nginx.ingress.kubernetes.io/canary-weight-total": "100",
            },
        },
        spec: {
            ingressClassName: ctx.ingress.className,
            tls: [{ hosts: [...tls.hosts], secretName: tls.secretName }],
            rules: tls.hosts.map((host) => ({
                host,
                http: {
                    paths: [
                        { path: "/predictions", pathType: "Prefix", backend },
                        { path: healthPaths.torchserve, pathType: "Exact", backend },
                    ],
                },
            })),
        },
    };
}
