import type * as k8s from "@pulumi/kubernetes";
import type { ServingContext } from "./context";
import type { GatewayBackend } from "./gatewayConfig";
import { commonLabels, gatewaySelector, ports, torchserveAnyTrackSelector } from "./names";

type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

/** Google's front ends and health checkers: the sources of GKE Ingress traffic to NEG pods. */
export const GOOGLE_LB_RANGES = ["130.211.0.0/22", "35.191.0.0/16"] as const;
/** The label and port of cert-manager's ACME HTTP-01 solver pods (made in the namespace of the Certificate). */
export const ACME_SOLVER_LABEL = "acme.cert-manager.io/http01-solver";
export const ACME_SOLVER_PORT = 8089;
/** Standard ports of the gateway's optional backends (ClickHouse HTTP/HTTPS, Postgres, Valkey). */
export const BACKEND_PORTS: Record<GatewayBackend, number[]> = { clickhouseUrl: [8123, 8443], postgresUrl: [5432], valkeyUrl: [6379] };

const tcp = (port: number): Port => ({ protocol: "TCP", port });
const namespacePeer = (name: string): Peer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const anywhere: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };

/**
 * Where the ingress controller's traffic comes from, by flavour: ALB nodes in the VPC
 * (target type ip), Google's front ends, or the controller's namespace (`ingress-<class>`
 * as the ingress-nginx manifests install it, or a namespace named after the class).
 */
export function ingressSourcePeers(ctx: ServingContext): Peer[] {
    switch (ctx.ingress.kind) {
        case "alb":
            // The ALB's nodes sit in the public subnets (the subnets it discovers by their
            // kubernetes.io/role/elb tag); nothing else in the VPC may reach the pods directly.
            if (ctx.loadBalancerCidrs !== undefined) return ctx.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } }));
            return [{ ipBlock: { cidr: ctx.vpcCidr ?? "0.0.0.0/0" } }];
        case "gce":
            return GOOGLE_LB_RANGES.map((cidr) => ({ ipBlock: { cidr } }));
        case "class":
            return [
                {
                    namespaceSelector: {
                        matchExpressions: [
                            {
                                key: "kubernetes.io/metadata.name",
                                operator: "In",
                                values: [`ingress-${ctx.ingress.className}`, ctx.ingress.className],
                            },
                        ],
                    },
                },
            ];
    }
}

/**
 * The credential endpoint the pod identity agent serves on the node (EKS Pod Identity),
 * or the GKE metadata server (Workload Identity); a default-deny egress would block it.
 */
export function identityEgress(ctx: ServingContext): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    switch (ctx.identity) {
        case "eks-pod-identity":
            return [{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [tcp(80)] }];
        case "gke-workload-identity":
            return [
                { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [tcp(80)] },
                { to: [{ ipBlock: { cidr: "169.254.169.252/32" } }], ports: [tcp(988)] },
            ];
        case "static-credentials":
            return [];
    }
}

function policy(ctx: ServingContext, name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): [string, NetworkPolicy] {
    return [
        name,
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name, namespace: ctx.namespace, labels: commonLabels(ctx.regionName) },
            spec,
        },
    ];
}

/** Every NetworkPolicy of the namespace by name: deny by default, then each allowed flow. */
export function renderNetworkPolicies(ctx: ServingContext): Record<string, NetworkPolicy> {
    const dns = { to: [namespacePeer("kube-system")], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] };
    const https = { to: [anywhere], ports: [tcp(443)] };
    const backendPorts = ctx.backends.flatMap((b) => BACKEND_PORTS[b]).map(tcp);
    const policies = [
        policy(ctx, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy(ctx, "allow-ingress-controller", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: ingressSourcePeers(ctx), ports: [tcp(ports.inference), tcp(ports.gateway)] }],
        }),
        policy(ctx, "allow-gateway-to-torchserve", {
            podSelector: { matchLabels: torchserveAnyTrackSelector() },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: gatewaySelector() } }], ports: [tcp(ports.inference)] }],
        }),
        // An ingress rule with no peers admits every source, so no scrapers means no policy.
        ...(ctx.monitoring.scraperNamespaces.length > 0
            ? [
                  policy(ctx, "allow-prometheus-scrape", {
                      podSelector: {},
                      policyTypes: ["Ingress"],
                      ingress: [
                          { from: ctx.monitoring.scraperNamespaces.map(namespacePeer), ports: [tcp(ports.metrics), tcp(ports.gateway)] },
                      ],
                  }),
              ]
            : []),
        policy(ctx, "torchserve-egress", {
            podSelector: { matchLabels: torchserveAnyTrackSelector() },
            policyTypes: ["Egress"],
            // HTTPS for the model store and cloud APIs.
            egress: [dns, https, ...identityEgress(ctx)],
        }),
        policy(ctx, "gateway-egress", {
            podSelector: { matchLabels: gatewaySelector() },
            policyTypes: ["Egress"],
            egress: [
                dns,
                { to: [{ podSelector: { matchLabels: torchserveAnyTrackSelector() } }], ports: [tcp(ports.inference)] },
                https,
                ...(backendPorts.length > 0 ? [{ to: [anywhere], ports: backendPorts }] : []),
            ],
        }),
        // The region's Certificate lives in this namespace, so cert-manager runs its HTTP-01
        // solver here; the ACME server and cert-manager's self-check reach it through the
        // ingress controller. Harmless with a DNS-01 issuer: no such pod ever exists.
        ...(ctx.ingress.kind === "class"
            ? [
                  policy(ctx, "allow-acme-http01-solver", {
                      podSelector: { matchLabels: { [ACME_SOLVER_LABEL]: "true" } },
                      policyTypes: ["Ingress"],
                      ingress: [{ from: ingressSourcePeers(ctx), ports: [tcp(ACME_SOLVER_PORT)] }],
                  }),
              ]
            : []),
    ];
    return Object.fromEntries(policies);
}
