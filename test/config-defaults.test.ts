import { defaults } from "../config/defaults";

/**
 * The defaults the schema does not apply itself (test/config-schema.test.ts pins those it
 * does): the EKS add-on pins, the control-plane log types and the container ports.
 */
describe("defaults outside the schema", () => {
    test("EKS managed add-ons are pinned for Kubernetes 1.35", () => {
        expect(defaults.aws.kubernetesVersion).toBe("1.35");
        expect(defaults.aws.addons).toEqual({
            "vpc-cni": "v1.21.1-eksbuild.1",
            coredns: "v1.13.2-eksbuild.4",
            "kube-proxy": "v1.35.3-eksbuild.2",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
            "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
        });
    });

    test("every EKS control-plane log type is on", () => {
        expect(defaults.aws.logTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    });

    test("TorchServe and the gateway listen on their usual ports", () => {
        expect(defaults.serving.torchserve.ports).toEqual({ inference: 8080, management: 8081, metrics: 8082 });
        expect(defaults.serving.gateway.port).toBe(3000);
    });
});
