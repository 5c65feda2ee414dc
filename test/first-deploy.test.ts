import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan } from "../tools/contracts";
import { main } from "../tools/plan";

/**
 * A new stack's first `pulumi up` (deployStage: modelStore) makes the clusters and the model
 * store and nothing that waits for an archive; the second (serving) makes the workloads,
 * each after its region's copy of the store is ready.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-first-deploy-"));
let firstRun: { code: number; plan: Plan };

beforeAll(async () => {
    const prod = fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
    expect(prod).toContain("  modelfleet:environment: prod\n");
    const file = path.join(dir, "Pulumi.fresh.yaml");
    fs.writeFileSync(
        file,
        prod.replace("  modelfleet:environment: prod\n", "  modelfleet:environment: prod\n  modelfleet:deployStage: modelStore\n"),
    );
    const code = await main(["--config-file", file, "--out", path.join(dir, "out")], { stdout: () => undefined, stderr: () => undefined });
    firstRun = { code, plan: JSON.parse(fs.readFileSync(path.join(dir, "out", "plan.json"), "utf8")) as Plan };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const names = (plan: Plan, type: string) =>
    plan.resources
        .filter((r) => r.type === type)
        .map((r) => r.name)
        .sort();

describe("first run of a new stack: deployStage modelStore", () => {
    it("plans cleanly", () => expect(firstRun.code).toBe(0));

    it("makes every copy of the store, replication, the replica's backfill and the first transfer", () => {
        const plan = firstRun.plan;
        expect(names(plan, "aws:s3/bucket:Bucket")).toEqual(["model-store-euw1-bucket", "model-store-use1-bucket"]);
        expect(names(plan, "gcp:storage/bucket:Bucket")).toEqual(["model-store-usc1-bucket"]);
        expect(names(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(1);
        expect(names(plan, "kubernetes:batch/v1:Job")).toEqual(["model-store-euw1-backfill-job"]);
        expect(names(plan, "gcp:storage/transferJob:TransferJob")).toEqual(["model-store-usc1-transfer-job"]);
    });

    it("makes nothing that waits for an archive: no TorchServe, no Ingress, no global records or health checks", () => {
        const plan = firstRun.plan;
        expect(names(plan, "kubernetes:apps/v1:Deployment").filter((n) => n.includes("-serving-"))).toEqual([]);
        expect(names(plan, "kubernetes:networking.k8s.io/v1:Ingress")).toEqual([]);
        expect(names(plan, "aws:route53/healthCheck:HealthCheck")).toEqual([]);
        expect(names(plan, "aws:route53/record:Record").filter((n) => n.startsWith("global-"))).toEqual([]);
        expect(plan.outputs["deployStage"]).toBe("modelStore");
        expect(plan.outputs["modelStorePrimaryBucket"]).toEqual(expect.stringMatching(/^modelfleet-models-use1-[0-9a-f]{8}$/));
    });
});
