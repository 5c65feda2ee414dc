import type * as aws from "@pulumi/aws";

/** The tag the controller puts on every security group, load balancer and target group it makes. */
export const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** What one region's controller may act on: its cluster's load balancers, in its region and VPC. */
export interface ControllerScope {
    /** The EKS cluster name; the controller tags what it makes `elbv2.k8s.aws/cluster=<name>`. */
    clusterName: string;
    /** AWS region of the cluster. */
    region: string;
    /** The account the cluster is in. */
    accountId: string;
    /** The cluster's VPC id (vpc-...). */
    vpcId: string;
}

/**
 * The AWS Load Balancer Controller's IAM policy, after the one the controller's project
 * publishes for the v2.13 line (read-only discovery, changes only to what carries its
 * `elbv2.k8s.aws/cluster` tag), narrowed to one cluster: the tag must name this cluster,
 * not merely exist, every request must be for this region (`aws:RequestedRegion`), ARNs name
 * this region and account, and security-group changes are limited to this VPC (`ec2:Vpc`).
 * So one region's controller cannot touch another region's or another cluster's load
 * balancers. Keep it in step with the controller image when upgrading.
 */
export function loadBalancerControllerPolicy(scope: ControllerScope): aws.iam.PolicyDocument {
    const { clusterName, region, accountId } = scope;
    const inRegion = { "aws:RequestedRegion": region };
    const requestTagged = { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName };
    const resourceTagged = { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName };
    const inVpc = { "ec2:Vpc": `arn:aws:ec2:${region}:${accountId}:vpc/${scope.vpcId}` };
    const elb = (resource: string) => `arn:aws:elasticloadbalancing:${region}:${accountId}:${resource}`;
    const securityGroups = `arn:aws:ec2:${region}:${accountId}:security-group/*`;
    const loadBalancerArns = [elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
    const listenerArns = [
        elb("listener/net/*/*/*"),
        elb("listener/app/*/*/*"),
        elb("listener-rule/net/*/*/*"),
        elb("listener-rule/app/*/*/*"),
    ];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ElbServiceLinkedRole",
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: "*",
                Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com", ...inRegion } },
            },
            {
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAddresses",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeVpcPeeringConnections",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeTags",
                    "ec2:GetCoipPoolUsage",
                    "ec2:DescribeCoipPools",
                    "ec2:GetSecurityGroupsForVpc",
                    "ec2:DescribeIpamPools",
                    "ec2:DescribeRouteTables",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeListenerCertificates",
                    "elasticloadbalancing:DescribeSSLPolicies",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTrustStores",
                    "elasticloadbalancing:DescribeListenerAttributes",
                    "elasticloadbalancing:DescribeCapacityReservation",
                ],
                Resource: "*",
                Condition: { StringEquals: inRegion },
            },
            {
                Sid: "CertificatesWafShield",
                Effect: "Allow",
                Action: [
                    "cognito-idp:DescribeUserPoolClient",
                    "acm:ListCertificates",
                    "acm:DescribeCertificate",
                    "iam:ListServerCertificates",
                    "iam:GetServerCertificate",
                    "waf-regional:GetWebACL",
                    "waf-regional:GetWebACLForResource",
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:GetWebACL",
                    "wafv2:GetWebACLForResource",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:GetSubscriptionState",
                    "shield:DescribeProtection",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                ],
                Resource: "*",
                Condition: { StringEquals: inRegion },
            },
            {
                // The nodes' security groups (the controller opens them to its load balancers): this VPC's only.
                Sid: "NodeSecurityGroupRules",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                Resource: securityGroups,
                Condition: { StringEquals: { ...inRegion, ...inVpc } },
            },
            {
                // CreateSecurityGroup is authorized on the VPC and on the new group; only this VPC.
                Sid: "CreateSecurityGroupInVpc",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: `arn:aws:ec2:${region}:${accountId}:vpc/${scope.vpcId}`,
                Condition: { StringEquals: inRegion },
            },
            {
                Sid: "CreateTaggedSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: securityGroups,
                Condition: { StringEquals: { ...inRegion, ...requestTagged } },
            },
            {
                Sid: "TagNewSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:CreateTags"],
                Resource: securityGroups,
                Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", ...inRegion, ...requestTagged } },
            },
            {
                Sid: "RetagOwnSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:CreateTags", "ec2:DeleteTags"],
                Resource: securityGroups,
                Condition: { StringEquals: { ...inRegion, ...resourceTagged }, StringEqualsIfExists: requestTagged },
            },
            {
                Sid: "ManageOwnSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                Resource: securityGroups,
                Condition: { StringEquals: { ...inRegion, ...inVpc, ...resourceTagged } },
            },
            {
                Sid: "CreateTaggedLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                Resource: loadBalancerArns,
                Condition: { StringEquals: { ...inRegion, ...requestTagged } },
            },
            {
                Sid: "ListenersAndRules",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:DeleteRule",
                ],
                Resource: [...loadBalancerArns, ...listenerArns],
                Condition: { StringEquals: inRegion },
            },
            {
                Sid: "RetagOwnLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: loadBalancerArns,
                Condition: { StringEquals: { ...inRegion, ...resourceTagged }, StringEqualsIfExists: requestTagged },
            },
            {
                Sid: "TagListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: listenerArns,
                Condition: { StringEquals: inRegion },
            },
            {
                Sid: "ModifyOwnLoadBalancers",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:ModifyIpPools",
                ],
                Resource: loadBalancerArns,
                Condition: { StringEquals: { ...inRegion, ...resourceTagged } },
            },
            {
                Sid: "TagOnCreate",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags"],
                Resource: loadBalancerArns,
                Condition: {
                    StringEquals: {
                        "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                        ...inRegion,
                        ...requestTagged,
                    },
                },
            },
            {
                Sid: "RegisterTargets",
                Effect: "Allow",
                Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                Resource: elb("targetgroup/*/*"),
                Condition: { StringEquals: { ...inRegion, ...resourceTagged } },
            },
            {
                Sid: "ListenerSettings",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                ],
                Resource: [...loadBalancerArns, ...listenerArns],
                Condition: { StringEquals: inRegion },
            },
        ],
    };
}
