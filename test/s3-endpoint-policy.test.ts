import type * as aws from "@pulumi/aws";
import { nodeBucketsOf, s3EndpointPolicy } from "../components/aws/s3EndpointPolicy";
import type { Plan } from "../tools/contracts";
import { allows } from "./iam-eval";
import { planOnce } from "./plan-contract";

const get = (bucket: string, key = "models/resnet50/1.0/resnet50.mar") => ({
    action: "s3:GetObject",
    resource: `arn:aws:s3:::${bucket}/${key}`,
    context: {},
});
const put = (bucket: string, key = "models/resnet50/1.0/resnet50.mar") => ({
    action: "s3:PutObject",
    resource: `arn:aws:s3:::${bucket}/${key}`,
    context: {},
});
const list = (bucket: string) => ({ action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: {} });

describe("the S3 gateway endpoint policy", () => {
    const replica = s3EndpointPolicy(
        { own: "modelfleet-models-euw1-1a2b3c4d", primary: "modelfleet-models-use1-1a2b3c4d" },
        nodeBucketsOf("eu-west-1", false).map((b) => b.bucket),
    );
    const primary = s3EndpointPolicy(
        { own: "modelfleet-models-use1-1a2b3c4d" },
        nodeBucketsOf("us-east-1", false).map((b) => b.bucket),
    );

    it("lets the region's pods read its model-store copy and a replica's backfill write archives into it", () => {
        expect(allows(replica, list("modelfleet-models-euw1-1a2b3c4d"))).toBe(true);
        expect(allows(replica, get("modelfleet-models-euw1-1a2b3c4d"))).toBe(true);
        expect(allows(replica, put("modelfleet-models-euw1-1a2b3c4d"))).toBe(true);
        expect(allows(replica, get("modelfleet-models-use1-1a2b3c4d"))).toBe(true);
        expect(allows(primary, get("modelfleet-models-use1-1a2b3c4d"))).toBe(true);
    });

    it("lets the nodes pull ECR layers, registry.k8s.io layers and AL2023 packages of their own region", () => {
        expect(allows(primary, get("prod-us-east-1-starport-layer-bucket", "sha256/abc"))).toBe(true);
        expect(allows(primary, get("prod-registry-k8s-io-us-east-1", "containers/images/sha256:abc"))).toBe(true);
        expect(allows(primary, get("al2023-repos-us-east-1-de612dc2", "core/mirrors/latest/x86_64/mirror.list"))).toBe(true);
    });

    it("refuses every other bucket, writes outside the replica's archives and another region's AWS buckets", () => {
        expect(allows(replica, get("someone-elses-bucket"))).toBe(false);
        expect(allows(replica, put("someone-elses-bucket"))).toBe(false);
        expect(allows(replica, list("someone-elses-bucket"))).toBe(false);
        // The primary is written only by publishing, from outside the VPCs.
        expect(allows(replica, put("modelfleet-models-use1-1a2b3c4d"))).toBe(false);
        expect(allows(replica, put("modelfleet-models-euw1-1a2b3c4d", "index.html"))).toBe(false);
        expect(allows(primary, put("modelfleet-models-use1-1a2b3c4d"))).toBe(false);
        expect(allows(primary, get("modelfleet-models-euw1-1a2b3c4d"))).toBe(false);
        expect(allows(primary, put("prod-us-east-1-starport-layer-bucket", "sha256/abc"))).toBe(false);
        expect(allows(primary, get("prod-eu-west-1-starport-layer-bucket", "sha256/abc"))).toBe(false);
        expect(
            allows(primary, { action: "s3:DeleteObject", resource: "arn:aws:s3:::modelfleet-models-use1-1a2b3c4d/models/x", context: {} }),
        ).toBe(false);
    });

    it("adds the SSM Agent's buckets only for nodes with SSM access", () => {
        expect(nodeBucketsOf("eu-west-1", false).map((b) => b.bucket)).toEqual([
            "prod-eu-west-1-starport-layer-bucket",
            "al2023-repos-eu-west-1-de612dc2",
            "prod-registry-k8s-io-eu-west-1",
        ]);
        expect(nodeBucketsOf("eu-west-2", true).map((b) => b.bucket)).toEqual([
            "prod-eu-west-2-starport-layer-bucket",
            "al2023-repos-eu-west-2-de612dc2",
            "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2",
            "amazon-ssm-eu-west-2",
            "aws-ssm-eu-west-2",
            "eu-west-2-birdwatcher-prod",
            "aws-ssm-document-attachments-eu-west-2",
            "patch-baseline-snapshot-eu-west-2",
        ]);
    });
});

describe("prod's S3 gateway endpoints", () => {
    const prod = planOnce("prod");
    const plan = () => prod.read<Plan>("plan.json");

    it("each AWS region's endpoint has a policy limited to its buckets", () => {
        expect(prod.result().code).toBe(0);
        const endpoints = plan().resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint");
        const policies = plan().resources.filter((r) => r.type === "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy");
        expect(endpoints.map((r) => r.name).sort()).toEqual(["euw1-network-s3", "use1-network-s3"]);
        expect(policies.map((r) => [r.name, r.inputs["region"]]).sort()).toEqual([
            ["model-store-euw1-s3-endpoint-policy", "eu-west-1"],
            ["model-store-use1-s3-endpoint-policy", "us-east-1"],
        ]);
        for (const policy of policies) {
            const region = String(policy.inputs["region"]);
            const endpoint = endpoints.find((e) => e.inputs["region"] === region);
            expect(policy.dependencies).toEqual(expect.arrayContaining([endpoint?.urn]));
            const doc = JSON.parse(String(policy.inputs["policy"])) as aws.iam.PolicyDocument;
            expect(allows(doc, get("attacker-bucket-in-the-same-region"))).toBe(false);
            expect(allows(doc, get(`prod-${region}-starport-layer-bucket`, "sha256/abc"))).toBe(true);
        }
    });

    it("the primary's endpoint reads only the primary; the replica's reads both and writes only its own archives", () => {
        const docOf = (name: string) =>
            JSON.parse(String(plan().resources.find((r) => r.name === name)?.inputs["policy"])) as aws.iam.PolicyDocument;
        const use1 = docOf("model-store-use1-s3-endpoint-policy");
        const euw1 = docOf("model-store-euw1-s3-endpoint-policy");
        const bucketOf = (region: string) =>
            String(
                plan().resources.find((r) => r.name === `model-store-${region}-bucket` && r.type === "aws:s3/bucket:Bucket")?.inputs[
                    "bucket"
                ],
            );
        const [use1Bucket, euw1Bucket] = [bucketOf("use1"), bucketOf("euw1")];
        expect(use1Bucket).toMatch(/^modelfleet-models-use1-[0-9a-f]{8}$/);
        expect(allows(use1, get(use1Bucket))).toBe(true);
        expect(allows(use1, get(euw1Bucket))).toBe(false);
        expect(allows(euw1, get(use1Bucket))).toBe(true);
        expect(allows(euw1, put(euw1Bucket))).toBe(true);
        expect(allows(euw1, put(use1Bucket))).toBe(false);
    });
});
