import type { Plan, PlanResource } from "../tools/contracts";
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
