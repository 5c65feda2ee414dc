import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Root device of the EKS AL2023 AMIs (standard and NVIDIA). */
export const AL2023_ROOT_DEVICE = "/dev/xvda";

export interface NodeLaunchTemplateArgs {
    /** AWS region of the node group. */
    region: string;
    /** Root volume size, GiB. */
    diskSizeGb: number;
    /** Tags for the instances and volumes the node group launches. */
    tags: Record<string, string>;
}

/**
 * A launch template for a managed node group. It sets what `diskSize` alone cannot: an
 * encrypted gp3 root volume, and IMDSv2 with a hop limit of 1 so pods cannot reach the node
 * role's credentials through the instance metadata service (they get their own through Pod
 * Identity; host-network agents such as the VPC CNI still reach it). No AMI and no user data:
 * EKS picks the AMI from the node group's amiType and writes the nodeadm configuration itself.
 */
export function nodeLaunchTemplate(name: string, args: NodeLaunchTemplateArgs, opts: pulumi.CustomResourceOptions): aws.ec2.LaunchTemplate {
    return new aws.ec2.LaunchTemplate(
        name,
        {
            region: args.region,
            description: `EKS managed node group ${name}`,
            updateDefaultVersion: true,
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [
                {
                    deviceName: AL2023_ROOT_DEVICE,
                    ebs: { volumeSize: args.diskSizeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                },
            ],
            tagSpecifications: [
                { resourceType: "instance", tags: args.tags },
                { resourceType: "volume", tags: args.tags },
            ],
            tags: args.tags,
        },
        opts,
    );
}
