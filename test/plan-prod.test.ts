import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Plan } from "../tools/contracts";
import { describePlanContract, planOnce } from "./plan-contract";

const planned = planOnce("prod");
describePlanContract("prod", planned);
const out = planned.out;
const read = <T>(_stack: string, file: string): T => planned.read<T>(file);

describe("prod specifics", () => {
    const plan = () => read<Plan>("prod", "plan.json");

    it("carries the cost estimate: every region, every pool priced, floor below ceiling", () => {
        const cost = plan().estimates?.cost;
        expect(cost?.currency).toBe("USD");
        expect(Object.keys(cost?.regions ?? {})).toEqual(["use1", "euw1", "usc1", "edge-muc"]);
        expect(cost?.unpriced).toEqual([]);
        // use1 pays an EKS control plane, three NAT gateways (natGatewayPerAz) and an ALB.
        expect(cost?.regions["use1"].items.filter((i) => i.fixed).map((i) => [i.what, i.quantity])).toEqual(
            expect.arrayContaining([
                ["EKS control plane", 1],
                ["NAT gateway", 3],
                ["Application Load Balancer", 1],
            ]),
        );
        expect(cost?.regions["edge-muc"].items).toEqual([]);
        expect(cost?.total.floorMonthly).toBeLessThan(cost?.total.ceilingMonthly ?? 0);
        expect(cost?.total.fixedMonthly).toBeLessThan(cost?.total.floorMonthly ?? 0);
    });

    it("writes manifests for every cluster, the edge included", () => {
        expect(fs.readdirSync(path.join(out, "prod", "manifests")).sort()).toEqual(["edge-muc", "euw1", "usc1", "use1"]);
    });

    it("never writes a secret value, only the marker", () => {
        const text = fs.readFileSync(path.join(out, "prod", "plan.json"), "utf8");
        const ciphertexts = [...fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8").matchAll(/secure: (\S+)/g)].map(
            (m) => m[1],
        );
        expect(ciphertexts.length).toBeGreaterThanOrEqual(4);
        for (const c of ciphertexts) expect(text).not.toContain(c);
        const edgeProvider = plan().resources.find(
            (r) => r.type === "pulumi:providers:kubernetes" && r.urn.includes("modelfleet:existing:Region"),
        );
        expect(edgeProvider?.inputs["kubeconfig"]).toBe("[secret]");
        expect(plan().outputs["clusterEndpoints"]).toBe("[secret]");
    });

    it("renders Secrets with a stringData map of redacted values, as kubectl apply takes them", () => {
        const secret = YAML.parse(
            fs.readFileSync(path.join(out, "prod", "manifests", "edge-muc", "secret-modelfleet-model-store-credentials.yaml"), "utf8"),
        );
        expect(secret.stringData).toEqual({ AWS_ACCESS_KEY_ID: "[secret]", AWS_SECRET_ACCESS_KEY: "[secret]" });
    });

    it("records retainOnDelete and protect on the model store buckets", () => {
        const buckets = plan().resources.filter((r) => r.type === "aws:s3/bucket:Bucket" || r.type === "gcp:storage/bucket:Bucket");
        expect(buckets.length).toBe(3);
        for (const b of buckets) expect(b.opts).toEqual(expect.objectContaining({ protect: true, retainOnDelete: true }));
    });

    it("exports the outputs the health and debug commands read", () => {
        const outputs = plan().outputs;
        expect(outputs["globalUrl"]).toBe("https://serve.modelfleet.example.com");
        expect(Object.keys(outputs["regionEndpoints"] as object)).toEqual(["use1", "euw1", "usc1", "edge-muc"]);
        expect(outputs["clusterNames"]).toEqual({
            use1: "modelfleet-prod-use1",
            euw1: "modelfleet-prod-euw1",
            usc1: "modelfleet-prod-usc1",
            "edge-muc": "edge-muc",
        });
    });

    it("tells the on-call topic when a region's health check fails", () => {
        const alarms = plan().resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.startsWith("global-"));
        expect(alarms).toHaveLength(4);
        for (const a of alarms) {
            expect(a.inputs["alarmActions"]).toEqual(["arn:aws:sns:us-east-1:444455556666:modelfleet-oncall"]);
            expect(a.inputs["region"]).toBe("us-east-1");
        }
    });

    it("plans two EKS clusters, one GKE cluster and a provider for the edge cluster", () => {
        const count = (type: string) => plan().resources.filter((r) => r.type === type).length;
        expect(count("aws:eks/cluster:Cluster")).toBe(2);
        expect(count("gcp:container/cluster:Cluster")).toBe(1);
        expect(count("pulumi:providers:kubernetes")).toBe(4);
    });
});
