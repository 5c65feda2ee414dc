import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The trust policy every EKS Pod Identity role carries: the Pod Identity service assumes it and tags the session. */
export const POD_IDENTITY_TRUST_POLICY: aws.iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
        },
    ],
};

/** An AWS-managed policy ARN (the catalog holds commercial-partition regions only). */
export function managedPolicyArn(name: string): string {
    return `arn:aws:iam::aws:policy/${name}`;
}

export interface PodIdentityRoleArgs {
    /** AWS region of the cluster (for the association). */
    region: string;
    /** The cluster's name as the cluster resource outputs it. */
    clusterName: pulumi.Input<string>;
    /** The service account that assumes the role; unset when an EKS add-on makes the association itself. */
    serviceAccount?: { namespace: string; name: string };
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
        if (args.serviceAccount && (!args.serviceAccount.namespace || !args.serviceAccount.name))
            problems.push("serviceAccount: needs both namespace and name");
        if (problems.length > 0) throw new Error(`PodIdentityRole ${name}: ${problems.join("; ")}`);

        this.role = new aws.iam.Role(
            `${name}-role`,
            { assumeRolePolicy: JSON.stringify(POD_IDENTITY_TRUST_POLICY), description: `EKS Pod Identity role ${name}` },
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
        if (args.serviceAccount) {
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
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
