import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { POOL_LABEL, SYSTEM_POOL } from "../k8s/nodeLabels";
import { nodeLaunchTemplate } from "./launchTemplate";
import { managedPolicyArn, PodIdentityRole } from "./podIdentityRole";

/** EKS managed add-ons every cluster runs; the first five must have a pinned version. */
export const PINNED_ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver"] as const;
/**
 * cert-manager (an EKS community add-on) issues the AWS Load Balancer Controller's webhook
 * certificate. Pin it with the `cert-manager` add-on override; without one it follows the
 * default version EKS names for the cluster's Kubernetes version.
 */
export const CERT_MANAGER_ADDON = "cert-manager";
export const KNOWN_ADDONS: readonly string[] = [...PINNED_ADDONS, CERT_MANAGER_ADDON];

/**
 * The VPC CNI's settings. Network policy enforcement is opt-in: without it every NetworkPolicy
 * the serving stack applies is accepted and ignored. The add-on then runs the network policy
 * agent beside the CNI in the aws-node pods; the agent calls no AWS API (only its optional
 * CloudWatch log export would need IAM), and the AL2023 AMIs have the kernel (5.10+) and BPF
 * file system it needs. Standard mode: a new pod starts allow-all until its policies are in
 * place, so CoreDNS and add-on pods need no policies of their own.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;
/** The first VPC CNI release that enforces NetworkPolicies. */
export const VPC_CNI_NETWORK_POLICY_MIN = { major: 1, minor: 14 } as const;
/** Service accounts the managed add-ons run as; their Pod Identity roles admit only these. */
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "aws-node" } as const;
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;

export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** Read-only access to most Kubernetes objects (not Secrets): what a preview needs (EKS access policies, AmazonEKSViewPolicy). */
export const CLUSTER_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/** The CPU pool for controllers, CoreDNS and the gateway. */
export interface SystemPoolArgs {
    /** On-demand instance types, e.g. m7i.large. */
    instanceTypes: string[];
    /** Fewest nodes, at least 1 (CoreDNS and the controllers need somewhere to run). */
    minNodes: number;
    /** Most nodes the autoscaler may add. */
    maxNodes: number;
    /** Nodes at creation; the autoscaler owns the count afterwards. */
    desiredNodes: number;
    /** Root volume, GiB. */
    diskSizeGb: number;
}

export interface EksClusterArgs {
    /** AWS region, set on every regional resource. */
    region: string;
    /** Cluster name; subnets are tagged with it before the cluster exists, so it is not auto-named. */
    clusterName: string;
    /** Kubernetes minor version, e.g. 1.33. */
    kubernetesVersion: string;
    /** Private subnets (one per zone) for the control-plane ENIs and the nodes. */
    privateSubnetIds: pulumi.Input<string>[];
    /** CIDRs allowed to the public API endpoint; empty keeps the endpoint private. */
    endpointPublicAccessCidrs: string[];
    /** IAM role given cluster-admin through an access entry; the program also reaches the API as it. */
    adminRoleArn: string;
    /** Control-plane log types sent to CloudWatch. */
    logTypes: string[];
    /** Attach AmazonSSMManagedInstanceCore to the node role, for Session Manager shells on nodes (default false). */
    nodeSsmAccess?: boolean;
    /** Control-plane log retention, days; default 90. */
    logRetentionDays?: number;
    /** Managed add-on versions by add-on name: every PINNED_ADDONS entry, optionally cert-manager. */
    addonVersions: Record<string, string>;
    /** The CPU system node group. */
    systemPool: SystemPoolArgs;
    /** Protect the cluster and its secrets key from deletion (prod). */
    protect: boolean;
    /** IAM role given read-only access (AmazonEKSViewPolicy, cluster scope) for previews; default none. */
    previewRoleArn?: string;
    /** Tags that mark the cluster while its region is being removed (components/lifecycle.ts); default none. */
    markers?: Record<string, string>;
    /** Days a deleted secrets key waits before it is gone, 7-30; default 30. */
    kmsDeletionWindowDays?: number;
    /** Network resources nodes need for egress (NAT routes); node groups wait for them. */
    egressReady?: pulumi.Resource[];
    /** The AWS provider every region shares; default the ambient one. */
    provider?: aws.Provider;
}

/**
 * An EKS control plane with API-only authentication, envelope-encrypted secrets, control-plane
 * logs, the managed add-ons, the node role, and the CPU system node group.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly cluster: aws.eks.Cluster;
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly secretsKey: aws.kms.Key;
    public readonly nodeRole: aws.iam.Role;
    public readonly systemNodeGroup: aws.eks.NodeGroup;
    /** Managed add-ons by name. */
    public readonly addons: Record<string, aws.eks.Addon>;
    /** Encrypts the control-plane log group. */
    public readonly logsKey: aws.kms.Key;
    /** The admin role's cluster-admin grant; Kubernetes objects wait for it. */
    public readonly adminAccess: aws.eks.AccessPolicyAssociation;
    /** What any node group must wait for: networking add-ons, node-role grants, egress routes. */
    public readonly computeReady: pulumi.Resource[];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:EksCluster", name, {}, opts);
        validate(name, args);
        const { region, provider } = args;
        const childOpts = { parent: this, provider };

        const clusterRole = new aws.iam.Role(
            `${name}-cluster-role`,
            {
                description: `EKS control plane of ${args.clusterName}`,
                assumeRolePolicy: JSON.stringify(serviceTrust("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"])),
            },
            childOpts,
        );
        const clusterPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-cluster-policy`,
            { role: clusterRole.name, policyArn: managedPolicyArn("AmazonEKSClusterPolicy") },
            childOpts,
        );

        // The default key policy (account root administers, IAM policies grant use) is kept;
        // the cluster role gets use of this one key through its own policy below.
        this.secretsKey = new aws.kms.Key(
            `${name}-secrets-key`,
            {
                region,
                description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays ?? 30,
                tags: { "modelfleet.io/cluster": args.clusterName },
            },
            { ...childOpts, protect: args.protect },
        );
        new aws.kms.Alias(
            `${name}-secrets-key-alias`,
            { region, name: `alias/${args.clusterName}-secrets`, targetKeyId: this.secretsKey.keyId },
            childOpts,
        );
        const clusterKeyUse = new aws.iam.RolePolicy(
            `${name}-cluster-kms`,
            {
                role: clusterRole.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            Resource: this.secretsKey.arn,
                        },
                    ],
                }),
            },
            childOpts,
        );

        // Control-plane logs (audit logs included) are encrypted with a key of their own, which
        // CloudWatch Logs may use only for this log group (the key policy CloudWatch Logs
        // requires: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
        const logGroupName = `/aws/eks/${args.clusterName}/cluster`;
        const accountId = aws.getCallerIdentityOutput({}, childOpts).accountId;
        this.logsKey = new aws.kms.Key(
            `${name}-logs-key`,
            {
                region,
                description: `Encryption of the control-plane logs of ${args.clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays ?? 30,
                policy: accountId.apply((account) => JSON.stringify(controlPlaneLogsKeyPolicy(account, region, logGroupName))),
                tags: { "modelfleet.io/cluster": args.clusterName },
            },
            { ...childOpts, protect: args.protect },
        );
        // Created ahead of the cluster so EKS does not make one that keeps logs forever.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { region, name: logGroupName, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: this.logsKey.arn },
            childOpts,
        );

        const publicAccess = args.endpointPublicAccessCidrs.length > 0;
        this.cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                region,
                name: args.clusterName,
                version: args.kubernetesVersion,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicAccess,
                    publicAccessCidrs: publicAccess ? args.endpointPublicAccessCidrs : undefined,
                },
                accessConfig: {
                    authenticationMode: "API",
                    // Admins are the access entries declared below, not whoever ran the first
                    // `pulumi up`; that identity would otherwise keep an invisible cluster-admin.
                    bootstrapClusterCreatorAdminPermissions: false,
                },
                // The networking add-ons are installed as managed add-ons below, at pinned versions.
                bootstrapSelfManagedAddons: false,
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
                enabledClusterLogTypes: args.logTypes,
                // Extended support costs six times as much; an unsupported version must be upgraded.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.protect,
                tags: { "modelfleet.io/cluster": args.clusterName, ...(args.markers ?? {}) },
            },
            { ...childOpts, protect: args.protect, dependsOn: [clusterPolicy, clusterKeyUse, logGroup] },
        );
        this.clusterName = this.cluster.name;
        this.endpoint = this.cluster.endpoint;
        this.certificateAuthorityData = this.cluster.certificateAuthority.data;

        const adminEntry = new aws.eks.AccessEntry(
            `${name}-admin`,
            { region, clusterName: this.cluster.name, principalArn: args.adminRoleArn, type: "STANDARD" },
            childOpts,
        );
        this.adminAccess = new aws.eks.AccessPolicyAssociation(
            `${name}-admin`,
            {
                region,
                clusterName: this.cluster.name,
                principalArn: adminEntry.principalArn,
                policyArn: CLUSTER_ADMIN_POLICY_ARN,
                accessScope: { type: "cluster" },
            },
            childOpts,
        );

        // Pull-request previews read the cluster as this role and can change nothing in it.
        if (args.previewRoleArn !== undefined) {
            const previewEntry = new aws.eks.AccessEntry(
                `${name}-preview`,
                { region, clusterName: this.cluster.name, principalArn: args.previewRoleArn, type: "STANDARD" },
                childOpts,
            );
            new aws.eks.AccessPolicyAssociation(
                `${name}-preview`,
                {
                    region,
                    clusterName: this.cluster.name,
                    principalArn: previewEntry.principalArn,
                    policyArn: CLUSTER_VIEW_POLICY_ARN,
                    accessScope: { type: "cluster" },
                },
                childOpts,
            );
        }

        // Managed node groups create the EC2_LINUX access entry for this role themselves.
        this.nodeRole = new aws.iam.Role(
            `${name}-node-role`,
            {
                description: `EKS nodes of ${args.clusterName}`,
                assumeRolePolicy: JSON.stringify(serviceTrust("ec2.amazonaws.com", ["sts:AssumeRole"])),
            },
            childOpts,
        );
        // The CNI policy is not here: the VPC CNI gets it through Pod Identity, so no pod that
        // reaches the node's credentials can rewrite network interfaces.
        // Pulls only (no registry listing); SSM only when asked: it lets whoever may start
        // sessions get a root shell on every node.
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"];
        if (args.nodeSsmAccess) nodePolicies.push("AmazonSSMManagedInstanceCore");
        const nodeGrants = nodePolicies.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policy}`,
                    { role: this.nodeRole.name, policyArn: managedPolicyArn(policy) },
                    childOpts,
                ),
        );

        const cniRole = new PodIdentityRole(
            `${name}-vpc-cni-identity`,
            {
                region,
                clusterName: this.cluster.name,
                serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
                associate: false,
                managedPolicies: ["AmazonEKS_CNI_Policy"],
                provider,
            },
            { parent: this },
        );
        const ebsCsiRole = new PodIdentityRole(
            `${name}-ebs-csi-identity`,
            {
                region,
                clusterName: this.cluster.name,
                serviceAccount: EBS_CSI_SERVICE_ACCOUNT,
                associate: false,
                managedPolicies: ["AmazonEBSCSIDriverPolicy"],
                provider,
            },
            { parent: this },
        );

        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Resource[]) =>
            new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    region,
                    clusterName: this.cluster.name,
                    addonName,
                    addonVersion: args.addonVersions[addonName],
                    // The program is the source of truth for add-on settings.
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    ...extra,
                },
                { ...childOpts, dependsOn },
            );

        // Networking add-ons go first: a node only turns Ready once the CNI and kube-proxy run.
        const podIdentityAgent = addon("eks-pod-identity-agent", {}, []);
        // EKS hands out Pod Identity credentials through the agent, so it goes in before its users.
        const vpcCni = addon(
            "vpc-cni",
            {
                podIdentityAssociations: [{ serviceAccount: VPC_CNI_SERVICE_ACCOUNT.name, roleArn: cniRole.roleArn }],
                configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
            },
            [podIdentityAgent, ...cniRole.readyResources],
        );
        const kubeProxy = addon("kube-proxy", {}, []);
        this.computeReady = [podIdentityAgent, vpcCni, kubeProxy, ...nodeGrants, ...(args.egressReady ?? [])];

        const systemTags = { "modelfleet.io/cluster": args.clusterName, [POOL_LABEL]: SYSTEM_POOL };
        const systemTemplate = nodeLaunchTemplate(
            `${name}-system-launch-template`,
            { region, diskSizeGb: args.systemPool.diskSizeGb, tags: systemTags },
            childOpts,
        );
        this.systemNodeGroup = new aws.eks.NodeGroup(
            `${name}-system`,
            {
                region,
                clusterName: this.cluster.name,
                version: this.cluster.version,
                nodeRoleArn: this.nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType: "AL2023_x86_64_STANDARD",
                capacityType: "ON_DEMAND",
                instanceTypes: args.systemPool.instanceTypes,
                scalingConfig: {
                    minSize: args.systemPool.minNodes,
                    maxSize: args.systemPool.maxNodes,
                    desiredSize: args.systemPool.desiredNodes,
                },
                launchTemplate: { id: systemTemplate.id, version: systemTemplate.latestVersion.apply(String) },
                labels: { [POOL_LABEL]: SYSTEM_POOL },
                updateConfig: { maxUnavailable: 1 },
                tags: systemTags,
            },
            // The cluster-autoscaler owns the size once the group exists.
            { ...childOpts, dependsOn: this.computeReady, ignoreChanges: ["scalingConfig.desiredSize"] },
        );

        // These run Deployments, which only turn healthy once nodes exist.
        const afterNodes = [this.systemNodeGroup];
        const coredns = addon("coredns", {}, afterNodes);
        const ebsCsi = addon(
            "aws-ebs-csi-driver",
            { podIdentityAssociations: [{ serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name, roleArn: ebsCsiRole.roleArn }] },
            [...afterNodes, ...ebsCsiRole.readyResources],
        );
        const certManagerVersion =
            args.addonVersions[CERT_MANAGER_ADDON] ??
            aws.eks.getAddonVersionOutput({ region, addonName: CERT_MANAGER_ADDON, kubernetesVersion: args.kubernetesVersion }, childOpts)
                .version;
        const certManager = addon(CERT_MANAGER_ADDON, { addonVersion: certManagerVersion }, afterNodes);

        this.addons = {
            "eks-pod-identity-agent": podIdentityAgent,
            "vpc-cni": vpcCni,
            "kube-proxy": kubeProxy,
            coredns,
            "aws-ebs-csi-driver": ebsCsi,
            [CERT_MANAGER_ADDON]: certManager,
        };
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            cluster: this.cluster,
            certificateAuthorityData: this.certificateAuthorityData,
            secretsKey: this.secretsKey,
            logsKey: this.logsKey,
            nodeRole: this.nodeRole,
            systemNodeGroup: this.systemNodeGroup,
            addons: this.addons,
            adminAccess: this.adminAccess,
            computeReady: this.computeReady,
        });
    }
}

/**
 * Key policy for a CloudWatch Logs group's key: the account administers the key (the
 * default statement, without which IAM policies could not grant its use), and the
 * CloudWatch Logs service of the region may use it only for the named log group.
 */
export function controlPlaneLogsKeyPolicy(accountId: string, region: string, logGroupName: string): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsForThisGroup",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}` },
                },
            },
        ],
    };
}

/** A trust policy for an AWS service principal. */
function serviceTrust(service: string, actions: string[]): aws.iam.PolicyDocument {
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] };
}

function validate(name: string, args: EksClusterArgs): void {
    const problems: string[] = [];
    if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(args.clusterName)) {
        problems.push(`clusterName '${args.clusterName}' must be 1-100 letters, digits, '-' or '_', starting with a letter or digit`);
    }
    if (args.privateSubnetIds.length < 2)
        problems.push(`privateSubnetIds has ${args.privateSubnetIds.length}; EKS needs subnets in at least two zones`);
    const missing = PINNED_ADDONS.filter((a) => !args.addonVersions[a]);
    if (missing.length > 0) problems.push(`addonVersions lacks ${missing.join(", ")}`);
    const cniVersion = args.addonVersions["vpc-cni"];
    const cni = cniVersion ? /^v(\d+)\.(\d+)\./.exec(cniVersion) : null;
    if (cniVersion && !cni) problems.push(`addonVersions.vpc-cni '${cniVersion}' must look like v1.19.5-eksbuild.1`);
    if (
        cni &&
        (Number(cni[1]) < VPC_CNI_NETWORK_POLICY_MIN.major ||
            (Number(cni[1]) === VPC_CNI_NETWORK_POLICY_MIN.major && Number(cni[2]) < VPC_CNI_NETWORK_POLICY_MIN.minor))
    ) {
        problems.push(
            `addonVersions.vpc-cni '${cniVersion}' cannot enforce NetworkPolicies; use v${VPC_CNI_NETWORK_POLICY_MIN.major}.${VPC_CNI_NETWORK_POLICY_MIN.minor}.0-eksbuild.3 or later`,
        );
    }
    const unknown = Object.keys(args.addonVersions).filter((a) => !KNOWN_ADDONS.includes(a));
    if (unknown.length > 0)
        problems.push(`addonVersions names unknown add-on(s) ${unknown.join(", ")} (known: ${KNOWN_ADDONS.join(", ")})`);
    const window = args.kmsDeletionWindowDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) problems.push(`kmsDeletionWindowDays must be 7-30, got ${window}`);
    if (args.logTypes.some((t) => !["api", "audit", "authenticator", "controllerManager", "scheduler"].includes(t))) {
        problems.push(`logTypes must be among api, audit, authenticator, controllerManager, scheduler; got ${args.logTypes.join(", ")}`);
    }
    if (problems.length > 0) throw new Error(`EksCluster ${name}: ${problems.join("; ")}`);
}
