import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Who may use a Pod Identity role: one service account of one cluster, in one account. */
export interface PodIdentityScope {
    /** The AWS account the cluster and the role live in. */
    accountId: string;
    /** The EKS cluster's name. */
    clusterName: string;
    /** Kubernetes namespace of the service account. */
    namespace: string;
    /** Kubernetes service account name. */
    serviceAccount: string;
}

/**
 * The trust policy of an EKS Pod Identity role. The Pod Identity service assumes it and tags
 * the session with the cluster, namespace and service account it acts for; without conditions
 * on those request tags any association in the account (any cluster, any namespace) could be
 * pointed at the role. `aws:SourceAccount` keeps another account's clusters out as well.
 */
export function podIdentityTrustPolicy(scope: PodIdentityScope): aws.iam.PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentityForOneServiceAccount",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": scope.accountId,
                        "aws:RequestTag/eks-cluster-name": scope.clusterName,
                        "aws:RequestTag/kubernetes-namespace": scope.namespace,
                        "aws:RequestTag/kubernetes-service-account": scope.serviceAccount,
                    },
                },
            },
        ],
    };
}

/** The trust policy for a service account, once the account id and cluster name are known. */
export function scopedPodIdentityTrust(
    clusterName: pulumi.Input<string>,
    serviceAccount: { namespace: string; name: string },
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
    const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
    return pulumi.all([accountId, clusterName]).apply(([account, cluster]) =>
        JSON.stringify(
            podIdentityTrustPolicy({
                accountId: account,
                clusterName: cluster,
                namespace: serviceAccount.namespace,
                serviceAccount: serviceAccount.name,
            }),
        ),
    );
}

/** An AWS-managed policy ARN (the catalog holds commercial-partition regions only). */
export function managedPolicyArn(name: string): string {
    return `arn:aws:iam::aws:policy/${name}`;
}

export interface PodIdentityRoleArgs {
    /** AWS region of the cluster (for the association). */
    region: string;
    /** The cluster's name as the cluster resource outputs it. */
    clusterName: pulumi.Input<string>;
    /** The one service account that may assume the role (the trust policy names it); required. */
    serviceAccount: { namespace: string; name: string };
    /** Make the Pod Identity association here; false when an EKS add-on makes it from its own settings. Default true. */
    associate?: boolean;
    /** AWS-managed policies to attach, by name (e.g. AmazonEBSCSIDriverPolicy). Default none. */
    managedPolicies?: string[];
    /** An inline policy document (JSON). Default none. */
    policy?: pulumi.Input<string>;
    /** The AWS provider every region shares; default the ambient one. */
    provider?: aws.Provider;
}

/**
 * An IAM role a Kubernetes service account assumes through EKS Pod Identity: no OIDC provider,
 * no static keys, and the role is usable only by the service account it is associated with.
 */
export class PodIdentityRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    /** The association, when this component makes it. */
    public readonly association?: aws.eks.PodIdentityAssociation;
    /** What a pod must wait for before its AWS calls can succeed. */
    public readonly readyResources: pulumi.Resource[];

    constructor(name: string, args: PodIdentityRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:PodIdentityRole", name, {}, opts);
        const problems: string[] = [];
        if (!args.managedPolicies?.length && args.policy === undefined)
            problems.push("managedPolicies or policy: a role with no permissions is a mistake");
        if (!args.serviceAccount?.namespace || !args.serviceAccount?.name)
            problems.push("serviceAccount: needs both namespace and name (the trust policy admits only that service account)");
        if (problems.length > 0) throw new Error(`PodIdentityRole ${name}: ${problems.join("; ")}`);

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: scopedPodIdentityTrust(args.clusterName, args.serviceAccount, { parent: this, provider: args.provider }),
                description: `EKS Pod Identity role ${name}`,
            },
            { parent: this, provider: args.provider },
        );
        this.roleArn = this.role.arn;
        const grants: pulumi.Resource[] = (args.managedPolicies ?? []).map(
            (policyName) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-${policyName}`,
                    { role: this.role.name, policyArn: managedPolicyArn(policyName) },
                    { parent: this, provider: args.provider },
                ),
        );
        if (args.policy !== undefined) {
            grants.push(
                new aws.iam.RolePolicy(
                    `${name}-policy`,
                    { role: this.role.name, policy: args.policy },
                    { parent: this, provider: args.provider },
                ),
            );
        }
        if (args.associate ?? true) {
            this.association = new aws.eks.PodIdentityAssociation(
                `${name}-association`,
                {
                    region: args.region,
                    clusterName: args.clusterName,
                    namespace: args.serviceAccount.namespace,
                    serviceAccount: args.serviceAccount.name,
                    roleArn: this.role.arn,
                },
                // Credentials handed out before the permissions exist make the pod's first calls fail.
                { parent: this, provider: args.provider, dependsOn: grants },
            );
        }
        this.readyResources = [...grants, ...(this.association ? [this.association] : [])];
        this.registerOutputs({
            roleArn: this.roleArn,
            role: this.role,
            association: this.association,
            readyResources: this.readyResources,
        });
    }
}
