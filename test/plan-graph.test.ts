import type * as aws from "@pulumi/aws";
import type { Plan, PlanResource } from "../tools/contracts";
import { allows } from "./iam-eval";
import { planOnce } from "./plan-contract";
import { PlanGraph, resourcesRacingTheirApi } from "./plan-graph";

const prod = planOnce("prod");
const plan = () => prod.read<Plan>("plan.json");

function resource(name: string, type: string, extra: Partial<PlanResource> = {}): PlanResource {
    return { urn: `urn:pulumi:t::p::${type}::${name}`, type, name, custom: true, inputs: {}, opts: {}, ...extra };
}

describe("every GCP resource waits for the API it calls", () => {
    it("the prod plan has no GCP resource that could race its API", () => {
        expect(prod.result().code).toBe(0);
        expect(resourcesRacingTheirApi(plan())).toEqual([]);
    });

    it("the prod plan's reader account waits for iam.googleapis.com", () => {
        const account = plan().resources.find((r) => r.name === "model-store-usc1-reader-account");
        expect(account?.dependencies).toEqual(expect.arrayContaining([expect.stringMatching(/::gcp-modelfleet-prod-apis-iam$/)]));
    });

    it("names a service account created with no path to the IAM API", () => {
        const iam = resource("apis-iam", "gcp:projects/service:Service", { inputs: { project: "p1", service: "iam.googleapis.com" } });
        const account = resource("reader", "gcp:serviceaccount/account:Account", { inputs: { project: "p1" } });
        const synthetic: Plan = { project: "p", stack: "t", resources: [iam, account], outputs: {} };
        expect(resourcesRacingTheirApi(synthetic)).toEqual(["reader (gcp:serviceaccount/account:Account) needs iam.googleapis.com"]);
        account.dependencies = [iam.urn];
        expect(resourcesRacingTheirApi(synthetic)).toEqual([]);
    });

    it("follows a path through other resources and through a component's children", () => {
        const component = resource("apis", "modelfleet:gcp:ProjectApis", { custom: false });
        const compute = resource("apis-compute", "gcp:projects/service:Service", {
            parent: component.urn,
            inputs: { project: "p1", service: "compute.googleapis.com" },
        });
        const network = resource("net", "gcp:compute/network:Network", { inputs: { project: "p1" }, dependencies: [component.urn] });
        const subnet = resource("subnet", "gcp:compute/subnetwork:Subnetwork", { inputs: { project: "p1" }, dependencies: [network.urn] });
        const elsewhere = resource("other", "gcp:compute/subnetwork:Subnetwork", {
            inputs: { project: "p2" },
            dependencies: [network.urn],
        });
        const synthetic: Plan = { project: "p", stack: "t", resources: [component, compute, network, subnet, elsewhere], outputs: {} };
        expect(resourcesRacingTheirApi(synthetic)).toEqual(["other (gcp:compute/subnetwork:Subnetwork) needs compute.googleapis.com"]);
    });

    it("refuses a GCP type nobody has mapped to its API", () => {
        const synthetic: Plan = { project: "p", stack: "t", resources: [resource("x", "gcp:pubsub/topic:Topic")], outputs: {} };
        expect(resourcesRacingTheirApi(synthetic)).toEqual(["x (gcp:pubsub/topic:Topic) is of a type with no known API"]);
    });
});

/** The serving run of a stack whose store exists (the second run of a new stack, every later run). */
describe("second run: deployStage serving waits for each region's copy", () => {
    let graph: PlanGraph;
    beforeAll(() => (graph = new PlanGraph(plan())));
    const urn = (type: string, name: string) => {
        const found = graph.find(type, name);
        expect(found.map((r) => r.name)).toEqual([name]);
        return found[0].urn;
    };
    const deployment = (name: string) => urn("kubernetes:apps/v1:Deployment", name);
    const backfill = () => urn("kubernetes:batch/v1:Job", "model-store-euw1-backfill-job");

    it("the replica's backfill waits for replication to it, so nothing published meanwhile is missed", () => {
        const replication = urn("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "model-store-replication-config");
        expect(graph.waitsFor(backfill()).has(replication)).toBe(true);
        expect(graph.waitsFor(backfill()).has(urn("aws:s3/bucket:Bucket", "model-store-euw1-bucket"))).toBe(true);
    });

    it("TorchServe in the replica region and at the edge it feeds waits for the backfill; the primary's does not need one", () => {
        expect(graph.waitsFor(deployment("euw1-serving-torchserve-blue")).has(backfill())).toBe(true);
        expect(graph.waitsFor(deployment("edge-muc-serving-torchserve-blue")).has(backfill())).toBe(true);
        expect(graph.waitsFor(deployment("use1-serving-torchserve-blue")).has(backfill())).toBe(false);
        expect(graph.waitsFor(deployment("use1-serving-torchserve-blue")).has(urn("aws:s3/bucket:Bucket", "model-store-use1-bucket"))).toBe(
            true,
        );
    });

    it("TorchServe on GKE waits for the transfer job, which runs once as soon as it exists", () => {
        const job = urn("gcp:storage/transferJob:TransferJob", "model-store-usc1-transfer-job");
        expect(graph.waitsFor(deployment("usc1-serving-torchserve-blue")).has(job)).toBe(true);
    });

    it("the region's DNS record waits for its Ingress, and the health checks for the record", () => {
        const ingress = urn("kubernetes:networking.k8s.io/v1:Ingress", "euw1-serving-ingress");
        const record = urn("aws:route53/record:Record", "global-euw1-regional");
        expect(graph.waitsFor(record).has(ingress)).toBe(true);
        const check = urn("aws:route53/healthCheck:HealthCheck", "global-euw1-ping");
        expect(graph.waitsFor(check).has(record)).toBe(true);
    });
});

describe("the AWS Load Balancer Controller's rendered IAM policies", () => {
    const policyOf = (region: string): aws.iam.PolicyDocument => {
        const rolePolicy = plan().resources.find(
            (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === `${region}-lbc-identity-policy`,
        );
        return JSON.parse(String(rolePolicy?.inputs["policy"])) as aws.iam.PolicyDocument;
    };
    const cluster = (region: string) => `modelfleet-prod-${region}`;
    const account = "111122223333";
    const deleteLb = (awsRegion: string, clusterName: string) => ({
        action: "elasticloadbalancing:DeleteLoadBalancer",
        resource: `arn:aws:elasticloadbalancing:${awsRegion}:${account}:loadbalancer/app/k8s-x/abc`,
        context: { "aws:RequestedRegion": awsRegion, "aws:ResourceTag/elbv2.k8s.aws/cluster": clusterName },
    });

    it("let each region's controller delete its own cluster's load balancers", () => {
        expect(allows(policyOf("use1"), deleteLb("us-east-1", cluster("use1")))).toBe(true);
        expect(allows(policyOf("euw1"), deleteLb("eu-west-1", cluster("euw1")))).toBe(true);
    });

    it("refuse another region's load balancers, another cluster's tag, and untagged ones", () => {
        expect(allows(policyOf("use1"), deleteLb("eu-west-1", cluster("euw1")))).toBe(false);
        expect(allows(policyOf("use1"), deleteLb("us-east-1", cluster("euw1")))).toBe(false);
        const untagged = deleteLb("us-east-1", cluster("use1"));
        delete (untagged.context as Record<string, string>)["aws:ResourceTag/elbv2.k8s.aws/cluster"];
        expect(allows(policyOf("use1"), untagged)).toBe(false);
    });

    it("create load balancers only tagged for their own cluster", () => {
        const create = (tag: string) => ({
            action: "elasticloadbalancing:CreateLoadBalancer",
            resource: `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/k8s-x/abc`,
            context: { "aws:RequestedRegion": "us-east-1", "aws:RequestTag/elbv2.k8s.aws/cluster": tag },
        });
        expect(allows(policyOf("use1"), create(cluster("use1")))).toBe(true);
        expect(allows(policyOf("use1"), create(cluster("euw1")))).toBe(false);
    });

    it("change security groups only in the region's own VPC", () => {
        // The mocks name a VPC's id after the resource: the use1 policy must name use1's VPC.
        const vpcArns = (policyOf("use1").Statement as aws.iam.PolicyStatement[]).flatMap((st) => {
            const v = ((st.Condition ?? {}) as Record<string, Record<string, unknown>>)["StringEquals"]?.["ec2:Vpc"];
            return v === undefined ? [] : [String(v)];
        });
        expect(new Set(vpcArns).size).toBe(1);
        expect(vpcArns[0]).toMatch(/^arn:aws:ec2:us-east-1:111122223333:vpc\/use1-network-vpc-[0-9a-f]+$/);
        const vpcOf = () => vpcArns[0];
        const openNodes = (vpcArn: string) => ({
            action: "ec2:AuthorizeSecurityGroupIngress",
            resource: `arn:aws:ec2:us-east-1:${account}:security-group/sg-1`,
            context: { "aws:RequestedRegion": "us-east-1", "ec2:Vpc": vpcArn },
        });
        expect(allows(policyOf("use1"), openNodes(vpcOf()))).toBe(true);
        expect(allows(policyOf("use1"), openNodes(`arn:aws:ec2:us-east-1:${account}:vpc/vpc-other`))).toBe(false);
    });

    it("carry no statement that allows a change without naming the region", () => {
        for (const region of ["use1", "euw1"]) {
            for (const s of policyOf(region).Statement as aws.iam.PolicyStatement[]) {
                const condition = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
                expect({ sid: s.Sid, region: condition["StringEquals"]?.["aws:RequestedRegion"] }).toEqual({
                    sid: s.Sid,
                    region: region === "use1" ? "us-east-1" : "eu-west-1",
                });
            }
        }
    });
});
