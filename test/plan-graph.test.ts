import type { Plan, PlanResource } from "../tools/contracts";
import { planOnce } from "./plan-contract";
import { resourcesRacingTheirApi } from "./plan-graph";

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
