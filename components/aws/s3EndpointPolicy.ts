import type * as aws from "@pulumi/aws";

/**
 * The policy of a region's S3 gateway endpoint, as pure functions. A gateway endpoint carries
 * every request from the private subnets to S3 buckets of its own AWS region (buckets
 * elsewhere go through NAT), and by default lets any of them through to any bucket. Limited
 * here to the model store and to the AWS-owned buckets the nodes pull from, so a pod cannot
 * reach another account's bucket in the region through it. Each bucket below is cited.
 */

/**
 * Buckets registry.k8s.io redirects image-layer downloads to when the client is in an AWS
 * region (kubernetes/registry.k8s.io, cmd/archeio/internal/app/buckets.go,
 * awsRegionToHostURL): the cluster-autoscaler, metrics-server and prometheus-adapter images
 * are pulled from there. Regions of config/catalog.ts; all are served from their own region.
 */
export const registryK8sIoBuckets: Record<string, string> = {
    "us-east-1": "prod-registry-k8s-io-us-east-1",
    "us-east-2": "prod-registry-k8s-io-us-east-2",
    "us-west-1": "prod-registry-k8s-io-us-west-1",
    "us-west-2": "prod-registry-k8s-io-us-west-2",
    "ca-central-1": "prod-registry-k8s-io-ca-central-1",
    "eu-west-1": "prod-registry-k8s-io-eu-west-1",
    "eu-west-2": "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2",
    "eu-west-3": "prod-registry-k8s-io-eu-west-3",
    "eu-central-1": "prod-registry-k8s-io-eu-central-1",
    "eu-north-1": "prod-registry-k8s-io-eu-north-1",
    "ap-northeast-1": "prod-registry-k8s-io-ap-northeast-1",
    "ap-northeast-2": "prod-registry-k8s-io-ap-northeast-2",
    "ap-south-1": "prod-registry-k8s-io-ap-south-1",
    "ap-southeast-1": "prod-registry-k8s-io-ap-southeast-1",
    "ap-southeast-2": "prod-registry-k8s-io-ap-southeast-2",
    "sa-east-1": "prod-registry-k8s-io-sa-east-1",
};

/** The AWS-owned buckets (read only) a region's nodes pull from, with why. */
export function nodeBucketsOf(region: string, nodeSsmAccess: boolean): Array<{ bucket: string; why: string }> {
    const buckets = [
        // ECR image layers: "Minimum Amazon S3 Bucket Permissions for Amazon ECR",
        // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms
        { bucket: `prod-${region}-starport-layer-bucket`, why: "ECR image layers (EKS add-ons, the LLM-track image)" },
        // The AL2023 package repository the NVIDIA AL2023 node AMI's dnf mirror list points at
        // (`dnf repolist -v` on a node shows it); see docs/runbooks/first-deploy.md for the check.
        { bucket: `al2023-repos-${region}-de612dc2`, why: "Amazon Linux 2023 packages (dnf on the nodes)" },
    ];
    const k8sRegistry = registryK8sIoBuckets[region];
    if (k8sRegistry) buckets.push({ bucket: k8sRegistry, why: "registry.k8s.io image layers for clients in AWS" });
    if (nodeSsmAccess) {
        // "About minimum S3 Bucket permissions for SSM Agent", the Linux rows:
        // https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html
        buckets.push(
            { bucket: `amazon-ssm-${region}`, why: "SSM Agent updates" },
            { bucket: `aws-ssm-${region}`, why: "SSM document modules" },
            { bucket: `${region}-birdwatcher-prod`, why: "SSM Distributor (AWS-ConfigureAWSPackage)" },
            { bucket: `aws-ssm-document-attachments-${region}`, why: "SSM Distributor packages" },
            { bucket: `patch-baseline-snapshot-${region}`, why: "Patch Manager baselines" },
        );
    }
    return buckets;
}

/** The model-store buckets a region's pods use through the endpoint. */
export interface EndpointModelStore {
    /** The region's own copy: TorchServe's init container reads it; in a replica the backfill writes it. */
    own: string;
    /** The primary, which a replica's backfill reads; undefined in the primary region. */
    primary?: string;
}

/**
 * The endpoint policy: model-store reads and the backfill's writes exactly as the IAM
 * policies of those identities allow them (modelStorePolicies.ts), and object reads from the
 * AWS-owned buckets above. Every other bucket is refused at the endpoint, whatever the
 * caller's own permissions.
 */
export function s3EndpointPolicy(store: EndpointModelStore, nodeBuckets: string[]): aws.iam.PolicyDocument {
    const storeArns = [store.own, ...(store.primary ? [store.primary] : [])].map((b) => `arn:aws:s3:::${b}`);
    const statements: aws.iam.PolicyStatement[] = [
        { Sid: "ListModelStore", Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: storeArns },
        { Sid: "ReadModelStore", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: storeArns.map((a) => `${a}/*`) },
    ];
    if (store.primary) {
        statements.push({
            Sid: "BackfillReplica",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${store.own}/models/*`,
        });
    }
    statements.push({
        Sid: "ReadNodeBuckets",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: nodeBuckets.map((b) => `arn:aws:s3:::${b}/*`),
    });
    return { Version: "2012-10-17", Statement: statements };
}
