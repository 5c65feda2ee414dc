/**
 * Control planes and nodes: EKS and GKE endpoints not open to the world, EKS secrets
 * encrypted with a KMS key, GKE with Workload Identity and shielded, secure-booted nodes,
 * and in prod clusters that neither the cloud nor Pulumi will delete.
 */
import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks/cluster";
import type { ClusterArgs as GkeClusterArgs } from "@pulumi/gcp/container/cluster";
import type { NodePoolArgs } from "@pulumi/gcp/container/nodePool";
import {
    DECOMMISSION_MARKER,
    flag,
    forTypes,
    get,
    inputsOf,
    isRecord,
    isSet,
    list,
    markedForRemoval,
    setting,
    settingsOf,
    strings,
    type GuardPolicy,
} from "./util";

const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
/** A block that admits every address: 0.0.0.0/0, ::/0, or any address with a /0 prefix. */
function isOpenToTheWorld(cidr: string): boolean {
    return cidr.endsWith("/0");
}

const eksEndpointNotPublic: GuardPolicy = {
    name: "eks-endpoint-not-public",
    description: "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0).",
    enforcementLevel: "mandatory",
    validateResource: forTypes<EksClusterArgs>([EKS_CLUSTER], (cluster, args, report) => {
        // EKS defaults to a public endpoint open to 0.0.0.0/0.
        if (flag(get(cluster, "vpcConfig", "endpointPublicAccess")) === false) return;
        const cidrs = strings(get(cluster, "vpcConfig", "publicAccessCidrs"));
        if (cidrs.length === 0) {
            report(`EKS cluster ${args.name} has a public endpoint without publicAccessCidrs, so it is open to 0.0.0.0/0.`);
        } else {
            const open = cidrs.filter(isOpenToTheWorld);
            if (open.length > 0) report(`EKS cluster ${args.name} opens its public endpoint to ${open.join(", ")}.`);
        }
    }),
};

const eksSecretsEncryption: GuardPolicy = {
    name: "eks-secrets-encryption",
    description: 'EKS encrypts Kubernetes secrets with a KMS key (encryptionConfig for "secrets").',
    enforcementLevel: "mandatory",
    validateResource: forTypes<EksClusterArgs>([EKS_CLUSTER], (cluster, args, report) => {
        const config = get(cluster, "encryptionConfig");
        if (!strings(get(config, "resources")).includes("secrets")) {
            report(`EKS cluster ${args.name} has no encryptionConfig covering "secrets".`);
        } else if (!isSet(get(config, "provider"), "keyArn")) {
            report(`EKS cluster ${args.name} encrypts secrets but names no provider.keyArn.`);
        }
    }),
};

const gkeWorkloadIdentity: GuardPolicy = {
    name: "gke-workload-identity",
    description: "GKE clusters enable Workload Identity, so pods never use the node's service account.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<GkeClusterArgs>([GKE_CLUSTER], (cluster, args, report) => {
        // Autopilot always runs Workload Identity.
        if (flag(cluster.enableAutopilot) === true) return;
        if (!isSet(get(cluster, "workloadIdentityConfig"), "workloadPool")) {
            report(`GKE cluster ${args.name} sets no workloadIdentityConfig.workloadPool.`);
        }
    }),
};

const gkeShieldedNodes: GuardPolicy = {
    name: "gke-shielded-nodes",
    description: "GKE clusters explicitly enable shielded nodes.",
    enforcementLevel: "mandatory",
    validateResource: forTypes<GkeClusterArgs>([GKE_CLUSTER], (cluster, args, report) => {
        if (flag(cluster.enableAutopilot) === true) return;
        if (flag(cluster.enableShieldedNodes) !== true) {
            report(`GKE cluster ${args.name} does not set enableShieldedNodes: true.`);
        }
    }),
};

const gkeNodePoolSecureBoot: GuardPolicy = {
    name: "gke-node-pool-secure-boot",
    description: "GKE node pools boot with Secure Boot (shielded instance config).",
    enforcementLevel: "mandatory",
    validateResource: forTypes<NodePoolArgs>([GKE_NODE_POOL], (pool, args, report) => {
        if (flag(get(pool, "nodeConfig", "shieldedInstanceConfig", "enableSecureBoot")) !== true) {
            report(`GKE node pool ${args.name} does not set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true.`);
        }
    }),
};

const gkeMasterAuthorizedNetworksNotOpen: GuardPolicy = {
    name: "gke-master-authorized-networks-not-open",
    description:
        "A GKE control plane with a public endpoint admits only listed networks: never 0.0.0.0/0, every Google Cloud IP, or anyone (no authorized networks).",
    // Mandatory in prod; policy/config/dev.json lowers it to advisory so a dev cluster is flagged, not blocked.
    enforcementLevel: "mandatory",
    validateResource: forTypes<GkeClusterArgs>([GKE_CLUSTER], (cluster, args, report) => {
        // With a private endpoint only, the public endpoint does not exist.
        if (flag(get(cluster, "privateClusterConfig", "enablePrivateEndpoint")) === true) return;
        const config = get(cluster, "masterAuthorizedNetworksConfig");
        if (!isRecord(config)) {
            report(`GKE cluster ${args.name} has a public endpoint and no masterAuthorizedNetworksConfig, so it is open to 0.0.0.0/0.`);
            return;
        }
        const open = strings(list(get(config, "cidrBlocks")).map((b) => get(b, "cidrBlock"))).filter(isOpenToTheWorld);
        if (open.length > 0) report(`GKE cluster ${args.name} authorizes ${open.join(", ")} on its public endpoint: open to the world.`);
        // GKE's default (true) lets every Google Cloud public IP, anyone's VM included, reach the endpoint.
        if (flag(get(config, "gcpPublicCidrsAccessEnabled")) !== false) {
            report(
                `GKE cluster ${args.name} does not set masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled: false, so any Google Cloud IP reaches its endpoint.`,
            );
        }
    }),
};

const deletionProtectionDefaults = { requireDeletionProtection: false };

const clusterDeletionProtection: GuardPolicy = {
    name: "cluster-deletion-protection",
    description:
        "With requireDeletionProtection (prod), EKS and GKE clusters set the cloud's deletion protection and Pulumi's protect option, unless tagged (EKS) or labelled (GKE) modelfleet-decommission=true while their region is removed.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requireDeletionProtection: setting.boolean(
                "Require deletion protection on clusters (true in prod).",
                deletionProtectionDefaults.requireDeletionProtection,
            ),
        },
    },
    validateResource: forTypes<EksClusterArgs | GkeClusterArgs>([EKS_CLUSTER, GKE_CLUSTER], (cluster, args, report) => {
        const { requireDeletionProtection } = settingsOf(args, deletionProtectionDefaults);
        if (!requireDeletionProtection) args.notApplicable("requireDeletionProtection is off for this stack");
        // Removing a region lifts its protection on purpose, marked on the cluster for review.
        const marks =
            args.type === EKS_CLUSTER ? inputsOf<EksClusterArgs>(args.props).tags : inputsOf<GkeClusterArgs>(args.props).resourceLabels;
        if (markedForRemoval(marks)) {
            args.notApplicable(`marked ${DECOMMISSION_MARKER}=true: its region is being removed`);
        }
        // aws.eks.Cluster defaults deletionProtection to false; gcp.container.Cluster (v5+) to true.
        const setting = flag(cluster.deletionProtection);
        const cloudProtected = args.type === EKS_CLUSTER ? setting === true : setting !== false;
        if (!cloudProtected) report(`cluster ${args.name} does not set deletionProtection: true, so the cloud lets it be deleted.`);
        if (args.opts.protect !== true) report(`cluster ${args.name} is not protected; set the resource option protect: true.`);
    }),
};

export const clusterPolicies: GuardPolicy[] = [
    eksEndpointNotPublic,
    eksSecretsEncryption,
    gkeWorkloadIdentity,
    gkeShieldedNodes,
    gkeNodePoolSecureBoot,
    gkeMasterAuthorizedNetworksNotOpen,
    clusterDeletionProtection,
];
