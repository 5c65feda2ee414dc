import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { Plan, PolicyReport } from "../tools/contracts";
import { resolveAliases } from "../tools/plan/aliases";
import { planInFreshRegistry } from "./plan-run";

/**
 * docs/runbooks/add-region.md, "Removing a region", on the prod stack under the mandatory
 * policies: mark the region (`decommission: true`, out of DNS), apply, then delete its entry.
 */

const ROOT = path.join(__dirname, "..");
const EUW1 = 1;

const plan = planInFreshRegistry;

/** Pulumi.prod.yaml with euw1 edited, and the edge region reading the primary's copy instead of euw1's. */
function prodFile(dir: string, edit: (regions: Array<Record<string, unknown>>) => void): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
    const regions = doc.config["modelfleet:regions"] as Array<Record<string, unknown>>;
    expect(regions[EUW1]["name"]).toBe("euw1");
    for (const r of regions) if (r["modelStoreSource"] === "euw1") r["modelStoreSource"] = "use1";
    edit(regions);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

describe("removing a prod region", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-removal-"));
    const read = <T>(dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(tmp, dir, file), "utf8")) as T;
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("step 1 without the marker: protect: false alone is refused by the mandatory policies", async () => {
        const file = prodFile(path.join(tmp, "unmarked-file"), (regions) => {
            regions[EUW1]["protect"] = false;
            regions[EUW1]["globalRouting"] = false;
        });
        const run = await plan(["--config-file", file, "--out", path.join(tmp, "unmarked")]);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(1);
        const report = read<PolicyReport>("unmarked", "policy-report.json");
        const mandatory = report.violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message.split(";")[0]}`);
        expect(mandatory.sort()).toEqual([
            "cluster-deletion-protection: cluster euw1-eks-cluster does not set deletionProtection: true, so the cloud lets it be deleted.",
            "cluster-deletion-protection: cluster euw1-eks-cluster is not protected",
            "model-store-data-protection: model-store bucket model-store-euw1-bucket is not protected",
        ]);
    });

    it("step 1 with decommission: true plans clean, lifts protection and marks what it lifted", async () => {
        const base = await plan(["--stack", "prod", "--out", path.join(tmp, "base")]);
        expect(base.code).toBe(0);
        const file = prodFile(path.join(tmp, "marked-file"), (regions) => {
            regions[EUW1]["decommission"] = true;
            regions[EUW1]["globalRouting"] = false;
        });
        const run = await plan([
            "--config-file",
            file,
            "--out",
            path.join(tmp, "marked"),
            "--previous",
            path.join(tmp, "base", "plan.json"),
        ]);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        const marked = read<Plan>("marked", "plan.json");
        const cluster = marked.resources.find((r) => r.type === "aws:eks/cluster:Cluster" && r.name === "euw1-eks-cluster");
        expect(cluster?.opts.protect).toBe(false);
        expect(cluster?.inputs["deletionProtection"]).toBe(false);
        expect(cluster?.inputs["tags"]).toEqual({ "modelfleet.io/cluster": "modelfleet-prod-euw1", "modelfleet-decommission": "true" });
        const bucket = marked.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "model-store-euw1-bucket");
        expect(bucket?.opts).toMatchObject({ protect: false, retainOnDelete: true });
        // The other regions keep every guard.
        const use1 = marked.resources.find((r) => r.type === "aws:eks/cluster:Cluster" && r.name === "use1-eks-cluster");
        expect(use1?.opts.protect).toBe(true);
    }, 120_000);

    it("step 2, deleting the entry, deletes nothing protected, and keeps the bucket in the account", async () => {
        const file = prodFile(path.join(tmp, "removed-file"), (regions) => {
            regions.splice(EUW1, 1);
        });
        const run = await plan([
            "--config-file",
            file,
            "--out",
            path.join(tmp, "removed"),
            "--previous",
            path.join(tmp, "marked", "plan.json"),
        ]);
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        const marked = read<Plan>("marked", "plan.json");
        const removed = read<Plan>("removed", "plan.json");
        const gone = new Set(resolveAliases(marked.resources, removed.resources).deleted);
        const deleted = marked.resources.filter((r) => gone.has(r.urn));
        expect(deleted.filter((r) => r.name === "model-store-euw1-bucket").map((r) => r.opts.retainOnDelete)).toEqual([true]);
        expect(deleted.filter((r) => r.opts.protect === true).map((r) => r.urn)).toEqual([]);
        expect(deleted.length).toBeGreaterThan(100);
    });
});

describe("decommission: config rules", () => {
    it.each([
        [
            "still behind the global name",
            (regions: Array<Record<string, unknown>>) => {
                regions[EUW1]["decommission"] = true;
            },
            "modelfleet:regions[1].globalRouting is true, but the region is marked decommission: take it out of the global name first (docs/runbooks/region-loss.md); fix: pulumi config set --path 'regions[1].globalRouting' false",
        ],
        [
            "the store's primary",
            (regions: Array<Record<string, unknown>>) => {
                Object.assign(regions[0], { decommission: true, globalRouting: false });
            },
            "modelfleet:regions[0].decommission marks the model store's primary 'use1', which feeds every copy; switch the primary first (docs/model-store.md); fix: pulumi config set --path 'modelStore.primaryRegion' euw1",
        ],
        [
            "also marked protected",
            (regions: Array<Record<string, unknown>>) => {
                Object.assign(regions[EUW1], { decommission: true, globalRouting: false, protect: true });
            },
            "modelfleet:regions[1].protect is true, but the region is marked decommission: a region being removed has its protection lifted; fix: pulumi config rm --path 'regions[1].protect'",
        ],
    ])("refuses a region marked for removal that is %s", async (_title, edit, line) => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-decommission-"));
        const run = await plan(["--config-file", prodFile(tmp, edit), "--out", path.join(tmp, "out")]);
        fs.rmSync(tmp, { recursive: true, force: true });
        expect(run.code).toBe(2);
        expect(run.stderr).toEqual([line]);
    });

    it("refuses it while an edge region reads its copy", async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-decommission-"));
        const file = prodFile(tmp, (regions) => {
            Object.assign(regions[EUW1], { decommission: true, globalRouting: false });
            regions[3]["modelStoreSource"] = "euw1";
        });
        const run = await plan(["--config-file", file, "--out", path.join(tmp, "out")]);
        fs.rmSync(tmp, { recursive: true, force: true });
        expect(run.code).toBe(2);
        expect(run.stderr).toEqual([
            "modelfleet:regions[3].modelStoreSource reads the copy of 'euw1', which is marked decommission; read another AWS region's copy; fix: pulumi config set --path 'regions[3].modelStoreSource' use1",
        ]);
    });
});
