import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig, RegionConfig } from "../config";
import { ModelStore, ModelStoreArgs } from "../components/global/modelStore";
import { gcpReaderAccountId, modelArchiveKey, publishCommand, storeBucketName } from "../components/global/modelStoreNames";
import { REGION_APIS } from "../components/gcp/apis";
import { ModelStoreTransfer, transferStartDate } from "../components/gcp/modelStoreTransfer";
import { GcpRegion } from "../components/gcp/region";
import { RegionCluster, TORCHSERVE_SERVICE_ACCOUNT } from "../components/types";
import type { FleetMocks, MockedResource } from "../tools/mocks";
import { gcpCalls } from "../tools/mocks/gcp";
import { MOCK_ACCOUNT_ID } from "../tools/mocks/values";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";

type Json = Record<string, unknown>;
interface Statement {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

/** What a resource was registered with: its type and the options the program gave it. */
interface Recorded {
    type: string;
    opts: pulumi.CustomResourceOptions | pulumi.ComponentResourceOptions;
}

interface Built {
    mocks: FleetMocks;
    store: ModelStore;
    config: FleetConfig;
    recorded: Map<string, Recorded>;
}

const S3_BUCKET = "aws:s3/bucket:Bucket";
const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const KMS_KEY = "aws:kms/key:Key";
const GCP_KMS_KEY = "gcp:kms/cryptoKey:CryptoKey";
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

/** A RegionCluster with just what the model store reads; the rest is inert. */
function fakeCluster(region: RegionConfig): RegionCluster {
    const provider = new k8s.Provider(`k8s-${region.name}`, { kubeconfig: "{}" });
    const workloadIdentity: RegionCluster["workloadIdentity"] =
        region.cloud === "aws"
            ? { kind: "eks-pod-identity", clusterName: pulumi.output(`eks-${region.name}`) }
            : region.cloud === "gcp"
              ? { kind: "gke-workload-identity", project: region.project, workloadPool: pulumi.output(`${region.project}.svc.id.goog`) }
              : { kind: "static-credentials" };
    return {
        regionName: region.name,
        cloud: region.cloud,
        location: region.region,
        clusterName: pulumi.output(`eks-${region.name}`),
        endpoint: pulumi.output(`https://${region.name}.example.com`),
        provider,
        gpuPools: {},
        systemNodeSelector: {},
        zones: pulumi.output([]),
        workloadIdentity,
        ingress: { kind: "alb", className: "alb" },
        monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
        readyResources: [],
    };
}

function clustersFor(config: FleetConfig): Record<string, RegionCluster> {
    return Object.fromEntries(config.regions.filter((r) => r.cloud !== "existing").map((r) => [r.name, fakeCluster(r)]));
}

/** Builds the store under fresh mocks, recording each child's options through a transformation. */
async function build(config: FleetConfig, extra: Partial<ModelStoreArgs> = {}): Promise<Built> {
    const mocks = await useMocks();
    const recorded = new Map<string, Recorded>();
    const record: pulumi.ResourceTransformation = (args) => {
        recorded.set(args.name, { type: args.type, opts: args.opts });
        return undefined;
    };
    const store = new ModelStore("modelStore", { config, clusters: clustersFor(config), ...extra }, { transformations: [record] });
    await promiseOf(store.publishCommand);
    await Promise.all(Object.values(store.bucketUris).map(promiseOf));
    await settle();
    return { mocks, store, config, recorded };
}

function prodConfig(change?: (raw: Json) => void): FleetConfig {
    const raw = stackSettings("prod");
    change?.(raw);
    return fleetConfig(raw, "prod");
}

function the(mocks: FleetMocks, name: string): MockedResource {
    const found = mocks.resources.filter((r) => r.name === name);
    if (found.length !== 1)
        throw new Error(`expected one resource named ${name}, found ${found.length}: ${mocks.resources.map((r) => r.name).join(", ")}`);
    return found[0];
}

function input<T = unknown>(r: MockedResource, ...path: Array<string | number>): T {
    let value: unknown = r.inputs;
    for (const key of path) value = (value as Record<string | number, unknown>)[key];
    return value as T;
}

function statements(policyJson: unknown): Statement[] {
    return (JSON.parse(String(policyJson)) as { Statement: Statement[] }).Statement;
}

function list(value: string | string[] | undefined): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe("naming helpers", () => {
    it("places an archive at models/<name>/<version>/<name>.mar", () => {
        expect(modelArchiveKey("resnet50", "1.0")).toBe("models/resnet50/1.0/resnet50.mar");
        expect(modelArchiveKey("llama3-8b-instruct", "2024-07-18")).toBe("models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar");
    });

    it("refuses names and versions that would change the layout", () => {
        expect(() => modelArchiveKey("a/b", "1")).toThrow("modelArchiveKey: name 'a/b' must be letters, digits, '.', '_' or '-' (no '/')");
        expect(() => modelArchiveKey("resnet50", "")).toThrow(
            "modelArchiveKey: version '' must be letters, digits, '.', '_' or '-' (no '/')",
        );
    });

    it("builds bucket names, reader account ids and the publish command", () => {
        expect(storeBucketName("use1", "1a2b3c4d")).toBe("modelfleet-models-use1-1a2b3c4d");
        expect(gcpReaderAccountId("usc1", "1a2b3c4d")).toBe("mfm-usc1-1a2b3c4d");
        const longId = gcpReaderAccountId("a-very-long-region-x", "1a2b3c4d");
        expect(longId.length).toBeLessThanOrEqual(30);
        expect(longId).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        expect(publishCommand("modelfleet-models-use1-1a2b3c4d", "us-east-1")).toBe(
            'aws s3 cp "./$MODEL.mar" "s3://modelfleet-models-use1-1a2b3c4d/models/$MODEL/$VERSION/$MODEL.mar" --region us-east-1',
        );
    });
});

describe("prod model store", () => {
    let built: Built;
    let suffix: string;
    let builtFrom: Date;
    let builtUntil: Date;
    beforeAll(async () => {
        builtFrom = new Date();
        built = await build(prodConfig());
        builtUntil = new Date();
        const bucketName = String(input(the(built.mocks, "modelStore-use1-bucket"), "bucket"));
        suffix = bucketName.slice("modelfleet-models-use1-".length);
    });

    it("names every bucket from one random suffix kept in state", () => {
        const { mocks } = built;
        expect(suffix).toMatch(/^[0-9a-f]{8}$/);
        expect(mocks.ofType("random:index/randomId:RandomId").map((r) => [r.name, r.inputs["byteLength"]])).toEqual([
            ["modelStore-suffix", 4],
        ]);
        expect(mocks.ofType(S3_BUCKET).map((r) => [r.inputs["bucket"], r.inputs["region"]])).toEqual([
            [`modelfleet-models-use1-${suffix}`, "us-east-1"],
            [`modelfleet-models-euw1-${suffix}`, "eu-west-1"],
        ]);
        expect(mocks.ofType(GCS_BUCKET).map((r) => r.inputs["name"])).toEqual([`modelfleet-models-usc1-${suffix}`]);
    });

    it.each([
        ["use1", "us-east-1"],
        ["euw1", "eu-west-1"],
    ])("gives the %s bucket every safety property, in its region", (region, awsRegion) => {
        const { mocks } = built;
        const at = (role: string) => {
            const r = the(mocks, `modelStore-${region}-${role}`);
            expect(r.inputs["region"]).toBe(awsRegion);
            return r;
        };
        const bucketName = `modelfleet-models-${region}-${suffix}`;
        const key = at("key");
        expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(at("bucket").inputs["forceDestroy"]).toBe(false);
        expect(at("versioning").inputs).toMatchObject({ bucket: bucketName, versioningConfiguration: { status: "Enabled" } });
        expect(at("encryption").inputs).toMatchObject({
            bucket: bucketName,
            rules: [
                {
                    applyServerSideEncryptionByDefault: {
                        sseAlgorithm: "aws:kms",
                        kmsMasterKeyId: `arn:aws:kms:${awsRegion}:${MOCK_ACCOUNT_ID}:key/modelStore-${region}-key`,
                    },
                    bucketKeyEnabled: true,
                },
            ],
        });
        expect(at("public-access").inputs).toMatchObject({
            bucket: bucketName,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(at("ownership").inputs).toMatchObject({ bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } });
        const lifecycle = at("lifecycle");
        expect(lifecycle.inputs["bucket"]).toBe(bucketName);
        expect(input(lifecycle, "rules")).toEqual([
            {
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: { prefix: "" },
                noncurrentVersionExpiration: { noncurrentDays: 30 },
                expiration: { expiredObjectDeleteMarker: true },
            },
            {
                id: "abort-incomplete-multipart-uploads",
                status: "Enabled",
                filter: { prefix: "" },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        expect(built.recorded.get(`modelStore-${region}-lifecycle`)?.opts.dependsOn).toEqual([built.store.awsBuckets[region].versioning]);
    });

    it.each(["use1", "euw1"])("denies non-TLS and TLS < 1.2 on the %s bucket", (region) => {
        const policy = the(built.mocks, `modelStore-${region}-tls-only`);
        const arn = `arn:aws:s3:::modelfleet-models-${region}-${suffix}`;
        const parsed = statements(policy.inputs["policy"]);
        expect(parsed).toEqual([
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyTlsOlderThan12",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ]);
        expect(parsed.every((s) => s.Effect === "Deny")).toBe(true);
        expect(built.recorded.get(`modelStore-${region}-tls-only`)?.opts.dependsOn).toEqual([
            built.store.awsBuckets[region].publicAccessBlock,
        ]);
    });

    it("replicates the primary to each other AWS region, after versioning on both sides", () => {
        const { mocks, store, recorded } = built;
        const configs = mocks.ofType(REPLICATION);
        expect(configs).toHaveLength(1);
        const replication = configs[0];
        expect(replication.inputs["region"]).toBe("us-east-1");
        expect(replication.inputs["bucket"]).toBe(`modelfleet-models-use1-${suffix}`);
        expect(replication.inputs["role"]).toBe(`arn:aws:iam::${MOCK_ACCOUNT_ID}:role/modelStore-replication-role`);
        expect(input(replication, "rules")).toEqual([
            {
                id: "to-euw1",
                priority: 1,
                status: "Enabled",
                filter: { prefix: "models/" },
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: {
                    bucket: `arn:aws:s3:::modelfleet-models-euw1-${suffix}`,
                    storageClass: "STANDARD",
                    encryptionConfiguration: { replicaKmsKeyId: `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/modelStore-euw1-key` },
                    replicationTime: { status: "Enabled", time: { minutes: 15 } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                },
            },
        ]);
        const dependsOn = recorded.get(replication.name)?.opts.dependsOn;
        expect(Array.isArray(dependsOn)).toBe(true);
        expect(dependsOn).toEqual(expect.arrayContaining([store.awsBuckets.use1.versioning, store.awsBuckets.euw1.versioning]));
    });

    it("gives the replication role only what S3 replication needs", () => {
        const { mocks } = built;
        const role = the(mocks, "modelStore-replication-role");
        const src = `arn:aws:s3:::modelfleet-models-use1-${suffix}`;
        // S3 may assume the role only on behalf of the primary bucket in this account (confused deputy).
        expect(statements(role.inputs["assumeRolePolicy"])).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID, "aws:SourceArn": src } },
            },
        ]);
        const dst = `arn:aws:s3:::modelfleet-models-euw1-${suffix}`;
        const bySid = Object.fromEntries(statements(the(mocks, "modelStore-replication-policy").inputs["policy"]).map((s) => [s.Sid, s]));
        expect(Object.keys(bySid)).toEqual([
            "ReadReplicationConfiguration",
            "ReadSourceVersions",
            "WriteReplicas",
            "DecryptSource",
            "EncryptReplica0",
        ]);
        expect(bySid.ReadReplicationConfiguration.Resource).toBe(src);
        expect(bySid.ReadSourceVersions.Resource).toBe(`${src}/*`);
        expect(list(bySid.WriteReplicas.Action)).toEqual(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]);
        expect(bySid.WriteReplicas.Resource).toEqual([`${dst}/*`]);
        expect(bySid.DecryptSource).toMatchObject({
            Action: ["kms:Decrypt"],
            Resource: `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/modelStore-use1-key`,
            Condition: {
                StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
                StringLike: { "kms:EncryptionContext:aws:s3:arn": [src, `${src}/*`] },
            },
        });
        expect(bySid.EncryptReplica0).toMatchObject({
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/modelStore-euw1-key`,
            Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
        });
        expect(
            statements(the(mocks, "modelStore-replication-policy").inputs["policy"]).every(
                (s) => s.Effect === "Allow" && !list(s.Action).some((a) => a.endsWith("*")),
            ),
        ).toBe(true);
    });

    it("creates the GCS copy in the serving region with access prevention, versioning, soft delete and its own key", () => {
        const { mocks, store, recorded } = built;
        const keyRingPath = `projects/modelfleet-prod/locations/us-central1/keyRings/modelfleet-models-usc1-${suffix}`;
        expect(the(mocks, "modelStore-usc1-keyring").inputs).toEqual({
            project: "modelfleet-prod",
            location: "us-central1",
            name: `modelfleet-models-usc1-${suffix}`,
        });
        expect(the(mocks, "modelStore-usc1-key").inputs).toMatchObject({
            keyRing: keyRingPath,
            name: "model-archives",
            purpose: "ENCRYPT_DECRYPT",
            rotationPeriod: "7776000s",
        });
        const storageAgent = gcpCalls["gcp:storage/getProjectServiceAccount:getProjectServiceAccount"]({ project: "modelfleet-prod" });
        expect(the(mocks, "modelStore-usc1-key-user").inputs).toEqual({
            cryptoKeyId: `${keyRingPath}/cryptoKeys/model-archives`,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: `serviceAccount:${storageAgent["emailAddress"]}`,
        });
        expect(recorded.get("modelStore-usc1-bucket")?.opts.dependsOn).toEqual([store.gcsBuckets.usc1.keyUser]);
        const gcs = the(mocks, "modelStore-usc1-bucket");
        expect(gcs.type).toBe(GCS_BUCKET);
        expect(gcs.inputs).toMatchObject({
            project: "modelfleet-prod",
            location: "us-central1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
            encryption: { defaultKmsKeyName: `${keyRingPath}/cryptoKeys/model-archives` },
            forceDestroy: false,
        });
        expect(input(gcs, "lifecycleRules")).toEqual([
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
        ]);
    });

    it("copies the primary bucket to GCS with a transfer job reading through a federated AWS role", () => {
        const { mocks, store, recorded } = built;
        const agent = gcpCalls["gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount"]({
            project: "modelfleet-prod",
        });
        const role = the(mocks, "modelStore-usc1-transfer-s3-reader");
        expect(statements(role.inputs["assumeRolePolicy"])).toEqual([
            {
                Effect: "Allow",
                Principal: { Federated: "accounts.google.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "accounts.google.com:sub": agent["subjectId"] } },
            },
        ]);
        const primaryArn = `arn:aws:s3:::modelfleet-models-use1-${suffix}`;
        const read = statements(the(mocks, "modelStore-usc1-transfer-s3-read").inputs["policy"]);
        expect(read.map((s) => [list(s.Action), s.Resource])).toEqual([
            [["s3:ListBucket", "s3:GetBucketLocation"], primaryArn],
            [["s3:GetObject"], `${primaryArn}/*`],
            [["kms:Decrypt"], `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/modelStore-use1-key`],
        ]);

        const gcsName = `modelfleet-models-usc1-${suffix}`;
        const member = `serviceAccount:${agent["email"]}`;
        expect(the(mocks, "modelStore-usc1-transfer-agent-writer").inputs).toEqual({
            bucket: gcsName,
            role: "roles/storage.legacyBucketWriter",
            member,
        });
        expect(the(mocks, "modelStore-usc1-transfer-agent-viewer").inputs).toEqual({
            bucket: gcsName,
            role: "roles/storage.objectViewer",
            member,
        });
        expect(the(mocks, "modelStore-usc1-transfer-api").inputs).toMatchObject({
            project: "modelfleet-prod",
            service: "storagetransfer.googleapis.com",
            disableOnDestroy: false,
        });

        const job = the(mocks, "modelStore-usc1-transfer-job");
        expect(job.inputs).toMatchObject({
            project: "modelfleet-prod",
            status: "ENABLED",
            transferSpec: {
                awsS3DataSource: {
                    bucketName: `modelfleet-models-use1-${suffix}`,
                    roleArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/modelStore-usc1-transfer-s3-reader`,
                },
                gcsDataSink: { bucketName: gcsName },
                objectConditions: { includePrefixes: ["models/"] },
                // Never prune the GCS copy: a primary switch to a bucket missing archives must not delete them.
                transferOptions: { overwriteWhen: "DIFFERENT", deleteObjectsUniqueInSink: false },
            },
            schedule: { repeatInterval: "3600s" },
        });
        expect(input(job, "transferSpec", "awsS3DataSource")).not.toHaveProperty("awsAccessKey");
        const transfer = store.transfers.usc1;
        expect(recorded.get(job.name)?.opts.dependsOn).toEqual(
            expect.arrayContaining([transfer.agentBucketWriter, transfer.agentObjectViewer, transfer.sourceRolePolicy]),
        );
    });

    it("schedules the first copy for when the job is created, and keeps that date on later runs", () => {
        const { mocks, recorded } = built;
        const job = the(mocks, "modelStore-usc1-transfer-job");
        const schedule = input<Json>(job, "schedule");
        // The date of the run that built the store: the day it started or, across midnight, the next.
        expect([transferStartDate(builtFrom), transferStartDate(builtUntil)]).toContainEqual(schedule["scheduleStartDate"]);
        // A start time of day would hold the first run until that time.
        expect(schedule).not.toHaveProperty("startTimeOfDay");
        expect(recorded.get(job.name)?.opts.ignoreChanges).toEqual(["schedule.scheduleStartDate"]);
    });

    it("refuses a transfer interval under an hour and a date that does not exist, naming both", () => {
        const { store } = built;
        expect(
            () =>
                new ModelStoreTransfer("bad-transfer", {
                    source: store.awsBuckets.use1,
                    destination: store.gcsBuckets.usc1,
                    intervalMinutes: 30,
                    scheduleStartDate: { year: 2025, month: 2, day: 30 },
                }),
        ).toThrow(
            "ModelStoreTransfer bad-transfer: intervalMinutes must be a whole number >= 60 (the Storage Transfer Service minimum), got 30; scheduleStartDate must be a calendar date, got 2025-2-30",
        );
    });

    it.each([
        ["use1", "us-east-1"],
        ["euw1", "eu-west-1"],
    ])("lets TorchServe in %s read only its own bucket through EKS Pod Identity", (region, awsRegion) => {
        const { mocks, store } = built;
        const association = the(mocks, `modelStore-${region}-reader-association`);
        expect(association.inputs).toMatchObject({
            region: awsRegion,
            clusterName: `eks-${region}`,
            namespace: "modelfleet",
            serviceAccount: TORCHSERVE_SERVICE_ACCOUNT,
            roleArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/modelStore-${region}-reader-role`,
        });
        // Only TorchServe's service account in this region's cluster may be handed the role.
        expect(statements(the(mocks, `modelStore-${region}-reader-role`).inputs["assumeRolePolicy"])).toEqual([
            {
                Sid: "EksPodIdentityForOneServiceAccount",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": MOCK_ACCOUNT_ID,
                        "aws:RequestTag/eks-cluster-name": `eks-${region}`,
                        "aws:RequestTag/kubernetes-namespace": "modelfleet",
                        "aws:RequestTag/kubernetes-service-account": TORCHSERVE_SERVICE_ACCOUNT,
                    },
                },
            },
        ]);
        const arn = `arn:aws:s3:::modelfleet-models-${region}-${suffix}`;
        const read = statements(the(mocks, `modelStore-${region}-reader-read`).inputs["policy"]);
        expect(read.map((s) => [s.Effect, list(s.Action), s.Resource])).toEqual([
            ["Allow", ["s3:ListBucket"], arn],
            ["Allow", ["s3:GetObject"], `${arn}/*`],
            ["Allow", ["kms:Decrypt"], `arn:aws:kms:${awsRegion}:${MOCK_ACCOUNT_ID}:key/modelStore-${region}-key`],
        ]);
        const access = store.access[region];
        expect(access.kind).toBe("s3");
        expect(access.bucketRegion).toBe(awsRegion);
        expect(access.staticCredentials).toBeUndefined();
        expect(access.readyResources).toHaveLength(2);
    });

    it("binds a Google service account with object-viewer on the GCS copy to the TorchServe service account", async () => {
        const { mocks, store } = built;
        const accountId = `mfm-usc1-${suffix}`;
        expect(the(mocks, "modelStore-usc1-reader-account").inputs).toMatchObject({ project: "modelfleet-prod", accountId });
        const email = `${accountId}@modelfleet-prod.iam.gserviceaccount.com`;
        expect(the(mocks, "modelStore-usc1-reader-viewer").inputs).toEqual({
            bucket: `modelfleet-models-usc1-${suffix}`,
            role: "roles/storage.objectViewer",
            member: `serviceAccount:${email}`,
        });
        expect(the(mocks, "modelStore-usc1-reader-workload-identity").inputs).toEqual({
            serviceAccountId: `projects/modelfleet-prod/serviceAccounts/${email}`,
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:modelfleet-prod.svc.id.goog[modelfleet/torchserve]",
        });
        const access = store.access.usc1;
        expect(access.kind).toBe("gcs");
        expect(await promiseOf(access.uri)).toBe(`gs://modelfleet-models-usc1-${suffix}`);
        expect(await promiseOf(pulumi.output(access.serviceAccountAnnotations["iam.gke.io/gcp-service-account"]))).toBe(email);
    });

    it("points the edge cluster at its source region's copy with the secret read-only keys", async () => {
        const { store, config } = built;
        const access = store.access["edge-muc"];
        expect(access.kind).toBe("s3");
        expect(access.bucketRegion).toBe("eu-west-1");
        expect(await promiseOf(access.uri)).toBe(`s3://modelfleet-models-euw1-${suffix}`);
        expect(access.staticCredentials).toBe(config.secrets.edgeStoreCredentials["edge-muc"]);
        const keys = access.staticCredentials;
        if (!keys) throw new Error("edge-muc has no static credentials");
        expect(await pulumi.isSecret(keys.accessKeyId)).toBe(true);
        expect(await pulumi.isSecret(keys.secretAccessKey)).toBe(true);
        expect(built.mocks.resources.some((r) => r.type.startsWith("aws:iam/accessKey") || r.type.startsWith("aws:iam/user:"))).toBe(false);
        const policy = statements(await promiseOf(store.edgeReaderPolicies["edge-muc"]));
        expect(policy.map((s) => s.Resource)).toEqual([
            `arn:aws:s3:::modelfleet-models-euw1-${suffix}`,
            `arn:aws:s3:::modelfleet-models-euw1-${suffix}/*`,
            `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/modelStore-euw1-key`,
        ]);
    });

    it("keeps every bucket and key on delete, protects them in prod, never force-destroys", () => {
        const { mocks, recorded } = built;
        const stateful = mocks.resources.filter((r) => [S3_BUCKET, GCS_BUCKET, KMS_KEY, GCP_KMS_KEY].includes(r.type));
        expect(stateful.map((r) => r.name).sort()).toEqual(
            [
                "modelStore-euw1-bucket",
                "modelStore-euw1-key",
                "modelStore-use1-bucket",
                "modelStore-use1-key",
                "modelStore-usc1-bucket",
                "modelStore-usc1-key",
            ].sort(),
        );
        for (const r of stateful) {
            expect([r.name, recorded.get(r.name)?.opts.retainOnDelete, recorded.get(r.name)?.opts.protect]).toEqual([r.name, true, true]);
        }
        for (const name of [
            "use1-versioning",
            "use1-encryption",
            "use1-public-access",
            "use1-ownership",
            "use1-tls-only",
            "use1-lifecycle",
            "usc1-keyring",
            "usc1-key-user",
        ]) {
            expect([name, recorded.get(`modelStore-${name}`)?.opts.retainOnDelete]).toEqual([name, true]);
        }
        expect(mocks.resources.filter((r) => r.inputs["forceDestroy"] === true)).toEqual([]);
    });

    it("exposes bucket names, URIs, the primary bucket and the publish command", async () => {
        const { store } = built;
        expect(store.primaryRegion).toBe("use1");
        expect(await promiseOf(store.primaryBucketName)).toBe(`modelfleet-models-use1-${suffix}`);
        expect(await promiseOf(pulumi.output(store.bucketUris))).toEqual({
            use1: `s3://modelfleet-models-use1-${suffix}`,
            euw1: `s3://modelfleet-models-euw1-${suffix}`,
            usc1: `gs://modelfleet-models-usc1-${suffix}`,
            "edge-muc": `s3://modelfleet-models-euw1-${suffix}`,
        });
        expect(await promiseOf(pulumi.output(store.bucketNames))).toMatchObject({
            usc1: `modelfleet-models-usc1-${suffix}`,
            "edge-muc": `modelfleet-models-euw1-${suffix}`,
        });
        expect(Object.keys(store.transferJobNames)).toEqual(["usc1"]);
        expect(await promiseOf(store.transferJobNames.usc1)).toMatch(/^transferJobs\/[0-9]+$/);
        expect(await promiseOf(store.publishCommand)).toBe(
            `aws s3 cp "./$MODEL.mar" "s3://modelfleet-models-use1-${suffix}/models/$MODEL/$VERSION/$MODEL.mar" --region us-east-1`,
        );
    });
});

describe("first transfer", () => {
    it("starts on the UTC day the job is created, so the service runs it at once", () => {
        expect(transferStartDate(new Date("2025-03-10T00:00:00Z"))).toEqual({ year: 2025, month: 3, day: 10 });
        expect(transferStartDate(new Date("2025-03-10T22:59:59Z"))).toEqual({ year: 2025, month: 3, day: 10 });
        // The local date differs from the UTC one here; the schedule is in UTC.
        expect(transferStartDate(new Date("2025-03-10T21:30:00-05:00"))).toEqual({ year: 2025, month: 3, day: 11 });
    });

    it("late in the UTC day, starts tomorrow: a date already past when the job lands would wait a day", () => {
        expect(transferStartDate(new Date("2025-03-10T23:00:00Z"))).toEqual({ year: 2025, month: 3, day: 11 });
        expect(transferStartDate(new Date("2024-02-28T23:30:00Z"))).toEqual({ year: 2024, month: 2, day: 29 });
        expect(transferStartDate(new Date("2024-12-31T23:59:59Z"))).toEqual({ year: 2025, month: 1, day: 1 });
    });
});

describe("project APIs", () => {
    it("never enables a service that the GCP region in the same project enables too", async () => {
        const config = prodConfig();
        const { mocks } = await build(config);
        const usc1 = config.regions.find((r) => r.name === "usc1");
        if (usc1?.cloud !== "gcp") throw new Error("usc1 is expected to be the prod GCP region");
        const region = new GcpRegion("usc1", { region: usc1, config });
        await promiseOf(region.cluster.endpoint);
        await settle();
        const services = mocks.ofType("gcp:projects/service:Service").map((r) => `${r.inputs["project"]}/${r.inputs["service"]}`);
        expect(services.sort()).toEqual(
            [...REGION_APIS, "storagetransfer.googleapis.com", "cloudkms.googleapis.com"].map((api) => `modelfleet-prod/${api}`).sort(),
        );
    });
});

describe("settings and environments", () => {
    it("leaves Replication Time Control off unless configured", async () => {
        const { mocks } = await build(prodConfig((raw) => ((raw["modelStore"] as Json)["replicationTimeControl"] = false)));
        const destination = input<Json>(mocks.ofType(REPLICATION)[0], "rules", 0, "destination");
        expect(destination).not.toHaveProperty("replicationTime");
        expect(destination).not.toHaveProperty("metrics");
        expect(destination["encryptionConfiguration"]).toBeDefined();
    });

    it("keeps buckets on delete in dev too, without protect, and makes no replication for one region", async () => {
        const raw = stackSettings("dev");
        const { mocks, recorded, store } = await build(fleetConfig(raw, "dev"));
        expect(mocks.ofType(S3_BUCKET)).toHaveLength(1);
        expect(mocks.ofType(REPLICATION)).toHaveLength(0);
        expect(store.replication).toBeUndefined();
        expect(the(mocks, "modelStore-use1-lifecycle").inputs).toMatchObject({
            rules: [{ noncurrentVersionExpiration: { noncurrentDays: 14 } }, {}],
        });
        const opts = recorded.get("modelStore-use1-bucket")?.opts;
        expect([opts?.retainOnDelete, opts?.protect]).toEqual([true, false]);
    });

    it("a prod region with protect: false has its bucket unprotected (still retained on delete); the others stay protected", async () => {
        const { recorded } = await build(prodConfig((raw) => ((raw["regions"] as Json[])[1]["protect"] = false)));
        const opts = (name: string) => [recorded.get(name)?.opts.retainOnDelete, recorded.get(name)?.opts.protect];
        expect(opts("modelStore-euw1-bucket")).toEqual([true, false]);
        expect(opts("modelStore-use1-bucket")).toEqual([true, true]);
    });

    it("removing a region removes only its bucket, identity and replication rule", async () => {
        const usw2 = (raw: Json) => {
            const regions = raw["regions"] as Json[];
            regions.splice(2, 0, { ...structuredClone(regions[1]), name: "usw2", region: "us-west-2", vpcCidr: "10.50.0.0/16" });
        };
        const before = await build(prodConfig(usw2));
        const snapshot = (m: FleetMocks) => new Map(m.resources.filter((r) => r.custom).map((r) => [r.name, JSON.stringify(r.inputs)]));
        const beforeResources = snapshot(before.mocks);
        const beforeRules = input<Json[]>(before.mocks.ofType(REPLICATION)[0], "rules");
        expect(beforeRules.map((r) => r["id"])).toEqual(["to-euw1", "to-usw2"]);

        const after = await build(
            prodConfig((raw) => {
                usw2(raw);
                const regions = raw["regions"] as Json[];
                regions.splice(1, 1);
                const edge = regions.find((r) => r["name"] === "edge-muc");
                if (edge) edge["modelStoreSource"] = "usw2";
            }),
        );
        const afterResources = snapshot(after.mocks);
        const gone = [...beforeResources.keys()].filter((n) => !afterResources.has(n));
        const added = [...afterResources.keys()].filter((n) => !beforeResources.has(n));
        expect(added).toEqual([]);
        expect(gone.every((n) => n.startsWith("modelStore-euw1-") || n.startsWith("k8s-euw1"))).toBe(true);
        expect(gone).toEqual(
            expect.arrayContaining(["modelStore-euw1-bucket", "modelStore-euw1-key", "modelStore-euw1-reader-association"]),
        );
        // Everything else is untouched, except the one replication configuration that loses a rule.
        const changed = [...afterResources.keys()].filter((n) => afterResources.get(n) !== beforeResources.get(n)).sort();
        expect(changed).toEqual(["modelStore-replication-config", "modelStore-replication-policy"]);
        const afterRules = input<Json[]>(after.mocks.ofType(REPLICATION)[0], "rules");
        const { priority: _before, ...keptRule } = beforeRules[1];
        const { priority: _after, ...stillThere } = afterRules[0];
        expect(afterRules).toHaveLength(1);
        expect(stillThere).toEqual(keptRule);
        // The removed bucket was kept on delete, so removing its region deletes no data.
        expect(before.recorded.get("modelStore-euw1-bucket")?.opts.retainOnDelete).toBe(true);
    });
});

describe("bad input is refused with the key named", () => {
    let config: FleetConfig;
    beforeAll(async () => {
        await useMocks();
        config = prodConfig();
    });
    const attempt = (
        change: (c: FleetConfig) => FleetConfig,
        clusters?: (c: FleetConfig) => Record<string, RegionCluster>,
        extra: Partial<ModelStoreArgs> = {},
    ) => {
        const changed = change(structuredConfig(config));
        return () => new ModelStore("bad", { config: changed, clusters: clusters ? clusters(changed) : clustersFor(changed), ...extra });
    };

    it("a primary region that is not an AWS region", () => {
        expect(attempt((c) => ({ ...c, modelStore: { ...c.modelStore, primaryRegion: "usc1" } }))).toThrow(
            "ModelStore bad: modelStore.primaryRegion must name an AWS region entry (one of: use1, euw1), got 'usc1'",
        );
        expect(attempt((c) => ({ ...c, modelStore: { ...c.modelStore, primaryRegion: "apse1" } }))).toThrow(
            "modelStore.primaryRegion must name an AWS region entry (one of: use1, euw1), got 'apse1'",
        );
    });

    it("a retention of zero days, every one named at once", () => {
        expect(
            attempt((c) => ({
                ...c,
                modelStore: {
                    ...c.modelStore,
                    noncurrentVersionDays: 0,
                    abortIncompleteUploadDays: 0,
                    gcsSoftDeleteDays: 0,
                    transferIntervalMinutes: 30,
                },
            })),
        ).toThrow(
            "ModelStore bad: modelStore.noncurrentVersionDays must be at least 1 day, got 0; " +
                "modelStore.abortIncompleteUploadDays must be at least 1 day, got 0; " +
                "modelStore.gcsSoftDeleteDays must be 7-90 days, got 0; " +
                "modelStore.transferIntervalMinutes must be at least 60 (the Storage Transfer Service minimum), got 30",
        );
    });

    it("an edge region whose replication source does not exist", () => {
        expect(
            attempt((c) => ({ ...c, regions: c.regions.map((r) => (r.cloud === "existing" ? { ...r, modelStoreSource: "apse1" } : r)) })),
        ).toThrow(
            "ModelStore bad: regions[3].modelStoreSource names 'apse1', which is not an AWS region entry holding a model-store copy (one of: use1, euw1)",
        );
    });

    it("an edge region without read-only keys", () => {
        expect(attempt((c) => ({ ...c, secrets: { ...c.secrets, edgeStoreCredentials: {} } }))).toThrow(
            "ModelStore bad: edgeStoreCredentials.edge-muc is missing: region edge-muc reads the store with read-only keys",
        );
    });

    it("a missing or mismatched cluster", () => {
        expect(
            attempt(
                (c) => c,
                (c) => {
                    const all = clustersFor(c);
                    delete all["euw1"];
                    return all;
                },
            ),
        ).toThrow("ModelStore bad: clusters.euw1 is missing: region euw1 needs its RegionCluster for workload access");
        expect(
            attempt(
                (c) => c,
                (c) => {
                    const all = clustersFor(c);
                    all["usc1"] = { ...all["usc1"], workloadIdentity: { kind: "static-credentials" } };
                    return all;
                },
            ),
        ).toThrow(
            "ModelStore bad: clusters.usc1.workloadIdentity.kind must be gke-workload-identity for GCP region usc1, got static-credentials",
        );
    });

    it("a GCP project without a provider when providers are given", () => {
        expect(attempt((c) => c, undefined, { gcpProviders: {} })).toThrow(
            "ModelStore bad: gcpProviders.modelfleet-prod is missing: region usc1 is in that project",
        );
    });
});

/** A copy of the config whose plain fields can be changed per test (secrets stay shared Outputs). */
function structuredConfig(config: FleetConfig): FleetConfig {
    return {
        ...config,
        regions: config.regions.map((r) => ({ ...r })),
        modelStore: { ...config.modelStore },
        secrets: { ...config.secrets },
    };
}
