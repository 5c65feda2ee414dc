import type * as aws from "@pulumi/aws";

/**
 * The AWS Load Balancer Controller's IAM policy, as the controller's project publishes it for
 * the v2.13 line: read-only discovery everywhere, and changes only to security groups, load
 * balancers and target groups that carry the controller's own `elbv2.k8s.aws/cluster` tag.
 * Keep it in step with the controller image when upgrading.
 */
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";
const requestTagged = { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" };
const resourceTagged = { [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" };
/** Tag changes on resources the controller owns, as long as the change keeps its ownership tag. */
const ownedRetag = { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } };

const loadBalancerArns = [
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
];

export const LOAD_BALANCER_CONTROLLER_POLICY: aws.iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "ElbServiceLinkedRole",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: "*",
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
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
        },
        {
            Sid: "NodeSecurityGroupRules",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "*",
        },
        { Sid: "CreateSecurityGroup", Effect: "Allow", Action: ["ec2:CreateSecurityGroup"], Resource: "*" },
        {
            Sid: "TagNewSecurityGroup",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, Null: requestTagged },
        },
        {
            Sid: "RetagOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: ownedRetag,
        },
        {
            Sid: "ManageOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
            Resource: "*",
            Condition: { Null: resourceTagged },
        },
        {
            Sid: "CreateTaggedLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: "*",
            Condition: { Null: requestTagged },
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
            Resource: "*",
        },
        {
            Sid: "RetagOwnLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: loadBalancerArns,
            Condition: ownedRetag,
        },
        {
            Sid: "TagListenersAndRules",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
            ],
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
            Resource: "*",
            Condition: { Null: resourceTagged },
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags"],
            Resource: loadBalancerArns,
            Condition: {
                StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                Null: requestTagged,
            },
        },
        {
            Sid: "RegisterTargets",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
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
            Resource: "*",
        },
    ],
};
