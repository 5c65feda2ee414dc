import type * as aws from "@pulumi/aws";
import { BACKFILL_SCRIPT } from "../components/aws/modelStoreBackfill";
import { backfillPolicy } from "../components/aws/modelStorePolicies";

const primary = {
    bucketArn: "arn:aws:s3:::modelfleet-models-use1-0a1b2c3d",
    keyArn: "arn:aws:kms:us-east-1:444455556666:key/p",
    region: "us-east-1",
};
const replica = {
    bucketArn: "arn:aws:s3:::modelfleet-models-euw1-0a1b2c3d",
    keyArn: "arn:aws:kms:eu-west-1:444455556666:key/r",
    region: "eu-west-1",
};

describe("the backfill of a new replica", () => {
    const doc = backfillPolicy(primary, replica);
    const statements = doc.Statement as aws.iam.PolicyStatement[];
    const allowed = (action: string, resource: string) =>
        statements.some(
            (s) =>
                s.Effect === "Allow" &&
                [s.Action].flat().includes(action) &&
                [s.Resource]
                    .flat()
                    .some((r) => r === resource || (typeof r === "string" && r.endsWith("*") && resource.startsWith(r.slice(0, -1)))),
        );

    it("reads the primary's archives and writes only archives into the replica", () => {
        expect(allowed("s3:GetObject", `${primary.bucketArn}/models/resnet50/1.0/resnet50.mar`)).toBe(true);
        expect(allowed("s3:PutObject", `${replica.bucketArn}/models/resnet50/1.0/resnet50.mar`)).toBe(true);
        expect(allowed("s3:ListBucket", primary.bucketArn)).toBe(true);
        expect(allowed("s3:ListBucket", replica.bucketArn)).toBe(true);
    });

    it("can never write to the primary, outside models/, or delete anything", () => {
        expect(allowed("s3:PutObject", `${primary.bucketArn}/models/resnet50/1.0/resnet50.mar`)).toBe(false);
        expect(allowed("s3:PutObject", `${replica.bucketArn}/other/x`)).toBe(false);
        expect(allowed("s3:DeleteObject", `${replica.bucketArn}/models/resnet50/1.0/resnet50.mar`)).toBe(false);
        expect(allowed("s3:GetObject", `${primary.bucketArn}/other/x`)).toBe(false);
    });

    it("uses each key only through S3 in its own region, for its own bucket", () => {
        const kms = statements.filter((s) => [s.Action].flat().some((a) => String(a).startsWith("kms:")));
        expect(kms).toEqual([
            {
                Sid: "DecryptSource",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: primary.keyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": [primary.bucketArn, `${primary.bucketArn}/*`] },
                },
            },
            {
                Sid: "EncryptReplica",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: replica.keyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": [replica.bucketArn, `${replica.bucketArn}/*`] },
                },
            },
        ]);
    });

    it("copies models/ with one sync, never a delete, and reads no object tags (the role has no s3:GetObjectTagging)", () => {
        expect(BACKFILL_SCRIPT).toContain(
            'aws s3 sync "${SOURCE_URI%/}/models/" "${DESTINATION_URI%/}/models/" --source-region "$SOURCE_REGION" --region "$AWS_REGION" --copy-props metadata-directive --only-show-errors',
        );
        expect(BACKFILL_SCRIPT).not.toContain("--delete");
    });
});
