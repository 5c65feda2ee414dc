import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks/cluster";
import type { ClusterArgs as GkeClusterArgs } from "@pulumi/gcp/container/cluster";
import type { NodePoolArgs } from "@pulumi/gcp/container/nodePool";
import type { Unwrap } from "@pulumi/pulumi";
import { clusterPolicies } from "../policy/policies";
import { evaluatePolicies, loadPolicyConfig, stackPolicyConfigPath } from "../tools/policy-runner";
import { cloud, notApplicableReason, testPolicies, UNKNOWN } from "./policy-harness";

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

const authorized = (cidrs: string[], gcpPublicCidrsAccessEnabled = false) =>
    gke({
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
        masterAuthorizedNetworksConfig: {
            cidrBlocks: cidrs.map((cidrBlock) => ({ cidrBlock, displayName: "net" })),
            gcpPublicCidrsAccessEnabled,
        },
    });
/** policy/config/prod.json's setting. */
const PROD_DELETION = { requireDeletionProtection: true };
const protectedOpts = { opts: { protect: true } };

const nodePool = (inputs: Partial<Unwrap<NodePoolArgs>>) =>
    cloud("gcp:container/nodePool:NodePool", "gpu", { cluster: "usc1", ...inputs } satisfies Unwrap<NodePoolArgs>);

testPolicies(clusterPolicies, {
    "eks-endpoint-not-public": {
        fields: ["vpcConfig.endpointPublicAccess", "vpcConfig.publicAccessCidrs"],
        reject: [
            {
                title: "public by default",
                field: "vpcConfig.endpointPublicAccess",
                resources: eks({ vpcConfig: { subnetIds: ["subnet-1"] } }),
                message: "has a public endpoint without publicAccessCidrs, so it is open to 0.0.0.0/0",
            },
            {
                title: "public to the world",
                field: "vpcConfig.publicAccessCidrs",
                resources: eks({
                    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] },
                }),
                message: "opens its public endpoint to 0.0.0.0/0",
            },
            {
                title: "public to any /0 block",
                field: "vpcConfig.publicAccessCidrs",
                resources: eks({
                    vpcConfig: {
                        subnetIds: ["subnet-1"],
                        endpointPublicAccess: true,
                        publicAccessCidrs: ["0.0.0.0/0", "::/0", "10.1.2.3/0"],
                    },
                }),
                message: "EKS cluster use1 opens its public endpoint to 0.0.0.0/0, ::/0, 10.1.2.3/0.",
            },
            {
                title: "public to every IPv6 address",
                field: "vpcConfig.publicAccessCidrs",
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
        fields: ["encryptionConfig.resources", "encryptionConfig.provider.keyArn"],
        reject: [
            {
                title: "no encryption config",
                field: "encryptionConfig.resources",
                resources: eks({ encryptionConfig: undefined }),
                message: 'has no encryptionConfig covering "secrets"',
            },
            {
                title: "no key",
                field: "encryptionConfig.provider.keyArn",
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
        fields: ["enableAutopilot", "workloadIdentityConfig.workloadPool"],
        reject: [
            {
                title: "no workload pool",
                field: "workloadIdentityConfig.workloadPool",
                resources: gke({ workloadIdentityConfig: undefined }),
                message: "sets no workloadIdentityConfig.workloadPool",
            },
            {
                title: "Autopilot off still needs a pool",
                field: "enableAutopilot",
                resources: gke({ enableAutopilot: false, workloadIdentityConfig: undefined }),
                message: "GKE cluster usc1 sets no workloadIdentityConfig.workloadPool.",
            },
        ],
        accept: [
            { title: "workload pool", resources: gke({}) },
            { title: "Autopilot", resources: gke({ enableAutopilot: true, workloadIdentityConfig: undefined }) },
        ],
    },
    "gke-shielded-nodes": {
        fields: ["enableAutopilot", "enableShieldedNodes"],
        reject: [
            {
                title: "left to default",
                field: "enableShieldedNodes",
                resources: gke({ enableShieldedNodes: undefined }),
                message: "does not set enableShieldedNodes: true",
            },
            {
                title: "turned off",
                field: "enableShieldedNodes",
                resources: gke({ enableShieldedNodes: false }),
                message: "GKE cluster usc1 does not set enableShieldedNodes: true.",
            },
            {
                title: "Autopilot off still needs them",
                field: "enableAutopilot",
                resources: gke({ enableAutopilot: false, enableShieldedNodes: undefined }),
                message: "GKE cluster usc1 does not set enableShieldedNodes: true.",
            },
        ],
        accept: [
            { title: "explicit", resources: gke({}) },
            { title: "Autopilot", resources: gke({ enableAutopilot: true, enableShieldedNodes: undefined }) },
        ],
    },
    "gke-master-authorized-networks-not-open": {
        fields: [
            "privateClusterConfig.enablePrivateEndpoint",
            "masterAuthorizedNetworksConfig",
            "masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock",
            "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled",
        ],
        reject: [
            {
                title: "0.0.0.0/0 authorized",
                field: "masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock",
                resources: authorized(["203.0.113.0/24", "0.0.0.0/0"]),
                message: "GKE cluster usc1 authorizes 0.0.0.0/0 on its public endpoint: open to the world.",
            },
            {
                title: "any /0 authorized",
                field: "masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock",
                resources: authorized(["10.1.2.3/0"]),
                message: "authorizes 10.1.2.3/0 on its public endpoint",
            },
            {
                title: "both address families open",
                field: "masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock",
                resources: authorized(["0.0.0.0/0", "203.0.113.0/24", "::/0"]),
                message: "GKE cluster usc1 authorizes 0.0.0.0/0, ::/0 on its public endpoint: open to the world.",
            },
            {
                title: "no authorized networks on a public endpoint",
                field: "masterAuthorizedNetworksConfig",
                resources: gke({}),
                message: "has a public endpoint and no masterAuthorizedNetworksConfig, so it is open to 0.0.0.0/0.",
            },
            {
                title: "private nodes but a public endpoint",
                field: "privateClusterConfig.enablePrivateEndpoint",
                resources: gke({
                    privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
                }),
                message: "GKE cluster usc1 has a public endpoint and no masterAuthorizedNetworksConfig, so it is open to 0.0.0.0/0.",
            },
            {
                title: "every Google Cloud IP admitted (GKE's default)",
                field: "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled",
                resources: authorized(["203.0.113.0/24"], true),
                message: "does not set masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled: false",
            },
        ],
        accept: [
            { title: "an office range only", resources: authorized(["203.0.113.0/24"]) },
            {
                title: "private endpoint only",
                resources: gke({
                    privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: "172.16.0.0/28" },
                }),
            },
        ],
    },
    "cluster-deletion-protection": {
        fields: ["deletionProtection", "opts.protect", 'tags["modelfleet-decommission"]', 'resourceLabels["modelfleet-decommission"]'],
        reject: [
            {
                title: "EKS without deletion protection in prod",
                field: "deletionProtection",
                resources: cloud(
                    "aws:eks/cluster:Cluster",
                    "use1-cluster",
                    { roleArn: "arn:aws:iam::111122223333:role/eks", vpcConfig: { subnetIds: ["s"] } } satisfies Unwrap<EksClusterArgs>,
                    protectedOpts,
                ),
                settings: PROD_DELETION,
                message: "cluster use1-cluster does not set deletionProtection: true, so the cloud lets it be deleted.",
            },
            {
                title: "GKE with deletion protection turned off in prod",
                field: "deletionProtection",
                resources: cloud(
                    "gcp:container/cluster:Cluster",
                    "usc1-cluster",
                    { location: "us-central1", deletionProtection: false } satisfies Unwrap<GkeClusterArgs>,
                    protectedOpts,
                ),
                settings: PROD_DELETION,
                message: "cluster usc1-cluster does not set deletionProtection: true",
            },
            {
                title: "protected by the cloud but not by Pulumi",
                field: "opts.protect",
                resources: eks({ deletionProtection: true }),
                settings: PROD_DELETION,
                message: "cluster use1 is not protected; set the resource option protect: true.",
            },
            {
                title: "unprotected EKS whose removal marker is not 'true'",
                field: 'tags["modelfleet-decommission"]',
                resources: eks({ deletionProtection: false, tags: { "modelfleet-decommission": "false" } }),
                settings: PROD_DELETION,
                message: "cluster use1 does not set deletionProtection: true, so the cloud lets it be deleted.",
            },
            {
                title: "unprotected GKE whose removal label is not 'true'",
                field: 'resourceLabels["modelfleet-decommission"]',
                resources: gke({ deletionProtection: false, resourceLabels: { "modelfleet-decommission": "yes" } }),
                settings: PROD_DELETION,
                message: "cluster usc1 does not set deletionProtection: true, so the cloud lets it be deleted.",
            },
        ],
        accept: [
            {
                title: "EKS protected both ways in prod",
                resources: cloud(
                    "aws:eks/cluster:Cluster",
                    "use1-cluster",
                    {
                        roleArn: "arn:aws:iam::111122223333:role/eks",
                        vpcConfig: { subnetIds: ["s"] },
                        deletionProtection: true,
                    } satisfies Unwrap<EksClusterArgs>,
                    protectedOpts,
                ),
                settings: PROD_DELETION,
            },
            {
                title: "GKE protected both ways in prod",
                resources: cloud(
                    "gcp:container/cluster:Cluster",
                    "usc1-cluster",
                    { location: "us-central1", deletionProtection: true } satisfies Unwrap<GkeClusterArgs>,
                    protectedOpts,
                ),
                settings: PROD_DELETION,
            },
            {
                // GKE's provider defaults deletionProtection to true.
                title: "GKE left to its default in prod",
                resources: cloud(
                    "gcp:container/cluster:Cluster",
                    "usc1-cluster",
                    { location: "us-central1" } satisfies Unwrap<GkeClusterArgs>,
                    protectedOpts,
                ),
                settings: PROD_DELETION,
            },
            { title: "not required in dev", resources: eks({ deletionProtection: false }) },
            {
                title: "EKS of a region marked for removal, unprotected",
                resources: eks({ deletionProtection: false, tags: { "modelfleet-decommission": "true" } }),
                settings: PROD_DELETION,
            },
            {
                title: "GKE of a region marked for removal, unprotected",
                resources: cloud("gcp:container/cluster:Cluster", "usc1-cluster", {
                    location: "us-central1",
                    deletionProtection: false,
                    resourceLabels: { "modelfleet-decommission": "true" },
                } satisfies Unwrap<GkeClusterArgs>),
                settings: PROD_DELETION,
            },
        ],
    },
    "gke-node-pool-secure-boot": {
        fields: ["nodeConfig.shieldedInstanceConfig.enableSecureBoot"],
        reject: [
            {
                title: "no shielded config",
                field: "nodeConfig.shieldedInstanceConfig.enableSecureBoot",
                resources: nodePool({ nodeConfig: { machineType: "g2-standard-8" } }),
                message: "does not set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true",
            },
            {
                title: "secure boot off",
                field: "nodeConfig.shieldedInstanceConfig.enableSecureBoot",
                resources: nodePool({
                    nodeConfig: {
                        machineType: "g2-standard-8",
                        shieldedInstanceConfig: { enableSecureBoot: false, enableIntegrityMonitoring: true },
                    },
                }),
                message: "GKE node pool gpu does not set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true.",
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

describe("gke-master-authorized-networks-not-open follows the environment's policy config", () => {
    const open = authorized(["0.0.0.0/0"]);
    it.each([
        ["prod", "mandatory"],
        ["dev", "advisory"],
    ])("%s: %s", async (environment, level) => {
        const config = loadPolicyConfig(stackPolicyConfigPath(environment));
        const report = await evaluatePolicies([open], { config });
        const found = report.violations.filter((v) => v.policy === "gke-master-authorized-networks-not-open");
        expect(found.map((v) => v.level)).toEqual([level]);
    });
});

describe("why a cluster policy does not apply", () => {
    test("deletion protection is off outside prod", () => {
        expect(notApplicableReason("cluster-deletion-protection", eks({}))).toBe("requireDeletionProtection is off for this stack");
        expect(notApplicableReason("cluster-deletion-protection", eks({}), PROD_DELETION)).toBeUndefined();
    });
});
