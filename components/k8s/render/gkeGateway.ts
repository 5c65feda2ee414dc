import type * as pulumi from "@pulumi/pulumi";
import type { ServingContext } from "./context";
import { commonLabels, names, ports, TRACKS } from "./names";
import { healthPaths, responseBudgetSeconds, type CustomObject } from "./traffic";

/**
 * GKE's entry point through the Gateway API (the cluster enables it, channel STANDARD):
 * one Gateway of the global external Application Load Balancer class on the region's
 * static IP with the region's Certificate Manager certificate map, an HTTPRoute that splits TorchServe's paths
 * between the two track Services by `serving.traffic` (backendRefs weights) and sends
 * everything else to the TensorZero gateway, an HTTPRoute that redirects HTTP to HTTPS,
 * and GKE's policies for what FrontendConfig and BackendConfig did for the Ingress: the
 * SSL policy (GCPGatewayPolicy), health checks (HealthCheckPolicy) and timeouts and
 * draining (GCPBackendPolicy). See https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources.
 */

/**
 * The Gateway annotation that attaches a Certificate Manager certificate map. GKE refuses a
 * Gateway that also sets `tls.certificateRefs`, so the HTTPS listener carries no `tls`; the
 * global external classes support certificate maps, as "Secure a Gateway" and "Gateway
 * security" describe: https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway,
 * https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-security.
 */
export const GKE_CERTMAP_ANNOTATION = "networking.gke.io/certmap";

/** The GKE GatewayClass of the global external Application Load Balancer. */
export const GKE_GATEWAY_CLASS = "gke-l7-global-external-managed";
export const GATEWAY_API = "gateway.networking.k8s.io/v1";
export const GKE_POLICY_API = "networking.gke.io/v1";
export const gkeNames = {
    gateway: "serving",
    route: "serving",
    redirect: "serving-https-redirect",
    gatewayPolicy: "serving-ssl",
} as const;
const listeners = { https: "https", http: "http" } as const;

/** What GKE's Gateway needs from the region's TLS. */
export interface GkeGatewayTls {
    hosts: string[];
    /** Certificate Manager certificate map name, attached with the networking.gke.io/certmap annotation. */
    certificateMapName: pulumi.Input<string>;
    /** compute.GlobalAddress name the load balancer listens on. */
    staticIpName: pulumi.Input<string>;
    /** compute.SSLPolicy name (TLS 1.2+). */
    sslPolicyName: pulumi.Input<string>;
}

function meta(ctx: ServingContext, name: string) {
    return { name, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) };
}

export function renderGkeGateway(ctx: ServingContext, tls: GkeGatewayTls): CustomObject {
    return {
        apiVersion: GATEWAY_API,
        kind: "Gateway",
        metadata: { ...meta(ctx, gkeNames.gateway), annotations: { [GKE_CERTMAP_ANNOTATION]: tls.certificateMapName } },
        spec: {
            gatewayClassName: GKE_GATEWAY_CLASS,
            addresses: [{ type: "NamedAddress", value: tls.staticIpName }],
            listeners: [
                {
                    name: listeners.https,
                    protocol: "HTTPS",
                    port: 443,
                    allowedRoutes: { namespaces: { from: "Same" } },
                },
                { name: listeners.http, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
            ],
        },
    };
}

/** Each track's share as HTTPRoute backendRefs to its Service; a track at 0% stays listed with weight 0. */
export function trackBackendRefs(ctx: ServingContext): Array<{ name: string; port: number; weight: number }> {
    return TRACKS.map((t) => ({ name: names.torchserveTrack(t), port: ports.inference, weight: ctx.weights[t] }));
}

export function renderGkeRoutes(ctx: ServingContext, hosts: string[]): CustomObject[] {
    const torchserve = trackBackendRefs(ctx);
    const serving: CustomObject = {
        apiVersion: GATEWAY_API,
        kind: "HTTPRoute",
        metadata: meta(ctx, gkeNames.route),
        spec: {
            parentRefs: [{ name: gkeNames.gateway, sectionName: listeners.https }],
            hostnames: [...hosts],
            rules: [
                { matches: [{ path: { type: "PathPrefix", value: "/predictions" } }], backendRefs: torchserve },
                { matches: [{ path: { type: "Exact", value: healthPaths.torchserve } }], backendRefs: torchserve },
                {
                    matches: [{ path: { type: "PathPrefix", value: "/" } }],
                    backendRefs: [{ name: names.gateway, port: ports.gateway }],
                },
            ],
        },
    };
    const redirect: CustomObject = {
        apiVersion: GATEWAY_API,
        kind: "HTTPRoute",
        metadata: meta(ctx, gkeNames.redirect),
        spec: {
            parentRefs: [{ name: gkeNames.gateway, sectionName: listeners.http }],
            hostnames: [...hosts],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
    };
    return [serving, redirect];
}

/** TLS 1.2+ on the Gateway's HTTPS listener (the region's SSL policy). */
export function renderGkeGatewayPolicy(ctx: ServingContext, sslPolicyName: pulumi.Input<string>): CustomObject {
    return {
        apiVersion: GKE_POLICY_API,
        kind: "GCPGatewayPolicy",
        metadata: meta(ctx, gkeNames.gatewayPolicy),
        spec: {
            default: { sslPolicy: sslPolicyName },
            targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: gkeNames.gateway },
        },
    };
}

/** The backend Services the Gateway routes to, with the path their health check probes and their port. */
function gatewayBackends(): Array<{ service: string; path: string; port: number }> {
    return [
        ...TRACKS.map((t) => ({ service: names.torchserveTrack(t), path: healthPaths.torchserve, port: ports.inference })),
        { service: names.gateway, path: healthPaths.gateway, port: ports.gateway },
    ];
}

/** Per backend Service: the load balancer's health check, and its timeout and connection draining. */
export function renderGkeBackendPolicies(ctx: ServingContext): CustomObject[] {
    return gatewayBackends().flatMap(({ service, path, port }) => [
        {
            apiVersion: GKE_POLICY_API,
            kind: "HealthCheckPolicy",
            metadata: meta(ctx, `${service}-health`),
            spec: {
                default: {
                    checkIntervalSec: 10,
                    timeoutSec: 5,
                    healthyThreshold: 1,
                    unhealthyThreshold: 3,
                    config: { type: "HTTP", httpHealthCheck: { port, requestPath: path } },
                },
                targetRef: { group: "", kind: "Service", name: service },
            },
        },
        {
            apiVersion: GKE_POLICY_API,
            kind: "GCPBackendPolicy",
            metadata: meta(ctx, `${service}-backend`),
            spec: {
                default: {
                    timeoutSec: responseBudgetSeconds(ctx),
                    connectionDraining: { drainingTimeoutSec: ctx.serving.torchserve.drainSeconds },
                },
                targetRef: { group: "", kind: "Service", name: service },
            },
        },
    ]);
}
