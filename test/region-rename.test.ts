import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { Plan, PlanResource } from "../tools/contracts";
import { storeRenameProblems } from "../tools/plan/storeRenames";
import { planInFreshRegistry, type PlanRun } from "./plan-run";

/**
 * Renaming a region keeps its model-store copy when the region names its former name, and
 * the plan refuses a rename that would replace the copy when it does not.
 */

const ROOT = path.join(__dirname, "..");
const BUCKETS = ["aws:s3/bucket:Bucket", "gcp:storage/bucket:Bucket"];

const plan = planInFreshRegistry;

/** The dev stack file with region use1 renamed to us-east, with or without formerName. */
function renamedDev(dir: string, formerName: boolean): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const regions = doc.config["modelfleet:regions"] as Array<Record<string, unknown>>;
    regions[0].name = "us-east";
    if (formerName) regions[0].formerName = "use1";
    (doc.config["modelfleet:modelStore"] as Record<string, unknown>).primaryRegion = "us-east";
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

const storeResources = (p: Plan) => p.resources.filter((r) => r.urn.includes("modelfleet:global:ModelStore"));
const bucketNames = (p: Plan) =>
    p.resources.filter((r) => BUCKETS.includes(r.type)).map((r) => [r.urn, r.inputs["bucket"] ?? r.inputs["name"]]);

describe("a region rename in the offline plan", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-rename-"));
    const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(tmp, dir, "plan.json"), "utf8")) as Plan;
    let base: PlanRun;
    beforeAll(async () => {
        base = await plan(["--stack", "dev", "--out", path.join(tmp, "base")]);
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("with formerName changes no bucket name and no model-store URN", async () => {
        expect(base.code).toBe(0);
        const dir = fs.mkdtempSync(path.join(tmp, "with-"));
        const run = await plan([
            "--config-file",
            renamedDev(dir, true),
            "--out",
            path.join(tmp, "with"),
            "--previous",
            path.join(tmp, "base", "plan.json"),
        ]);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        const before = read("base");
        const after = read("with");
        expect(bucketNames(after)).toEqual(bucketNames(before));
        expect(bucketNames(after)).toHaveLength(1);
        expect(storeResources(after).map((r) => r.urn)).toEqual(storeResources(before).map((r) => r.urn));
        expect(storeResources(after).length).toBeGreaterThan(10);
        // The region's new name is what clients and tags see.
        expect(after.outputs["modelStoreBuckets"]).toEqual({ "us-east": expect.stringMatching(/^s3:\/\/modelfleet-models-use1-/) });
    });

    it("without formerName is refused, naming the key to set", async () => {
        const dir = fs.mkdtempSync(path.join(tmp, "without-"));
        const run = await plan([
            "--config-file",
            renamedDev(dir, false),
            "--out",
            path.join(tmp, "without"),
            "--previous",
            path.join(tmp, "base", "plan.json"),
        ]);
        expect(run.code).toBe(2);
        expect(run.stderr).toEqual([
            "modelfleet:regions[0].formerName is not set, but region 'us-east' looks like 'use1' renamed (its us-east-1 model-store copy would be a new, empty bucket and the old one, with the models, left behind); fix: pulumi config set --path 'regions[0].formerName' use1 (or, if 'use1' was removed and 'us-east' is new, plan without --previous)",
        ]);
        expect(fs.existsSync(path.join(tmp, "without", "plan.json"))).toBe(false);
    });

    it("refuses a --previous file that is not a plan", async () => {
        const bogus = path.join(tmp, "bogus.json");
        fs.writeFileSync(bogus, "{}");
        const run = await plan(["--stack", "dev", "--out", path.join(tmp, "bogus"), "--previous", bogus]);
        expect(run.code).toBe(2);
        expect(run.stderr).toEqual([
            `--previous ${bogus}: not a plan.json (no resources list); fix: give the plan.json an earlier plan wrote`,
        ]);
    });
});

describe("storeRenameProblems", () => {
    const bucket = (type: string, key: string, location: string): PlanResource => ({
        urn: `urn:pulumi:prod::modelfleet::modelfleet:global:ModelStore$${type}::model-store-${key}-bucket`,
        type,
        name: `model-store-${key}-bucket`,
        custom: true,
        parent: "",
        inputs: type === BUCKETS[0] ? { region: location } : { location },
        opts: {},
    });

    it("sees a GCS copy replaced in the same location as a rename", () => {
        const problems = storeRenameProblems(
            [bucket(BUCKETS[1], "usc1", "us-central1")],
            [bucket(BUCKETS[1], "us-central", "us-central1")],
            [{ name: "use1" }, { name: "us-central" }],
        );
        expect(problems.map((p) => [p.path, p.fix.split(" (or")[0]])).toEqual([
            ["regions[1].formerName", "pulumi config set --path 'regions[1].formerName' usc1"],
        ]);
    });

    it("lets a region be removed, or added elsewhere, without complaint", () => {
        const before = [bucket(BUCKETS[0], "use1", "us-east-1"), bucket(BUCKETS[0], "euw1", "eu-west-1")];
        expect(storeRenameProblems(before, [before[0]], [{ name: "use1" }])).toEqual([]);
        expect(
            storeRenameProblems([before[0]], [before[0], bucket(BUCKETS[0], "aps1", "ap-south-1")], [{ name: "use1" }, { name: "aps1" }]),
        ).toEqual([]);
        expect(
            storeRenameProblems(before, [before[0], bucket(BUCKETS[0], "usw2", "us-west-2")], [{ name: "use1" }, { name: "usw2" }]),
        ).toEqual([]);
    });
});
