import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ModelStoreBucket } from "../aws/modelStoreBucket";
import { bucketReadPolicy, googleFederationTrustPolicy } from "../aws/modelStorePolicies";
import { MODEL_PREFIX } from "../global/modelStoreNames";
import { STORAGE_TRANSFER_API } from "./apis";
import { GcsModelStoreBucket } from "./modelStoreBucket";

/** A calendar day, UTC, as the Storage Transfer schedule takes it. */
export interface TransferDate {
    year: number;
    /** 1-12. */
    month: number;
    /** 1-31. */
    day: number;
}

/** Late in the UTC day the create request may reach the service after midnight. */
const LAST_SAFE_UTC_HOUR = 23;

/**
 * The start date that makes a new job copy at once. With no start time of day, a job whose
 * start date is today (UTC) runs as soon as it is created, but one whose start date is already
 * past waits until the next day; so from 23:00 UTC on, tomorrow is used, and the first run
 * starts at midnight UTC, within the hour.
 */
export function transferStartDate(now: Date): TransferDate {
    const day = new Date(now.getTime());
    if (now.getUTCHours() >= LAST_SAFE_UTC_HOUR) day.setUTCDate(day.getUTCDate() + 1);
    return { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
}

function isCalendarDate(d: TransferDate): boolean {
    const probe = new Date(Date.UTC(d.year, d.month - 1, d.day));
    return (
        Number.isInteger(d.year) &&
        d.year >= 1 &&
        probe.getUTCFullYear() === d.year &&
        probe.getUTCMonth() === d.month - 1 &&
        probe.getUTCDate() === d.day
    );
}

export interface ModelStoreTransferArgs {
    /** The primary S3 bucket to copy from (required). */
    source: ModelStoreBucket;
    /** The GCS copy to write to (required). */
    destination: GcsModelStoreBucket;
    /** Minutes between runs (required, >= 60: the Storage Transfer Service minimum). */
    intervalMinutes: number;
    /** First day the schedule applies, UTC (default: `transferStartDate` of the time the program runs, so the first copy starts when the job is created). */
    scheduleStartDate?: TransferDate;
    /** Provider for the AWS role the transfer reads through (default: inherited from the parent). */
    awsProvider?: aws.Provider;
    /** Provider for the destination's project (default: inherited from the parent). */
    gcpProvider?: gcp.Provider;
}

/**
 * A Storage Transfer Service job that copies the primary S3 bucket's models into a GCS
 * copy on a schedule. The job reads through an AWS role that trusts only this project's
 * Storage Transfer service agent (identity federation): no AWS keys exist anywhere.
 */
export class ModelStoreTransfer extends pulumi.ComponentResource {
    public readonly api: gcp.projects.Service;
    public readonly sourceRole: aws.iam.Role;
    public readonly sourceRolePolicy: aws.iam.RolePolicy;
    public readonly agentBucketWriter: gcp.storage.BucketIAMMember;
    public readonly agentObjectViewer: gcp.storage.BucketIAMMember;
    public readonly job: gcp.storage.TransferJob;
    /** Email of the project's Storage Transfer service agent. */
    public readonly agentEmail: pulumi.Output<string>;
    /** `transferJobs/...`: the name `gcloud transfer jobs run` takes. */
    public readonly jobName: pulumi.Output<string>;

    constructor(name: string, args: ModelStoreTransferArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:gcp:ModelStoreTransfer", name, {}, opts);

        const problems: string[] = [];
        if (!Number.isInteger(args.intervalMinutes) || args.intervalMinutes < 60) {
            problems.push(
                `intervalMinutes must be a whole number >= 60 (the Storage Transfer Service minimum), got ${args.intervalMinutes}`,
            );
        }
        const date = args.scheduleStartDate;
        if (date && !isCalendarDate(date)) {
            problems.push(`scheduleStartDate must be a calendar date, got ${date.year}-${date.month}-${date.day}`);
        }
        if (problems.length > 0) throw new Error(`ModelStoreTransfer ${name}: ${problems.join("; ")}`);

        const project = args.destination.project;
        const onAws = { parent: this, provider: args.awsProvider };
        const onGcp = { parent: this, provider: args.gcpProvider };
        const source = args.source;
        const destination = args.destination;

        // Creating the service agent (the invoke below) needs the API; never disable it on
        // delete, other transfers in the project may use it.
        this.api = new gcp.projects.Service(
            `${name}-api`,
            { project, service: STORAGE_TRANSFER_API, disableOnDestroy: false, disableDependentServices: false },
            onGcp,
        );

        const agent = gcp.storage.getTransferProjectServiceAccountOutput({ project }, { ...onGcp, dependsOn: [this.api] });
        this.agentEmail = agent.email;

        this.sourceRole = new aws.iam.Role(
            `${name}-s3-reader`,
            {
                description: pulumi.interpolate`Storage Transfer Service (${project}) reads the modelfleet primary model bucket`,
                assumeRolePolicy: agent.subjectId.apply((subjectId) => JSON.stringify(googleFederationTrustPolicy(subjectId))),
            },
            onAws,
        );

        this.sourceRolePolicy = new aws.iam.RolePolicy(
            `${name}-s3-read`,
            {
                role: this.sourceRole.name,
                policy: pulumi
                    .all([source.bucketArn, source.keyArn])
                    .apply(([bucketArn, keyArn]) => JSON.stringify(bucketReadPolicy({ bucketArn, keyArn, region: source.region }, true))),
            },
            onAws,
        );

        const agentMember = pulumi.interpolate`serviceAccount:${agent.email}`;
        // The sink roles the Storage Transfer docs name: legacyBucketWriter (bucket get,
        // object create/delete/list) and objectViewer (object get, to skip unchanged objects).
        this.agentBucketWriter = new gcp.storage.BucketIAMMember(
            `${name}-agent-writer`,
            { bucket: destination.bucketName, role: "roles/storage.legacyBucketWriter", member: agentMember },
            onGcp,
        );
        this.agentObjectViewer = new gcp.storage.BucketIAMMember(
            `${name}-agent-viewer`,
            { bucket: destination.bucketName, role: "roles/storage.objectViewer", member: agentMember },
            onGcp,
        );

        const start = args.scheduleStartDate ?? transferStartDate(new Date());
        this.job = new gcp.storage.TransferJob(
            `${name}-job`,
            {
                project,
                description: pulumi.interpolate`modelfleet: copy ${MODEL_PREFIX} from s3://${source.bucketName} to gs://${destination.bucketName}`,
                status: "ENABLED",
                transferSpec: {
                    awsS3DataSource: { bucketName: source.bucketName, roleArn: this.sourceRole.arn },
                    gcsDataSink: { bucketName: destination.bucketName },
                    objectConditions: { includePrefixes: [MODEL_PREFIX] },
                    // Copy, never prune: with deletion on, switching modelStore.primaryRegion to a
                    // bucket that lacks some archives would delete them from every GCS copy.
                    transferOptions: { overwriteWhen: "DIFFERENT", deleteObjectsUniqueInSink: false },
                },
                // No startTimeOfDay: a job created on its start date runs at once, then every
                // repeatInterval; a start time of day would hold the first run until that time.
                schedule: {
                    scheduleStartDate: start,
                    repeatInterval: `${args.intervalMinutes * 60}s`,
                },
            },
            {
                ...onGcp,
                // The service checks access to source and sink when the job is created.
                dependsOn: [this.api, this.agentBucketWriter, this.agentObjectViewer, this.sourceRolePolicy],
                // The date only matters at creation; left to drift, it would show as an update
                // on every later day's run.
                ignoreChanges: ["schedule.scheduleStartDate"],
            },
        );
        this.jobName = this.job.name;

        this.registerOutputs({ agentEmail: this.agentEmail, jobName: this.jobName, sourceRoleArn: this.sourceRole.arn });
    }
}
