import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { emptyDir, guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../k8s/render/podCommon";
import { ModelStoreBucket } from "./modelStoreBucket";
import { backfillPolicy } from "./modelStorePolicies";
import { scopedPodIdentityTrust } from "./podIdentityRole";

/** Where the backfill Job runs; kube-system exists before anything of the program's. */
export const BACKFILL_NAMESPACE = "kube-system";
export const BACKFILL_SERVICE_ACCOUNT = "model-store-backfill";
/** How long `pulumi up` waits for the copy; large archives across regions take a while. */
export const BACKFILL_TIMEOUT = "60m";

export interface ModelStoreBackfillArgs {
    /** The primary copy to read (required). */
    source: ModelStoreBucket;
    /** The new replica to fill (required). */
    destination: ModelStoreBucket;
    /** EKS cluster of the replica's region, which runs the copy (required). */
    clusterName: pulumi.Input<string>;
    /** Its Kubernetes provider (required). */
    k8sProvider: k8s.Provider;
    /** Image with the AWS CLI, e.g. images.modelSyncS3 (required). */
    image: string;
    /** Node selector for the copy pod: the region's system nodes (default none). */
    nodeSelector?: Record<string, string>;
    /** What the Job waits for: the cluster's nodes and the replication rule, so nothing is missed (default none). */
    dependsOn?: pulumi.Resource[];
    /** Provider for the AWS resources (default: inherited). */
    provider?: aws.Provider;
}

/**
 * Fills a new replica with what the primary held before replication to it began. S3
 * replication copies only objects written after its rule exists
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html: "existing objects
 * ... use S3 Batch Replication"); the AWS provider has no S3 Batch Operations job resource,
 * so the program runs the copy itself: a Kubernetes Job in the replica region's cluster
 * that runs `aws s3 sync` of `models/` once, with a Pod Identity role that can read the
 * primary and write only archives to the replica. `pulumi up` waits until the Job completes
 * (the Kubernetes provider awaits a Job's Complete condition), and the region's TorchServe
 * pods wait for it. It runs again only if the Job is replaced; a second run copies nothing
 * that is already there.
 */
export class ModelStoreBackfill extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly rolePolicy: aws.iam.RolePolicy;
    public readonly association: aws.eks.PodIdentityAssociation;
    public readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: ModelStoreBackfillArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:ModelStoreBackfill", name, {}, opts);

        const problems: string[] = [];
        // Two region entries may share an AWS region (a second cluster there): a same-region
        // replica is filled by the same copy.
        if (args.source === args.destination) problems.push("source and destination are the same bucket");
        if (!/[:@]/.test(args.image)) problems.push(`image '${args.image}' must be pinned by tag or digest`);
        if (problems.length > 0) throw new Error(`ModelStoreBackfill ${name}: ${problems.join("; ")}`);

        const aws_ = { parent: this, provider: args.provider };
        const { source, destination } = args;

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `One-shot copy of model archives into the ${destination.region} replica (EKS Pod Identity)`,
                assumeRolePolicy: scopedPodIdentityTrust(
                    args.clusterName,
                    { namespace: BACKFILL_NAMESPACE, name: BACKFILL_SERVICE_ACCOUNT },
                    aws_,
                ),
            },
            aws_,
        );
        this.rolePolicy = new aws.iam.RolePolicy(
            `${name}-copy`,
            {
                role: this.role.name,
                policy: pulumi
                    .all([source.bucketArn, source.keyArn, destination.bucketArn, destination.keyArn])
                    .apply(([sourceArn, sourceKey, destinationArn, destinationKey]) =>
                        JSON.stringify(
                            backfillPolicy(
                                { bucketArn: sourceArn, keyArn: sourceKey, region: source.region },
                                { bucketArn: destinationArn, keyArn: destinationKey, region: destination.region },
                            ),
                        ),
                    ),
            },
            aws_,
        );
        this.association = new aws.eks.PodIdentityAssociation(
            `${name}-association`,
            {
                region: destination.region,
                clusterName: args.clusterName,
                namespace: BACKFILL_NAMESPACE,
                serviceAccount: BACKFILL_SERVICE_ACCOUNT,
                roleArn: this.role.arn,
            },
            { ...aws_, dependsOn: [this.rolePolicy] },
        );

        const k8sOpts = { parent: this, provider: args.k8sProvider };
        const labels = { "app.kubernetes.io/name": "model-store-backfill", "app.kubernetes.io/part-of": "modelfleet" };
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-service-account`,
            {
                metadata: { name: BACKFILL_SERVICE_ACCOUNT, namespace: BACKFILL_NAMESPACE, labels },
                automountServiceAccountToken: false,
            },
            { ...k8sOpts, dependsOn: args.dependsOn ?? [] },
        );

        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: { name: "model-store-backfill", namespace: BACKFILL_NAMESPACE, labels },
                spec: {
                    // No ttlSecondsAfterFinished: a Job that vanished would be made (and run) again on the next up.
                    backoffLimit: 6,
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: BACKFILL_SERVICE_ACCOUNT,
                            automountServiceAccountToken: false,
                            restartPolicy: "OnFailure",
                            securityContext: restrictedPodSecurityContext(),
                            nodeSelector: args.nodeSelector,
                            containers: [
                                {
                                    name: "sync",
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    command: ["/bin/sh", "-c", BACKFILL_SCRIPT],
                                    env: [
                                        { name: "SOURCE_URI", value: source.uri },
                                        { name: "SOURCE_REGION", value: source.region },
                                        { name: "DESTINATION_URI", value: destination.uri },
                                        { name: "AWS_REGION", value: destination.region },
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    resources: guaranteed({ cpu: "500m", memory: "512Mi" }),
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [emptyDir("tmp", "256Mi")],
                        },
                    },
                },
            },
            {
                ...k8sOpts,
                dependsOn: [serviceAccount, this.association, ...(args.dependsOn ?? [])],
                customTimeouts: { create: BACKFILL_TIMEOUT, update: BACKFILL_TIMEOUT },
                // The Job's name is fixed; a changed Job must go before its replacement is made.
                deleteBeforeReplace: true,
            },
        );

        this.registerOutputs({
            roleArn: this.role.arn,
            role: this.role,
            rolePolicy: this.rolePolicy,
            association: this.association,
            job: this.job,
        });
    }
}

/**
 * Copies `models/` of the primary into the replica; only what is missing or differs.
 * `--copy-props metadata-directive`: AWS CLI v2's default (`default`) also copies tags, and
 * for every multipart copy (objects from 8 MiB, every model archive) reads the source's tags
 * with GetObjectTagging, which the backfill role is not granted; metadata-directive keeps
 * content type and user metadata and needs only HeadObject, which GetObject covers.
 */
export const BACKFILL_SCRIPT = [
    "set -eu",
    'echo "model-store-backfill: ${SOURCE_URI%/}/models/ -> ${DESTINATION_URI%/}/models/"',
    'aws s3 sync "${SOURCE_URI%/}/models/" "${DESTINATION_URI%/}/models/" --source-region "$SOURCE_REGION" --region "$AWS_REGION" --copy-props metadata-directive --only-show-errors',
    'echo "model-store-backfill: done"',
    "",
].join("\n");
