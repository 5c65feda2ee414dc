import { digest, NewResourceHandler } from "./values";

/** Load-balancer addresses the cloud would give an Ingress or a LoadBalancer Service. */
function loadBalancerStatus(name: string, inputs: Record<string, unknown>) {
    const metadata = (inputs["metadata"] ?? {}) as Record<string, unknown>;
    const annotations = (metadata["annotations"] ?? {}) as Record<string, string>;
    const onAws = Object.keys(annotations).some(
        (k) => k.startsWith("alb.ingress.kubernetes.io/") || k.startsWith("service.beta.kubernetes.io/aws"),
    );
    const h = digest("lb", name);
    const ingress = onAws
        ? [{ hostname: `k8s-modelfle-${h.slice(0, 10)}-${parseInt(h.slice(10, 18), 16)}.us-east-1.elb.amazonaws.com` }]
        : [{ ip: `34.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}` }];
    return { status: { loadBalancer: { ingress } } };
}

export const k8sResources: Record<string, NewResourceHandler> = {
    "kubernetes:networking.k8s.io/v1:Ingress": loadBalancerStatus,
    "kubernetes:core/v1:Service": (name, inputs) => {
        const spec = (inputs["spec"] ?? {}) as Record<string, unknown>;
        return spec["type"] === "LoadBalancer" ? loadBalancerStatus(name, inputs) : {};
    },
};
