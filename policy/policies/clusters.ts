/**
 * Control planes and nodes: EKS endpoints not open to the world and secrets encrypted with
 * a KMS key; GKE with Workload Identity and shielded, secure-booted nodes.
 */
import { flag, forTypes, get, isSet, strings, type GuardPolicy } from "./util";

const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

const eksEndpointNotPublic: GuardPolicy = {
    name: "eks-endpoint-not-public",
    description: "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([EKS_CLUSTER], (cluster, args, report) => {
        // EKS defaults to a public endpoint open to 0.0.0.0/0.
        if (flag(get(cluster, "vpcConfig", "endpointPublicAccess")) === false) return;
        const cidrs = strings(get(cluster, "vpcConfig", "publicAccessCidrs"));
        if (cidrs.length === 0) {
            report(`EKS cluster ${args.name} has a public endpoint without publicAccessCidrs, so it is open to 0.0.0.0/0.`);
        } else {
            const open = cidrs.filter((c) => OPEN_CIDRS.includes(c));
            if (open.length > 0) report(`EKS cluster ${args.name} opens its public endpoint to ${open.join(", ")}.`);
        }
    }),
};

const eksSecretsEncryption: GuardPolicy = {
    name: "eks-secrets-encryption",
    description: 'EKS encrypts Kubernetes secrets with a KMS key (encryptionConfig for "secrets").',
    enforcementLevel: "mandatory",
    validateResource: forTypes([EKS_CLUSTER], (cluster, args, report) => {
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
    validateResource: forTypes([GKE_CLUSTER], (cluster, args, report) => {
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
    validateResource: forTypes([GKE_CLUSTER], (cluster, args, report) => {
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
    validateResource: forTypes([GKE_NODE_POOL], (pool, args, report) => {
        if (flag(get(pool, "nodeConfig", "shieldedInstanceConfig", "enableSecureBoot")) !== true) {
            report(`GKE node pool ${args.name} does not set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true.`);
        }
    }),
};

export const clusterPolicies: GuardPolicy[] = [
    eksEndpointNotPublic,
    eksSecretsEncryption,
    gkeWorkloadIdentity,
    gkeShieldedNodes,
    gkeNodePoolSecureBoot,
];
