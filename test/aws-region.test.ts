import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../config";
import { defaults } from "../config/defaults";
import { subnetLayout, vpcCidrProblems } from "../components/aws/cidr";
import { EksCluster } from "../components/aws/cluster";
import { GpuNodePool, noOfferingMessage, offeringSubnetIndexes } from "../components/aws/gpuNodePool";
import { eksKubeconfig } from "../components/aws/kubeconfig";
import { controllerVersion } from "../components/aws/loadBalancerController";
import { AwsNetwork } from "../components/aws/network";
import { podIdentityTrustPolicy } from "../components/aws/podIdentityRole";
import { AwsRegion, type AwsRegionConfig } from "../components/aws/region";
import type { FleetMocks, MockedResource } from "../tools/mocks";
import { MOCK_ACCOUNT_ID } from "../tools/mocks/values";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";
import { hasSchema, schemaKey, validateManifest } from "./k8s-schema";

/** What a stack transformation saw for one resource: its options, and the Outputs among its inputs. */
interface Captured {
    type: string;
    name: string;
    props: Record<string, unknown>;
    opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

let mocks: FleetMocks;
let config: FleetConfig;
const captured: Captured[] = [];
/** Every data-source call the program made, in order. */
const calls: pulumi.runtime.MockCallArgs[] = [];
const regions: Record<string, AwsRegion> = {};

function regionConfig(cfg: FleetConfig, name: string): RegionConfig {
    const region = cfg.regions.find((r) => r.name === name);
    if (!region) throw new Error(`no region ${name} in config`);
    return region;
}

function awsRegionConfig(cfg: FleetConfig, name: string): AwsRegionConfig {
    const region = regionConfig(cfg, name);
    if (region.cloud !== "aws") throw new Error(`region ${name} is not an AWS region`);
    return region;
}

function one(name: string): MockedResource {
    const found = mocks.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
}

function capturedOne(name: string): Captured {
    const found = captured.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one captured resource named ${name}, found ${found.length}`);
    return found[0];
}

function dependsOnNames(name: string): string[] {
    const deps = capturedOne(name).opts.dependsOn;
    const list = Array.isArray(deps) ? deps : deps ? [deps] : [];
    return list.map((d) => (d as unknown as { __name?: string }).__name ?? "?");
}

function ofType(type: string, prefix: string): MockedResource[] {
    return mocks.resources.filter((r) => r.type === type && r.name.startsWith(prefix));
}

/** The inputs of every call to one data source. */
function callsTo(token: string): Record<string, unknown>[] {
    return calls.filter((c) => c.token === token).map((c) => c.inputs as Record<string, unknown>);
}

/** The one statement of a Pod Identity role's trust policy. */
function trustOf(roleName: string): Record<string, unknown> {
    const trust = JSON.parse(input<string>(one(roleName), "assumeRolePolicy"));
    expect(trust.Statement).toHaveLength(1);
    return trust.Statement[0];
}

/** The input field of a resource, as the mocks received it. */
function input<T>(r: MockedResource, key: string): T {
    return r.inputs[key] as T;
}

beforeAll(async () => {
    mocks = await useMocks("prod");
    const answer = mocks.call.bind(mocks);
    mocks.call = (args) => {
        calls.push(args);
        return answer(args);
    };
    config = fleetConfig(stackSettings("prod"));
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            captured.push({ type: args.type, name: args.name, props: args.props as Record<string, unknown>, opts: args.opts });
            return undefined;
        });
        const provider = new aws.Provider("aws", { region: "us-east-1" });
        for (const name of ["use1", "euw1"]) {
            regions[name] = new AwsRegion(name, { region: regionConfig(config, name), config, provider });
        }
        return {};
    });
    await promiseOf(pulumi.all(Object.values(regions).map((r) => r.cluster.endpoint)));
    await settle();
});

describe("GPU node pools", () => {
    test("use the NVIDIA AL2023 AMI, taint and label the nodes, and size from config", () => {
        const l4 = one("use1-gpu-l4-nodes");
        expect(input(l4, "amiType")).toBe("AL2023_x86_64_NVIDIA");
        expect(input(l4, "region")).toBe("us-east-1");
        expect(input(l4, "instanceTypes")).toEqual(["g6.xlarge", "g6.2xlarge"]);
        expect(input(l4, "capacityType")).toBe("ON_DEMAND");
        expect(input(l4, "taints")).toEqual([{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
        expect(input(l4, "labels")).toEqual({
            "modelfleet.io/pool": "l4",
            "modelfleet.io/accelerator": "nvidia-l4",
            "nvidia.com/gpu.present": "true",
            // The cluster-autoscaler's AWS GPU label: a node with it is waiting for its device plugin.
            "k8s.amazonaws.com/accelerator": "nvidia-l4",
        });
        expect(input(l4, "scalingConfig")).toEqual({ minSize: 1, maxSize: 8, desiredSize: 2 });
        expect(input(l4, "updateConfig")).toEqual({ maxUnavailable: 1 });
        expect(input(l4, "clusterName")).toBe("modelfleet-test-use1");
        // EKS cannot move a node group to other subnets; a zone that starts offering g6 must not replace the pool.
        expect(capturedOne("use1-gpu-l4-nodes").opts.ignoreChanges).toEqual(["scalingConfig.desiredSize", "subnetIds"]);
    });

    test("spot pools are SPOT and start at minNodes when desiredNodes is unset", () => {
        const spot = one("use1-gpu-a10g-spot-nodes");
        expect(input(spot, "capacityType")).toBe("SPOT");
        expect(input(spot, "scalingConfig")).toEqual({ minSize: 0, maxSize: 6, desiredSize: 0 });
        expect(input<Record<string, string>>(spot, "labels")["modelfleet.io/accelerator"]).toBe("nvidia-a10g");
    });

    test("carry autoscaler discovery and node-template tags, and put the templates on the ASG", () => {
        const tags = input<Record<string, string>>(one("use1-gpu-l4-nodes"), "tags");
        expect(tags).toMatchObject({
            "k8s.io/cluster-autoscaler/enabled": "true",
            "k8s.io/cluster-autoscaler/modelfleet-test-use1": "owned",
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "present:NoSchedule",
            "k8s.io/cluster-autoscaler/node-template/label/modelfleet.io/pool": "l4",
            "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator": "nvidia-l4",
        });
        const asgTags = ofType("aws:autoscaling/tag:Tag", "use1-gpu-l4-");
        const byKey = Object.fromEntries(asgTags.map((t) => [(t.inputs["tag"] as { key: string }).key, t.inputs]));
        expect(Object.keys(byKey).sort()).toEqual([
            "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator",
            "k8s.io/cluster-autoscaler/node-template/label/modelfleet.io/accelerator",
            "k8s.io/cluster-autoscaler/node-template/label/modelfleet.io/pool",
            "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present",
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
        ]);
        const gpuTag = byKey["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"];
        expect(gpuTag["tag"]).toEqual({
            key: "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
            value: "1",
            propagateAtLaunch: false,
        });
        expect(gpuTag["autoscalingGroupName"]).toMatch(/^eks-use1-gpu-l4-nodes-[0-9a-f]{8}$/);
        expect(gpuTag["region"]).toBe("us-east-1");
        expect(byKey["k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator"]["tag"]).toEqual({
            key: "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator",
            value: "nvidia-l4",
            propagateAtLaunch: false,
        });
    });

    test("launch encrypted gp3 roots of the configured size with IMDSv2 closed to pods", () => {
        const template = one("use1-gpu-l4-nodes");
        expect(input(template, "launchTemplate")).toEqual({ id: expect.stringMatching(/^use1-gpu-l4-launch-template-/), version: "1" });
        const lt = one("use1-gpu-l4-launch-template");
        expect(lt?.inputs["blockDeviceMappings"]).toEqual([
            { deviceName: "/dev/xvda", ebs: { volumeSize: 200, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ]);
        expect(lt?.inputs["metadataOptions"]).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    });

    test("wait for the networking add-ons and egress before launching", () => {
        expect(dependsOnNames("use1-gpu-l4-nodes")).toEqual(
            expect.arrayContaining([
                "use1-eks-vpc-cni",
                "use1-eks-kube-proxy",
                "use1-eks-eks-pod-identity-agent",
                "use1-network-private-default-0",
                "use1-network-s3",
            ]),
        );
    });

    test("launch only in zones that offer every one of the pool's instance types", () => {
        // The mock offers GPU types in zones a-c; use1's subnets are in a, b and d (c is use1-az3).
        const subnetsOf = (name: string) => input<string[]>(one(name), "subnetIds");
        expect(subnetsOf("use1-gpu-l4-nodes")).toEqual([0, 1].map((i) => expect.stringMatching(new RegExp(`^use1-network-private-${i}-`))));
        expect(subnetsOf("use1-gpu-a10g-spot-nodes")).toHaveLength(2);
        expect(subnetsOf("euw1-gpu-l4-nodes")).toEqual(
            [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^euw1-network-private-${i}-`))),
        );
        // The system pool is CPU-only and keeps every zone.
        expect(subnetsOf("use1-eks-system")).toHaveLength(3);
        const lookups = callsTo("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings");
        expect(lookups).toEqual(
            expect.arrayContaining([
                {
                    region: "us-east-1",
                    locationType: "availability-zone",
                    filters: [{ name: "instance-type", values: ["g6.xlarge", "g6.2xlarge"] }],
                },
            ]),
        );
    });

    test("expose placements the serving stack schedules by", () => {
        expect(regions["use1"].cluster.gpuPools).toEqual({
            l4: {
                name: "l4",
                nodeSelector: { "modelfleet.io/pool": "l4" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                gpusPerNode: 1,
                gpuModel: "nvidia-l4",
            },
            "a10g-spot": {
                name: "a10g-spot",
                nodeSelector: { "modelfleet.io/pool": "a10g-spot" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                gpusPerNode: 1,
                gpuModel: "nvidia-a10g",
            },
        });
    });
});

describe("EKS cluster", () => {
    test("encrypts secrets with a rotating KMS key", () => {
        const key = one("use1-eks-secrets-key");
        expect(key.type).toBe("aws:kms/key:Key");
        expect(input(key, "enableKeyRotation")).toBe(true);
        expect(input(key, "deletionWindowInDays")).toBe(30);
        const cluster = one("use1-eks-cluster");
        const encryption = input<{ resources: string[]; provider: { keyArn: string } }>(cluster, "encryptionConfig");
        expect(encryption.resources).toEqual(["secrets"]);
        expect(encryption.provider.keyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/use1-eks-secrets-key$/);
    });

    test("keeps the endpoint private and opens the public one only to configured CIDRs", () => {
        const vpcConfig = input<Record<string, unknown>>(one("use1-eks-cluster"), "vpcConfig");
        expect(vpcConfig["endpointPrivateAccess"]).toBe(true);
        expect(vpcConfig["endpointPublicAccess"]).toBe(true);
        expect(vpcConfig["publicAccessCidrs"]).toEqual(["203.0.113.0/24"]);
        expect((vpcConfig["subnetIds"] as string[]).length).toBe(3);
        expect(vpcConfig["subnetIds"]).toEqual(
            [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^use1-network-private-${i}-[0-9a-f]{8}$`))),
        );
    });

    test("uses API authentication with the admin role as the only admin", () => {
        const cluster = one("use1-eks-cluster");
        expect(input(cluster, "accessConfig")).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        expect(input(cluster, "version")).toBe("1.35");
        expect(input(cluster, "enabledClusterLogTypes")).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        expect(input(cluster, "bootstrapSelfManagedAddons")).toBe(false);
        const entry = mocks.resources.find((r) => r.type === "aws:eks/accessEntry:AccessEntry" && r.name === "use1-eks-admin");
        expect(entry?.inputs).toMatchObject({
            principalArn: "arn:aws:iam::444455556666:role/modelfleet-platform-admin",
            type: "STANDARD",
            region: "us-east-1",
            clusterName: "modelfleet-test-use1",
        });
        const association = mocks.resources.find(
            (r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && r.name === "use1-eks-admin",
        );
        expect(association?.inputs).toMatchObject({
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
            principalArn: "arn:aws:iam::444455556666:role/modelfleet-platform-admin",
        });
    });

    test("is protected in prod", () => {
        expect(capturedOne("use1-eks-cluster").opts.protect).toBe(true);
        expect(input(one("use1-eks-cluster"), "deletionProtection")).toBe(true);
        expect(capturedOne("use1-eks-secrets-key").opts.protect).toBe(true);
    });

    test("installs the managed add-ons at the pinned versions", () => {
        const addons = ofType("aws:eks/addon:Addon", "use1-eks-");
        const versions = Object.fromEntries(addons.map((a) => [a.inputs["addonName"], a.inputs["addonVersion"]]));
        expect(versions).toEqual({ ...defaults.aws.addons, "cert-manager": "v1.20.2-eksbuild.3" });
        for (const addon of addons) {
            expect(addon.inputs).toMatchObject({
                region: "us-east-1",
                resolveConflictsOnUpdate: "OVERWRITE",
                clusterName: "modelfleet-test-use1",
            });
        }
    });

    test("gives the EBS CSI driver and the VPC CNI Pod Identity roles, not the node role", () => {
        const ebs = one("use1-eks-aws-ebs-csi-driver");
        expect(input<Array<{ serviceAccount: string; roleArn: string }>>(ebs, "podIdentityAssociations")).toEqual([
            { serviceAccount: "ebs-csi-controller-sa", roleArn: "arn:aws:iam::111122223333:role/use1-eks-ebs-csi-identity-role" },
        ]);
        expect(input(one("use1-eks-vpc-cni"), "podIdentityAssociations")).toEqual([
            { serviceAccount: "aws-node", roleArn: "arn:aws:iam::111122223333:role/use1-eks-vpc-cni-identity-role" },
        ]);
        const policyOf = (name: string) => input<string>(one(name), "policyArn");
        expect(policyOf("use1-eks-ebs-csi-identity-AmazonEBSCSIDriverPolicy")).toBe("arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicy");
        expect(policyOf("use1-eks-vpc-cni-identity-AmazonEKS_CNI_Policy")).toBe("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
        const nodePolicies = mocks.resources
            .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("use1-eks-node-"))
            .map((r) => r.inputs["policyArn"]);
        // No SSM unless the region asks for it (regions[].nodeSsmAccess).
        expect(nodePolicies.sort()).toEqual([
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        ]);
        // Each add-on role admits only its own service account in this cluster and account.
        expect(trustOf("use1-eks-ebs-csi-identity-role")).toEqual({
            Sid: "EksPodIdentityForOneServiceAccount",
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:SourceAccount": MOCK_ACCOUNT_ID,
                    "aws:RequestTag/eks-cluster-name": "modelfleet-test-use1",
                    "aws:RequestTag/kubernetes-namespace": "kube-system",
                    "aws:RequestTag/kubernetes-service-account": "ebs-csi-controller-sa",
                },
            },
        });
        expect(trustOf("use1-eks-vpc-cni-identity-role")["Condition"]).toEqual({
            StringEquals: {
                "aws:SourceAccount": MOCK_ACCOUNT_ID,
                "aws:RequestTag/eks-cluster-name": "modelfleet-test-use1",
                "aws:RequestTag/kubernetes-namespace": "kube-system",
                "aws:RequestTag/kubernetes-service-account": "aws-node",
            },
        });
        // The add-ons make these associations themselves; a second one for the same service account would clash.
        expect(mocks.resources.filter((r) => /^use1-eks-(vpc-cni|ebs-csi)-identity-association$/.test(r.name))).toEqual([]);
    });

    test("turns on NetworkPolicy enforcement in the VPC CNI", () => {
        const cni = one("use1-eks-vpc-cni");
        expect(JSON.parse(input<string>(cni, "configurationValues"))).toEqual({ enableNetworkPolicy: "true" });
        expect(input(cni, "addonVersion")).toBe(defaults.aws.addons["vpc-cni"]);
        expect(one("euw1-eks-vpc-cni").inputs["configurationValues"]).toBe('{"enableNetworkPolicy":"true"}');
    });

    test("orders add-ons around the system node group", () => {
        expect(dependsOnNames("use1-eks-coredns")).toContain("use1-eks-system");
        expect(dependsOnNames("use1-eks-aws-ebs-csi-driver")).toContain("use1-eks-system");
        expect(dependsOnNames("use1-eks-cert-manager")).toContain("use1-eks-system");
        expect(dependsOnNames("use1-eks-system")).toEqual(
            expect.arrayContaining(["use1-eks-vpc-cni", "use1-eks-kube-proxy", "use1-eks-eks-pod-identity-agent"]),
        );
        expect(dependsOnNames("use1-eks-vpc-cni")).not.toContain("use1-eks-system");
    });

    test("runs an on-demand CPU system pool labelled for system workloads", () => {
        const system = one("use1-eks-system");
        expect(system.type).toBe("aws:eks/nodeGroup:NodeGroup");
        expect(system.inputs).toMatchObject({
            amiType: "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            instanceTypes: ["m7i.large"],
            labels: { "modelfleet.io/pool": "system" },
            scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
        });
        expect(system.inputs["taints"]).toBeUndefined();
    });
});

describe("network", () => {
    test("carves private and public subnets from the VPC CIDR, tagged for load-balancer discovery", () => {
        const privates = ofType("aws:ec2/subnet:Subnet", "use1-network-private-");
        const publics = ofType("aws:ec2/subnet:Subnet", "use1-network-public-");
        expect(privates.map((s) => s.inputs["cidrBlock"])).toEqual(["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"]);
        expect(publics.map((s) => s.inputs["cidrBlock"])).toEqual(["10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20"]);
        // The mock maps us-east-1c to use1-az3, where EKS cannot place a control plane.
        expect(privates.map((s) => s.inputs["availabilityZone"])).toEqual(["us-east-1a", "us-east-1b", "us-east-1d"]);
        for (const s of privates) {
            expect(s.inputs["tags"]).toMatchObject({
                "kubernetes.io/role/internal-elb": "1",
                "kubernetes.io/cluster/modelfleet-test-use1": "shared",
            });
            expect(s.inputs["tags"]).not.toHaveProperty("kubernetes.io/role/elb");
        }
        for (const s of publics) {
            expect(s.inputs["tags"]).toMatchObject({
                "kubernetes.io/role/elb": "1",
                "kubernetes.io/cluster/modelfleet-test-use1": "shared",
            });
            expect(s.inputs["mapPublicIpOnLaunch"]).toBe(false);
        }
        const vpc = one("use1-network-vpc");
        expect(vpc.inputs).toMatchObject({
            cidrBlock: "10.10.0.0/16",
            enableDnsHostnames: true,
            enableDnsSupport: true,
            region: "us-east-1",
        });
        expect(ofType("aws:ec2/subnet:Subnet", "euw1-network-private-").map((s) => s.inputs["availabilityZone"])).toEqual([
            "eu-west-1a",
            "eu-west-1b",
            "eu-west-1c",
        ]);
    });

    test("looks zones up without a state filter, excluding zones EKS cannot use, and never moves a subnet", () => {
        const lookups = callsTo("aws:index/getAvailabilityZones:getAvailabilityZones");
        const use1 = lookups.find((l) => l["region"] === "us-east-1");
        expect(use1).toEqual({
            region: "us-east-1",
            excludeZoneIds: ["use1-az3", "usw1-az2", "cac1-az3"],
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        });
        const subnets = captured.filter((c) => c.type === "aws:ec2/subnet:Subnet" && c.name.startsWith("use1-network-"));
        expect(subnets).toHaveLength(6);
        for (const subnet of subnets)
            expect({ name: subnet.name, ignore: subnet.opts.ignoreChanges }).toEqual({ name: subnet.name, ignore: ["availabilityZone"] });
        expect(ofType("aws:ec2/subnet:Subnet", "use1-network-public-").map((s) => s.inputs["availabilityZone"])).toEqual([
            "us-east-1a",
            "us-east-1b",
            "us-east-1d",
        ]);
    });

    test("sends S3 traffic from the private subnets through a gateway endpoint, not NAT", () => {
        const endpoint = one("use1-network-s3");
        expect(endpoint.type).toBe("aws:ec2/vpcEndpoint:VpcEndpoint");
        expect(endpoint.inputs).toMatchObject({
            region: "us-east-1",
            vpcEndpointType: "Gateway",
            serviceName: "com.amazonaws.us-east-1.s3",
            vpcId: expect.stringMatching(/^use1-network-vpc-/),
        });
        expect(input<string[]>(endpoint, "routeTableIds")).toEqual(
            [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^use1-network-private-rt-${i}-[0-9a-f]{8}$`))),
        );
        expect(one("euw1-network-s3").inputs["serviceName"]).toBe("com.amazonaws.eu-west-1.s3");
    });

    test("puts one NAT gateway in each zone when natGatewayPerAz is set, each zone routing through its own", () => {
        const nats = ofType("aws:ec2/natGateway:NatGateway", "use1-network-");
        expect(nats).toHaveLength(3);
        expect(ofType("aws:ec2/eip:Eip", "use1-network-")).toHaveLength(3);
        const routes = [0, 1, 2].map((i) => one(`use1-network-private-default-${i}`).inputs["natGatewayId"]);
        expect(routes).toEqual([0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^use1-network-nat-${i}-[0-9a-f]{8}$`))));
        expect(nats.map((n) => n.inputs["subnetId"])).toEqual(
            [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^use1-network-public-${i}-[0-9a-f]{8}$`))),
        );
        expect(nats.map((n) => n.inputs["allocationId"])).toEqual([0, 1, 2].map(() => expect.stringMatching(/^eipalloc-/)));
    });

    test("shares one NAT gateway when natGatewayPerAz is off", async () => {
        const network = new AwsNetwork("single-nat", {
            region: "us-east-2",
            vpcCidr: "10.50.0.0/16",
            azCount: 3,
            natGatewayPerAz: false,
            clusterName: "c1",
        });
        await promiseOf(network.zones);
        await settle();
        const nats = ofType("aws:ec2/natGateway:NatGateway", "single-nat-");
        expect(nats).toHaveLength(1);
        const routes = [0, 1, 2].map((i) => one(`single-nat-private-default-${i}`).inputs["natGatewayId"]);
        expect(new Set(routes)).toEqual(new Set([expect.stringMatching(/^single-nat-nat-0-[0-9a-f]{8}$/)]));
        expect(ofType("aws:ec2/subnet:Subnet", "single-nat-").every((s) => s.inputs["region"] === "us-east-2")).toBe(true);
    });
});

describe("Kubernetes add-ons", () => {
    function k8sObject(type: string, name: string): Record<string, unknown> {
        const r = mocks.resources.find((x) => x.type === type && x.name === name);
        if (!r) throw new Error(`no ${type} ${name}`);
        return r.inputs;
    }
    const podSpec = (obj: Record<string, unknown>) => (obj["spec"] as { template: { spec: Record<string, unknown> } }).template.spec;

    test("the device plugin runs only on GPU nodes, tolerating their taint, with the pinned image", () => {
        const ds = k8sObject("kubernetes:apps/v1:DaemonSet", "use1-device-plugin-daemonset");
        const spec = podSpec(ds);
        expect(spec["affinity"]).toEqual({
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] }],
                },
            },
        });
        expect(spec["tolerations"]).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(spec["priorityClassName"]).toBe("system-node-critical");
        const [container] = spec["containers"] as Array<Record<string, unknown>>;
        expect(container["image"]).toBe(config.images.devicePlugin);
        expect(container["securityContext"]).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(spec["volumes"]).toEqual([
            { name: "device-plugins", hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } },
        ]);
        expect(mocks.resources.find((r) => r.name === "use1-device-plugin-daemonset")?.provider).toMatch(
            /pulumi:providers:kubernetes::use1-k8s::/,
        );
    });

    test("the cluster-autoscaler discovers this cluster's groups and scales down per config", () => {
        const spec = podSpec(k8sObject("kubernetes:apps/v1:Deployment", "use1-autoscaler-deployment"));
        const [container] = spec["containers"] as Array<Record<string, unknown>>;
        expect(container["image"]).toBe(config.images.clusterAutoscaler);
        expect(container["command"]).toEqual(
            expect.arrayContaining([
                "--cloud-provider=aws",
                "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/modelfleet-test-use1",
                "--balance-similar-node-groups",
                "--skip-nodes-with-system-pods=false",
                "--expander=least-waste",
                "--scale-down-unneeded-time=10m",
                "--scale-down-delay-after-add=10m",
            ]),
        );
        expect(container["env"]).toEqual([{ name: "AWS_REGION", value: "us-east-1" }]);
        expect(container["livenessProbe"]).toMatchObject({ httpGet: { path: "/health-check", port: 8085 } });
        expect(spec["serviceAccountName"]).toBe("cluster-autoscaler");
        expect(spec["nodeSelector"]).toEqual({ "modelfleet.io/pool": "system" });
    });

    test("the cluster-autoscaler's role may resize only this cluster's groups", () => {
        const policy = JSON.parse(input<string>(one("use1-autoscaler-identity-policy"), "policy"));
        const resize = policy.Statement.find((s: { Sid: string }) => s.Sid === "ResizeOwnGroups");
        expect(resize).toEqual({
            Sid: "ResizeOwnGroups",
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/modelfleet-test-use1": "owned" } },
        });
        const describe = policy.Statement.find((s: { Sid: string }) => s.Sid === "DescribeOwnNodeGroups");
        expect(describe.Resource).toBe("arn:aws:eks:us-east-1:*:nodegroup/modelfleet-test-use1/*");
        const association = one("use1-autoscaler-identity-association");
        expect(association.inputs).toMatchObject({
            namespace: "kube-system",
            serviceAccount: "cluster-autoscaler",
            region: "us-east-1",
            clusterName: "modelfleet-test-use1",
        });
        expect(association.inputs["roleArn"]).toContain("use1-autoscaler-identity-role");
        const trust = trustOf("use1-autoscaler-identity-role");
        expect(trust["Action"]).toEqual(["sts:AssumeRole", "sts:TagSession"]);
        expect(trust["Condition"]).toEqual({
            StringEquals: {
                "aws:SourceAccount": MOCK_ACCOUNT_ID,
                "aws:RequestTag/eks-cluster-name": "modelfleet-test-use1",
                "aws:RequestTag/kubernetes-namespace": "kube-system",
                "aws:RequestTag/kubernetes-service-account": "cluster-autoscaler",
            },
        });
    });

    test("the load balancer controller gets its cluster, VPC and region, a webhook cert and the alb class", () => {
        const spec = podSpec(k8sObject("kubernetes:apps/v1:Deployment", "use1-lbc-deployment"));
        const [container] = spec["containers"] as Array<Record<string, unknown>>;
        expect(container["image"]).toBe(config.images.awsLoadBalancerController);
        expect(container["args"]).toEqual(
            expect.arrayContaining([
                "--cluster-name=modelfleet-test-use1",
                "--aws-region=us-east-1",
                expect.stringMatching(/^--aws-vpc-id=use1-network-vpc-[0-9a-f]{8}$/),
                "--ingress-class=alb",
            ]),
        );
        const ingressClass = k8sObject("kubernetes:networking.k8s.io/v1:IngressClass", "use1-lbc-class");
        expect(ingressClass["spec"]).toEqual({
            controller: "ingress.k8s.aws/alb",
            parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "alb" },
        });
        const mutating = k8sObject("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "use1-lbc-mutating");
        expect((mutating["metadata"] as { annotations: Record<string, string> }).annotations["cert-manager.io/inject-ca-from"]).toBe(
            "kube-system/aws-load-balancer-serving-cert",
        );
        expect((mutating["webhooks"] as Array<{ name: string }>).map((w) => w.name)).not.toContain("mservice.elbv2.k8s.aws");
        expect(dependsOnNames("use1-lbc-mutating")).toContain("use1-lbc-deployment");
        expect(dependsOnNames("use1-lbc-issuer")).toContain("use1-eks-cert-manager");
        const crds = mocks.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigFile" && r.name === "use1-lbc-crds");
        expect(crds?.inputs["file"]).toBe(
            "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v2.13.3/helm/aws-load-balancer-controller/crds/crds.yaml",
        );
        const policy = JSON.parse(input<string>(one("use1-lbc-identity-policy"), "policy"));
        const create = policy.Statement.find((s: { Sid: string }) => s.Sid === "CreateTaggedLoadBalancers");
        expect(create.Condition).toEqual({
            StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:RequestTag/elbv2.k8s.aws/cluster": "modelfleet-test-use1" },
        });
        expect(one("use1-lbc-identity-association").inputs).toMatchObject({
            namespace: "kube-system",
            serviceAccount: "aws-load-balancer-controller",
        });
        expect(trustOf("use1-lbc-identity-role")["Condition"]).toEqual({
            StringEquals: {
                "aws:SourceAccount": MOCK_ACCOUNT_ID,
                "aws:RequestTag/eks-cluster-name": "modelfleet-test-use1",
                "aws:RequestTag/kubernetes-namespace": "kube-system",
                "aws:RequestTag/kubernetes-service-account": "aws-load-balancer-controller",
            },
        });
    });

    test("every rendered Kubernetes object is valid against the Kubernetes schema", () => {
        const expectedKinds = [
            "apps/v1/DaemonSet",
            "apps/v1/Deployment",
            "v1/ServiceAccount",
            "v1/Service",
            "rbac.authorization.k8s.io/v1/ClusterRole",
            "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
            "rbac.authorization.k8s.io/v1/Role",
            "rbac.authorization.k8s.io/v1/RoleBinding",
            "networking.k8s.io/v1/IngressClass",
            "policy/v1/PodDisruptionBudget",
            "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
        ];
        const objects = mocks.resources.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("use1-") && r.custom);
        const kinds = new Set<string>();
        for (const r of objects) {
            if (!hasSchema(r.inputs)) continue;
            kinds.add(schemaKey(r.inputs));
            expect(() => validateManifest(r.inputs)).not.toThrow();
        }
        expect([...kinds].filter((k) => expectedKinds.includes(k)).sort()).toEqual([...expectedKinds].sort());
    });
});

describe("the region as a whole", () => {
    test("yields the common cluster shape", async () => {
        const cluster = regions["use1"].cluster;
        expect(cluster).toMatchObject({
            regionName: "use1",
            cloud: "aws",
            location: "us-east-1",
            systemNodeSelector: { "modelfleet.io/pool": "system" },
            ingress: { kind: "alb", className: "alb" },
        });
        expect(cluster.workloadIdentity.kind).toBe("eks-pod-identity");
        if (cluster.workloadIdentity.kind === "eks-pod-identity")
            expect(await promiseOf(cluster.workloadIdentity.clusterName)).toBe("modelfleet-test-use1");
        expect(await promiseOf(cluster.zones)).toEqual(["us-east-1a", "us-east-1b", "us-east-1d"]);
        expect(await promiseOf(cluster.endpoint)).toMatch(/^https:\/\/.+\.us-east-1\.eks\.amazonaws\.com$/);
        const ready = await Promise.all(cluster.readyResources.map((r) => promiseOf(r.urn)));
        expect(ready.map((u) => u.split("::").pop())).toEqual(
            expect.arrayContaining([
                "use1-eks-system",
                "use1-gpu-l4-nodes",
                "use1-gpu-a10g-spot-nodes",
                "use1-device-plugin-daemonset",
                "use1-autoscaler-deployment",
                "use1-lbc-deployment",
                "use1-lbc-class",
                "use1-eks-coredns",
            ]),
        );
    });

    test("sets region on every regional AWS resource and uses the one shared provider", () => {
        const global = ["aws:iam/"];
        const awsResources = mocks.resources.filter(
            (r) => r.type.startsWith("aws:") && !global.some((g) => r.type.startsWith(g)) && /^(use1|euw1)-/.test(r.name),
        );
        expect(awsResources.length).toBeGreaterThan(80);
        for (const r of awsResources) {
            const expected = r.name.startsWith("use1-") ? "us-east-1" : "eu-west-1";
            expect({ name: r.name, region: r.inputs["region"] }).toEqual({ name: r.name, region: expected });
        }
        const everyAws = mocks.resources.filter((r) => r.type.startsWith("aws:") && /^(use1|euw1)-/.test(r.name));
        for (const r of everyAws)
            expect({ name: r.name, provider: r.provider }).toEqual({
                name: r.name,
                provider: expect.stringMatching(/\$pulumi:providers:aws::aws::/),
            });
    });

    test("two regions share no dependency", async () => {
        const outputsIn = (value: unknown, found: pulumi.Output<unknown>[] = []): pulumi.Output<unknown>[] => {
            if (pulumi.Output.isInstance(value)) found.push(value);
            else if (Array.isArray(value)) value.forEach((v) => outputsIn(v, found));
            else if (value && typeof value === "object" && !pulumi.Resource.isInstance(value))
                Object.values(value).forEach((v) => outputsIn(v, found));
            return found;
        };
        const nameOf = async (r: pulumi.Resource) => (await promiseOf(r.urn)).split("::").pop() ?? "";
        const regionOfName = (n: string) => (n.startsWith("use1") ? "use1" : n.startsWith("euw1") ? "euw1" : undefined);
        let checked = 0;
        for (const c of captured) {
            const own = regionOfName(c.name);
            if (!own) continue;
            const deps: pulumi.Resource[] = [];
            const dependsOn = c.opts.dependsOn;
            if (Array.isArray(dependsOn)) deps.push(...(dependsOn as pulumi.Resource[]));
            if (c.opts.parent) deps.push(c.opts.parent);
            if (pulumi.Resource.isInstance(c.opts.provider)) deps.push(c.opts.provider);
            for (const o of outputsIn(c.props)) {
                const all = (o as unknown as { allResources?: () => Promise<Set<pulumi.Resource>> }).allResources;
                if (all) deps.push(...(await all.call(o)));
            }
            for (const dep of deps) {
                const depRegion = regionOfName(await nameOf(dep));
                if (depRegion !== undefined)
                    expect({ resource: c.name, dependsOnRegion: depRegion }).toEqual({ resource: c.name, dependsOnRegion: own });
                checked++;
            }
        }
        expect(checked).toBeGreaterThan(300);
    });
});

describe("the dev stack", () => {
    test("builds one NAT gateway, an unprotected cluster and a private-only endpoint when no CIDRs are given", async () => {
        const dev = fleetConfig(stackSettings("dev"));
        const use1 = awsRegionConfig(dev, "use1");
        const region = new AwsRegion("dev1", { region: { ...use1, endpointPublicAccessCidrs: [] }, config: dev });
        await promiseOf(region.cluster.endpoint);
        await settle();
        expect(ofType("aws:ec2/natGateway:NatGateway", "dev1-")).toHaveLength(1);
        expect(one("dev1-eks-cluster").inputs["vpcConfig"]).toEqual({
            subnetIds: [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^dev1-network-private-${i}-`))),
            endpointPrivateAccess: true,
            endpointPublicAccess: false,
        });
        expect(one("dev1-eks-cluster").inputs["deletionProtection"]).toBe(false);
        expect(captured.find((c) => c.name === "dev1-eks-cluster")?.opts.protect).toBe(false);
        expect(one("dev1-gpu-l4-nodes").inputs["scalingConfig"]).toEqual({ minSize: 0, maxSize: 4, desiredSize: 1 });
    });
});

describe("lifting protection in code", () => {
    test("regions[].protect: false in prod turns off the cluster's protect and deletion protection", async () => {
        const prod = fleetConfig(stackSettings("prod"));
        const euw1 = { ...awsRegionConfig(prod, "euw1"), protect: false };
        const region = new AwsRegion("retiring", { region: euw1, config: prod });
        await promiseOf(region.cluster.endpoint);
        await settle();
        expect(one("retiring-eks-cluster").inputs["deletionProtection"]).toBe(false);
        expect(captured.find((c) => c.name === "retiring-eks-cluster")?.opts.protect).toBe(false);
    });

    test("a region without the key follows the environment", () => {
        const prod = fleetConfig(stackSettings("prod"));
        expect(prod.regions.map((r) => r.protect)).toEqual([true, true, true, true]);
        const raw = stackSettings("prod");
        (raw["regions"] as Array<Record<string, unknown>>)[1]["protect"] = false;
        expect(fleetConfig(raw).regions.map((r) => [r.name, r.protect])).toEqual([
            ["use1", true],
            ["euw1", false],
            ["usc1", true],
            ["edge-muc", true],
        ]);
    });
});

describe("bad input", () => {
    test("a region of another cloud is refused", () => {
        expect(() => new AwsRegion("wrong-cloud", { region: regionConfig(config, "usc1"), config })).toThrow(
            "AwsRegion wrong-cloud: region usc1 is cloud 'gcp', not aws",
        );
    });

    test("unknown add-on overrides, an untagged controller image and a mismatched autoscaler are named together", () => {
        const region: AwsRegionConfig = { ...awsRegionConfig(config, "use1"), addons: { corends: "v1.12.1-eksbuild.2" } };
        const images = {
            ...config.images,
            awsLoadBalancerController: `public.ecr.aws/eks/aws-load-balancer-controller@sha256:${"a".repeat(64)}`,
            clusterAutoscaler: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.1",
        };
        expect(() => new AwsRegion("bad-region", { region, config: { ...config, images } })).toThrow(
            "AwsRegion bad-region: regions[use1].addons.corends is not a managed add-on of this program (vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver, cert-manager); " +
                `images.awsLoadBalancerController 'public.ecr.aws/eks/aws-load-balancer-controller@sha256:${"a".repeat(64)}' must carry a vX.Y.Z tag (its CRDs are installed for that release); ` +
                "images.clusterAutoscaler 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.1' is for Kubernetes 1.31 but regions[use1].kubernetesVersion is 1.35; use registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.<patch>",
        );
    });

    test("an add-on version override wins over the default", async () => {
        const region: AwsRegionConfig = {
            ...awsRegionConfig(config, "use1"),
            name: "ovr",
            addons: { coredns: "v1.12.2-eksbuild.4", "cert-manager": "v1.18.2-eksbuild.1" },
        };
        const overridden = new AwsRegion("ovr", { region, config });
        await promiseOf(overridden.cluster.endpoint);
        await settle();
        expect(one("ovr-eks-coredns").inputs["addonVersion"]).toBe("v1.12.2-eksbuild.4");
        expect(one("ovr-eks-cert-manager").inputs["addonVersion"]).toBe("v1.18.2-eksbuild.1");
        expect(one("ovr-eks-kube-proxy").inputs["addonVersion"]).toBe(defaults.aws.addons["kube-proxy"]);
    });

    test("a VPC CIDR with host bits or too small for its zones is refused", () => {
        expect(() => new AwsNetwork("bad-net", { region: "us-east-1", vpcCidr: "10.10.1.0/16", azCount: 3, clusterName: "c" })).toThrow(
            "AwsNetwork bad-net: vpcCidr has host bits set; use the network address 10.10.0.0/16",
        );
        expect(() => new AwsNetwork("tiny-net", { region: "us-east-1", vpcCidr: "10.0.0.0/26", azCount: 3, clusterName: "c" })).toThrow(
            "AwsNetwork tiny-net: vpcCidr 10.0.0.0/26 is too small for 3 zones: public subnets would be /30, AWS's smallest is /28",
        );
        expect(() => new AwsNetwork("one-zone", { region: "us-east-1", vpcCidr: "10.0.0.0/16", azCount: 1, clusterName: "c" })).toThrow(
            "AwsNetwork one-zone: azCount must be at least 2 (EKS needs subnets in two zones), got 1",
        );
    });

    test("a GPU pool with impossible sizes or mixed GPU counts is refused", () => {
        const pool = {
            name: "mixed",
            instanceTypes: ["g6.xlarge", "g6.12xlarge"],
            minNodes: 3,
            maxNodes: 2,
            desiredNodes: 5,
            capacity: "on-demand" as const,
            diskSizeGb: 40,
        };
        expect(
            () =>
                new GpuNodePool("bad-pool", {
                    region: "us-east-1",
                    clusterName: "c",
                    kubernetesVersion: "1.33",
                    nodeRoleArn: "arn",
                    subnetIds: ["s"],
                    subnetZones: [],
                    pool,
                    shape: { gpusPerNode: 1, gpuModel: "nvidia-l4" },
                }),
        ).toThrow(
            "GpuNodePool bad-pool: pool.instanceTypes: 'g6.12xlarge' has 4 GPU(s), the pool's nodes have 1; pool.diskSizeGb must be at least 50 (GiB) for the NVIDIA AMI and model images, got 40; " +
                "subnetZones has 0 entries for 1 subnets; give each subnet's zone",
        );
    });

    test("an EKS cluster without pinned add-on versions or with a bad key window is refused", () => {
        const args = {
            region: "us-east-1",
            clusterName: "bad cluster",
            kubernetesVersion: "1.33",
            privateSubnetIds: ["a", "b"],
            endpointPublicAccessCidrs: [],
            adminRoleArn: "arn:aws:iam::111122223333:role/admin",
            logTypes: ["api"],
            addonVersions: { "vpc-cni": "v1" },
            systemPool: { instanceTypes: ["m7i.large"], minNodes: 1, maxNodes: 2, desiredNodes: 3, diskSizeGb: 50 },
            protect: false,
            kmsDeletionWindowDays: 3,
        };
        expect(() => new EksCluster("bad-eks", args)).toThrow(
            "EksCluster bad-eks: clusterName 'bad cluster' must be 1-100 letters, digits, '-' or '_', starting with a letter or digit; " +
                "addonVersions lacks kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver; addonVersions.vpc-cni 'v1' must look like v1.19.5-eksbuild.1; " +
                "kmsDeletionWindowDays must be 7-30, got 3",
        );
    });
});

describe("bad input, continued", () => {
    test("a VPC CNI older than 1.14 is refused: it cannot enforce NetworkPolicies", () => {
        const addonVersions = { ...defaults.aws.addons, "vpc-cni": "v1.13.4-eksbuild.1" };
        expect(
            () =>
                new EksCluster("old-cni", {
                    region: "us-east-1",
                    clusterName: "c1",
                    kubernetesVersion: "1.33",
                    privateSubnetIds: ["a", "b"],
                    endpointPublicAccessCidrs: [],
                    adminRoleArn: "arn:aws:iam::111122223333:role/admin",
                    logTypes: ["api"],
                    addonVersions,
                    systemPool: { instanceTypes: ["m7i.large"], minNodes: 1, maxNodes: 2, desiredNodes: 1, diskSizeGb: 50 },
                    protect: false,
                }),
        ).toThrow(
            "EksCluster old-cni: addonVersions.vpc-cni 'v1.13.4-eksbuild.1' cannot enforce NetworkPolicies; use v1.14.0-eksbuild.3 or later",
        );
    });
});

describe("control-plane logs", () => {
    test("go to a log group encrypted with a key only CloudWatch Logs may use, for that group only", () => {
        const group = one("use1-eks-control-plane-logs");
        expect(input(group, "name")).toBe("/aws/eks/modelfleet-test-use1/cluster");
        expect(input(group, "kmsKeyId")).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/use1-eks-logs-key/);
        const key = one("use1-eks-logs-key");
        expect(input(key, "enableKeyRotation")).toBe(true);
        const policy = JSON.parse(input<string>(key, "policy")) as { Statement: Array<Record<string, unknown>> };
        expect(policy.Statement[1]).toEqual({
            Sid: "CloudWatchLogsForThisGroup",
            Effect: "Allow",
            Principal: { Service: "logs.us-east-1.amazonaws.com" },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnEquals: {
                    "kms:EncryptionContext:aws:logs:arn":
                        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/eks/modelfleet-test-use1/cluster",
                },
            },
        });
    });
});

describe("Session Manager on nodes", () => {
    test("a cluster built with nodeSsmAccess grants AmazonSSMManagedInstanceCore to its nodes", async () => {
        new EksCluster("ssm", {
            region: "us-east-1",
            clusterName: "ssm",
            kubernetesVersion: "1.35",
            privateSubnetIds: ["a", "b"],
            endpointPublicAccessCidrs: [],
            adminRoleArn: "arn:aws:iam::111122223333:role/admin",
            logTypes: ["api"],
            addonVersions: { ...defaults.aws.addons },
            systemPool: { instanceTypes: ["m7i.large"], minNodes: 1, maxNodes: 2, desiredNodes: 1, diskSizeGb: 50 },
            protect: false,
            nodeSsmAccess: true,
        });
        await settle();
        const grants = mocks.resources
            .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("ssm-node-"))
            .map((r) => r.inputs["policyArn"]);
        expect(grants).toContain("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    });
});

describe("pure helpers", () => {
    test("a GPU pool's subnets are those whose zone offers all of its types", () => {
        const offered = {
            instanceTypes: ["g6.xlarge", "g6.xlarge", "g6.2xlarge", "g6.2xlarge"],
            locations: ["us-east-1a", "us-east-1b", "us-east-1b", "us-east-1d"],
        };
        expect(offeringSubnetIndexes(["g6.xlarge", "g6.2xlarge"], offered, ["us-east-1a", "us-east-1b", "us-east-1d"])).toEqual([1]);
        expect(offeringSubnetIndexes(["g6.xlarge"], offered, ["us-east-1a", "us-east-1b", "us-east-1d"])).toEqual([0, 1]);
        expect(offeringSubnetIndexes(["p5.48xlarge"], offered, ["us-east-1a"])).toEqual([]);
        expect(noOfferingMessage("use1-gpu-h100", "us-east-1", ["p5.48xlarge", "g6.xlarge"], offered, ["us-east-1d", "us-east-1f"])).toBe(
            "GpuNodePool use1-gpu-h100: no zone of the cluster (us-east-1d, us-east-1f) offers all of p5.48xlarge, g6.xlarge in us-east-1 " +
                "(EC2 offers p5.48xlarge: nowhere; g6.xlarge: us-east-1a, us-east-1b); choose instance types offered in one of the cluster's zones, or a region that has them",
        );
    });

    test("the Pod Identity trust policy names the account, cluster, namespace and service account", () => {
        expect(podIdentityTrustPolicy({ accountId: "1", clusterName: "c", namespace: "ns", serviceAccount: "sa" }).Statement).toEqual([
            {
                Sid: "EksPodIdentityForOneServiceAccount",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": "1",
                        "aws:RequestTag/eks-cluster-name": "c",
                        "aws:RequestTag/kubernetes-namespace": "ns",
                        "aws:RequestTag/kubernetes-service-account": "sa",
                    },
                },
            },
        ]);
    });

    test("subnet layout for two, three and four zones", () => {
        expect(subnetLayout("10.10.0.0/16", 3)).toEqual({
            privateCidrs: ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"],
            publicCidrs: ["10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20"],
        });
        expect(subnetLayout("10.20.0.0/16", 2)).toEqual({
            privateCidrs: ["10.20.0.0/18", "10.20.64.0/18"],
            publicCidrs: ["10.20.192.0/19", "10.20.224.0/19"],
        });
        expect(subnetLayout("192.168.0.0/20", 4).privateCidrs).toEqual([
            "192.168.0.0/23",
            "192.168.2.0/23",
            "192.168.4.0/23",
            "192.168.6.0/23",
        ]);
        expect(subnetLayout("192.168.0.0/20", 4).publicCidrs).toEqual([
            "192.168.14.0/25",
            "192.168.14.128/25",
            "192.168.15.0/25",
            "192.168.15.128/25",
        ]);
        expect(vpcCidrProblems("10.0.0.0/12", 3)).toEqual(["is /12; an AWS VPC must be between /16 and /28"]);
        expect(vpcCidrProblems("10.0.0.0/16", 3)).toEqual([]);
    });

    test("kubeconfig authenticates through aws eks get-token as the admin role", () => {
        const doc = JSON.parse(
            eksKubeconfig({
                clusterName: "c1",
                endpoint: "https://x",
                certificateAuthorityData: "Q0E=",
                region: "eu-west-1",
                roleArn: "arn:aws:iam::1:role/admin",
            }),
        );
        expect(doc.clusters[0].cluster).toEqual({ server: "https://x", "certificate-authority-data": "Q0E=" });
        expect(doc.users[0].user.exec).toEqual({
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
                "eks",
                "get-token",
                "--cluster-name",
                "c1",
                "--region",
                "eu-west-1",
                "--output",
                "json",
                "--role-arn",
                "arn:aws:iam::1:role/admin",
            ],
            interactiveMode: "Never",
        });
    });

    test("controller versions come from vX.Y.Z tags only", () => {
        expect(controllerVersion("public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3")).toBe("v2.13.3");
        expect(controllerVersion(`public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3@sha256:${"b".repeat(64)}`)).toBe("v2.13.3");
        expect(controllerVersion("public.ecr.aws/eks/aws-load-balancer-controller:2.13")).toBeUndefined();
    });
});
