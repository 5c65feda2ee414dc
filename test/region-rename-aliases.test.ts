import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { Plan, PlanResource } from "../tools/contracts";
import { resolveAliases } from "../tools/plan/aliases";
import { planInFreshRegistry, type PlanRun } from "./plan-run";

/**
 * A region rename with `formerName` keeps every resource: each URN of the old plan is one the
 * engine finds again, by the same URN or through the aliases the program sets and the ones the
 * engine derives from a renamed parent (tools/plan/aliases.ts follows the engine's rules), and
 * no cloud-side name changes but the region's own DNS name.
 */

const ROOT = path.join(__dirname, "..");
const RENAMES: Record<string, string> = { use1: "us-east", euw1: "eu-west", usc1: "us-central", "edge-muc": "edge-munich" };
const P = "urn:pulumi:prod::modelfleet::";

const plan = planInFreshRegistry;

/** Pulumi.prod.yaml with every region renamed, with or without formerName, and every key that names a region following. */
function renamedProd(dir: string, withFormerName: boolean): string {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    const config = doc.get("config") as YAML.YAMLMap;
    for (const region of (config.get("modelfleet:regions") as YAML.YAMLSeq<YAML.YAMLMap>).items) {
        const old = String(region.get("name"));
        region.set("name", RENAMES[old]);
        if (withFormerName) region.set("formerName", old);
        const source = region.get("modelStoreSource");
        if (source !== undefined) region.set("modelStoreSource", RENAMES[String(source)]);
    }
    const store = config.get("modelfleet:modelStore") as YAML.YAMLMap;
    store.set("primaryRegion", RENAMES[String(store.get("primaryRegion"))]);
    for (const key of ["modelfleet:kubeconfigs", "modelfleet:edgeStoreCredentials"]) {
        for (const pair of (config.get(key) as YAML.YAMLMap).items) {
            pair.key = new YAML.Scalar(RENAMES[String((pair.key as YAML.Scalar).value)]);
        }
    }
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, doc.toString());
    return file;
}

/** Every leaf of an input object, by dotted path. */
function leaves(value: unknown, at = "", out: Record<string, string> = {}): Record<string, string> {
    if (value !== null && typeof value === "object")
        for (const [k, v] of Object.entries(value)) leaves(v, at === "" ? k : `${at}.${k}`, out);
    else out[at] = JSON.stringify(value);
    return out;
}

/** Inputs that name a thing in its cloud (or in Kubernetes): changing one replaces the resource. */
const CLOUD_NAME = /(^|\.)(name|bucket|accountId|clusterName|nodeGroupName|roleName|repositoryId|setIdentifier|namePrefix|namespace|fqdn)$/;

describe("renaming every prod region with formerName", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-aliases-"));
    const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(tmp, dir, "plan.json"), "utf8")) as Plan;
    let before: Plan;
    let after: Plan;
    let run: PlanRun;
    beforeAll(async () => {
        const base = await plan(["--stack", "prod", "--out", path.join(tmp, "base")]);
        expect(base.stderr).toEqual([]);
        fs.mkdirSync(path.join(tmp, "with-file"));
        run = await plan([
            "--config-file",
            renamedProd(path.join(tmp, "with-file"), true),
            "--out",
            path.join(tmp, "with"),
            "--previous",
            path.join(tmp, "base", "plan.json"),
        ]);
        before = read("base");
        after = read("with");
    }, 120_000);
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("plans cleanly and says every resource is kept", () => {
        expect(run.stderr).toEqual([]);
        expect(run.code).toBe(0);
        const line = run.stdout.find((l) => l.startsWith("against "));
        expect(line).toMatch(/take over an old URN through aliases, 0 are new, 0 go away$/);
    });

    it("leaves no old URN behind and creates nothing", () => {
        const resolution = resolveAliases(before.resources, after.resources);
        expect(resolution.conflicts).toEqual([]);
        expect(resolution.deleted).toEqual([]);
        expect(resolution.created).toEqual([]);
        expect(resolution.aliased.size + resolution.same.length).toBe(before.resources.length);
    });

    it.each([
        // The region component: its own alias.
        [`${P}modelfleet:aws:Region::us-east`, `${P}modelfleet:aws:Region::use1`],
        // Two levels down, inherited through the renamed parents' prefixes.
        [
            `${P}modelfleet:aws:Region$modelfleet:aws:EksCluster$aws:eks/cluster:Cluster::us-east-eks-cluster`,
            `${P}modelfleet:aws:Region$modelfleet:aws:EksCluster$aws:eks/cluster:Cluster::use1-eks-cluster`,
        ],
        [
            `${P}modelfleet:gcp:Region$modelfleet:gcp:GkeCluster$gcp:container/cluster:Cluster::us-central-cluster-gke`,
            `${P}modelfleet:gcp:Region$modelfleet:gcp:GkeCluster$gcp:container/cluster:Cluster::usc1-cluster-gke`,
        ],
        [
            `${P}modelfleet:existing:Region$pulumi:providers:kubernetes::edge-munich-k8s`,
            `${P}modelfleet:existing:Region$pulumi:providers:kubernetes::edge-muc-k8s`,
        ],
        // Parented by a component that keeps its name: only an own alias reaches these.
        [
            `${P}modelfleet:global:Entry$aws:route53/healthCheck:HealthCheck::global-us-east-health`,
            `${P}modelfleet:global:Entry$aws:route53/healthCheck:HealthCheck::global-use1-health`,
        ],
        [
            `${P}modelfleet:global:ImageRegistry$aws:ecr/repository:Repository::llm-image-eu-west`,
            `${P}modelfleet:global:ImageRegistry$aws:ecr/repository:Repository::llm-image-euw1`,
        ],
        [
            `${P}modelfleet:global:ModelStore$modelfleet:aws:ModelStoreBackfill$kubernetes:batch/v1:Job::model-store-eu-west-backfill-job`,
            `${P}modelfleet:global:ModelStore$modelfleet:aws:ModelStoreBackfill$kubernetes:batch/v1:Job::model-store-euw1-backfill-job`,
        ],
    ])("%s takes over %s", (current, old) => {
        expect(resolveAliases(before.resources, after.resources).aliased.get(current)).toBe(old);
    });

    it("changes no bucket, cluster or other cloud-side name; only the region's own DNS name follows the rename", () => {
        const resolution = resolveAliases(before.resources, after.resources);
        const old = new Map(before.resources.map((r) => [r.urn, r]));
        const changed: string[] = [];
        for (const r of after.resources) {
            const was = old.get(resolution.aliased.get(r.urn) ?? r.urn) as PlanResource;
            const [a, b] = [leaves(was.inputs), leaves(r.inputs)];
            for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
                if (CLOUD_NAME.test(key) && a[key] !== b[key]) changed.push(`${r.type} ${key}`);
            }
        }
        expect([...new Set(changed)].sort()).toEqual([
            // <region>.<domain> and what names it: the record, its health checks, its ACM validation record;
            // the ALB host name of the mock load balancer, which follows the Ingress's URN offline only.
            "aws:route53/healthCheck:HealthCheck fqdn",
            "aws:route53/record:Record aliases.0.name",
            "aws:route53/record:Record name",
        ]);
        const named = (p: Plan, type: string, key: string) => p.resources.filter((r) => r.type === type).map((r) => r.inputs[key]);
        expect(named(after, "aws:eks/cluster:Cluster", "name")).toEqual(["modelfleet-prod-use1", "modelfleet-prod-euw1"]);
        expect(named(after, "gcp:container/cluster:Cluster", "name")).toEqual(["modelfleet-prod-usc1"]);
        expect(named(after, "aws:s3/bucket:Bucket", "bucket")).toEqual(named(before, "aws:s3/bucket:Bucket", "bucket"));
        expect(named(after, "gcp:storage/bucket:Bucket", "name")).toEqual(named(before, "gcp:storage/bucket:Bucket", "name"));
        expect(named(after, "aws:s3/bucket:Bucket", "bucket")).toHaveLength(2);
    });

    it("without formerName is refused as before, naming the key", async () => {
        fs.mkdirSync(path.join(tmp, "without-file"));
        const without = await plan([
            "--config-file",
            renamedProd(path.join(tmp, "without-file"), false),
            "--out",
            path.join(tmp, "without"),
            "--previous",
            path.join(tmp, "base", "plan.json"),
        ]);
        expect(without.code).toBe(2);
        expect(without.stderr.map((l) => l.split(" is not set")[0])).toEqual([
            "modelfleet:regions[0].formerName",
            "modelfleet:regions[1].formerName",
            "modelfleet:regions[2].formerName",
        ]);
    });
});

describe("resolveAliases follows the engine's alias rules", () => {
    const S = "urn:pulumi:s::p::";
    const resource = (urn: string, parent: string, aliases?: PlanResource["opts"]["aliases"]): PlanResource => {
        const [type, name] = urn.slice(S.length).split("::");
        const chain = type.split("$");
        return { urn, type: chain[chain.length - 1], name, custom: true, parent, inputs: {}, opts: aliases ? { aliases } : {} };
    };
    const stack = `${S}pulumi:pulumi:Stack::p-s`;
    const oldParent = resource(`${S}x:C::old`, stack);
    const oldChild = resource(`${S}x:C$x:R::old-child`, oldParent.urn);
    const oldOther = resource(`${S}x:C$x:R::other-old`, oldParent.urn);

    it("passes a renamed parent on to a child named with the parent's name as prefix, and to nothing else", () => {
        const parent = resource(`${S}x:C::new`, stack, [{ name: "old", parent: stack }]);
        const child = resource(`${S}x:C$x:R::new-child`, parent.urn);
        const other = resource(`${S}x:C$x:R::other-new`, parent.urn);
        const r = resolveAliases([oldParent, oldChild, oldOther], [parent, child, other]);
        expect([...r.aliased]).toEqual([
            [`${S}x:C::new`, `${S}x:C::old`],
            [`${S}x:C$x:R::new-child`, `${S}x:C$x:R::old-child`],
        ]);
        expect(r.created).toEqual([`${S}x:C$x:R::other-new`]);
        expect(r.deleted).toEqual([`${S}x:C$x:R::other-old`]);
    });

    it("collapses a child's own alias under its parent's old URN", () => {
        const parent = resource(`${S}x:C::new`, stack, [{ name: "old", parent: stack }]);
        const other = resource(`${S}x:C$x:R::other-new`, parent.urn, [{ name: "other-old", parent: parent.urn }]);
        const r = resolveAliases([oldParent, oldOther], [parent, other]);
        expect(r.aliased.get(other.urn)).toBe(`${S}x:C$x:R::other-old`);
        expect(r.deleted).toEqual([]);
    });

    it("passes nothing on from a parent that kept its URN", () => {
        const child = resource(`${S}x:C$x:R::new-child`, oldParent.urn);
        const r = resolveAliases([oldParent, oldChild], [oldParent, child]);
        expect(r.same).toEqual([`${S}x:C::old`]);
        expect(r.created).toEqual([`${S}x:C$x:R::new-child`]);
    });

    it("reports two resources taking over one old URN", () => {
        const a = resource(`${S}x:C::a`, stack, [{ urn: oldParent.urn }]);
        const b = resource(`${S}x:C::b`, stack, [{ urn: oldParent.urn }]);
        expect(resolveAliases([oldParent], [a, b]).conflicts).toEqual([`${S}x:C::b and ${S}x:C::a both take over ${S}x:C::old`]);
    });
});
