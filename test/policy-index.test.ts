import {
    allPolicies,
    clusterPolicies,
    limitPolicies,
    scalingPolicies,
    storagePolicies,
    tlsPolicies,
    workloadPolicies,
} from "../policy/policies";

describe("the pack's policy list", () => {
    test("holds every group, TLS first, then limits, workloads, storage, clusters and scaling", () => {
        expect(allPolicies).toEqual([
            ...tlsPolicies,
            ...limitPolicies,
            ...workloadPolicies,
            ...storagePolicies,
            ...clusterPolicies,
            ...scalingPolicies,
        ]);
    });
    test("starts with the TLS policies by name", () => {
        expect(allPolicies.slice(0, 12).map((p) => p.name)).toEqual([
            "ingress-tls-all-hosts",
            "alb-ingress-ssl-policy",
            "alb-ingress-ssl-redirect",
            "service-lb-tls",
            "service-no-nodeport",
            "lb-listener-https",
            "gcp-ssl-policy-modern",
            "gcp-https-proxy-ssl-policy",
            "s3-bucket-policy-tls-only",
            "s3-bucket-has-tls-policy",
            "route53-health-check-https",
            "gcp-health-check-https",
        ]);
    });
    test("names each policy once", () => {
        const names = allPolicies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names.length).toBeGreaterThan(12);
    });
});
