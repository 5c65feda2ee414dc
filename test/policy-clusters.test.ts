import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks/cluster";
import type { ClusterArgs as GkeClusterArgs } from "@pulumi/gcp/container/cluster";
import type { NodePoolArgs } from "@pulumi/gcp/container/nodePool";
import type { Unwrap } from "@pulumi/pulumi";
import { clusterPolicies } from "../policy/policies";
import { cloud, testPolicies, UNKNOWN } from "./policy-harness";

const eks = (inputs: Partial<Unwrap<EksClusterArgs>>) =>
    cloud("aws:eks/cluster:Cluster", "use1", {
        roleArn: "arn:aws:iam::111122223333:role/eks",
        vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], endpointPrivateAccess: true, endpointPublicAccess: false },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } },
        ...inputs,
    } satisfies Unwrap<EksClusterArgs>);

const gke = (inputs: Partial<Unwrap<GkeClusterArgs>>) =>
    cloud("gcp:container/cluster:Cluster", "usc1", {
        location: "us-central1",
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        enableShieldedNodes: true,
        workloadIdentityConfig: { workloadPool: "modelfleet-prod.svc.id.goog" },
        ...inputs,
    } satisfies Unwrap<GkeClusterArgs>);

const nodePool = (inputs: Partial<Unwrap<NodePoolArgs>>) =>
    cloud("gcp:container/nodePool:NodePool", "gpu", { cluster: "usc1", ...inputs } satisfies Unwrap<NodePoolArgs>);

testPolicies(clusterPolicies, {
    "eks-endpoint-not-public": {
        reject: [
            {
                title: "public by default",
                resources: eks({ vpcConfig: { subnetIds: ["subnet-1"] } }),
                message: "has a public endpoint without publicAccessCidrs, so it is open to 0.0.0.0/0",
            },
            {
                title: "public to the world",
                resources: eks({
                    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] },
                }),
                message: "opens its public endpoint to 0.0.0.0/0",
            },
            {
                title: "public to every IPv6 address",
                resources: eks({
                    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "::/0"] },
                }),
                message: "opens its public endpoint to ::/0",
            },
        ],
        accept: [
            { title: "private endpoint", resources: eks({}) },
            {
                title: "public to an office range",
                resources: eks({
                    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
                }),
            },
        ],
    },
    "eks-secrets-encryption": {
        reject: [
            {
                title: "no encryption config",
                resources: eks({ encryptionConfig: undefined }),
                message: 'has no encryptionConfig covering "secrets"',
            },
            {
                title: "no key",
                resources: eks({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: "" } } }),
                message: "names no provider.keyArn",
            },
        ],
        accept: [
            { title: "a key unknown at preview", resources: eks({}) },
            {
                title: "a known key",
                resources: eks({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:1:key/k" } } }),
            },
        ],
    },
    "gke-workload-identity": {
        reject: [
            {
                title: "no workload pool",
                resources: gke({ workloadIdentityConfig: undefined }),
                message: "sets no workloadIdentityConfig.workloadPool",
            },
        ],
        accept: [
            { title: "workload pool", resources: gke({}) },
            { title: "Autopilot", resources: gke({ enableAutopilot: true, workloadIdentityConfig: undefined }) },
        ],
    },
    "gke-shielded-nodes": {
        reject: [
            {
                title: "left to default",
                resources: gke({ enableShieldedNodes: undefined }),
                message: "does not set enableShieldedNodes: true",
            },
        ],
        accept: [{ title: "explicit", resources: gke({}) }],
    },
    "gke-node-pool-secure-boot": {
        reject: [
            {
                title: "no shielded config",
                resources: nodePool({ nodeConfig: { machineType: "g2-standard-8" } }),
                message: "does not set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true",
            },
        ],
        accept: [
            {
                title: "secure boot",
                resources: nodePool({
                    nodeConfig: {
                        machineType: "g2-standard-8",
                        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                    },
                }),
            },
        ],
    },
});
