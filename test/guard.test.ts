import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, main, typeToken } from "../tools/guard";
import type { PolicyReport } from "../tools/contracts";

const fixture = (name: string) => path.join(__dirname, "fixtures", "guard", name);

/** 1-based line of the first (or last) line of a fixture containing `needle`. */
function lineOf(name: string, needle: string, which: "first" | "last" = "first"): number {
    const lines = fs.readFileSync(fixture(name), "utf8").split("\n");
    const index = which === "first" ? lines.findIndex((l) => l.includes(needle)) : lines.map((l) => l.includes(needle)).lastIndexOf(true);
    if (index === -1) throw new Error(`${name} has no line with ${needle}`);
    return index + 1;
}

async function guard(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

function report(out: string): PolicyReport {
    const parsed: PolicyReport = JSON.parse(out);
    return parsed;
}

test("type tokens follow @pulumi/kubernetes", () => {
    expect(typeToken("v1", "Service")).toBe("kubernetes:core/v1:Service");
    expect(typeToken("apps/v1", "Deployment")).toBe("kubernetes:apps/v1:Deployment");
    expect(typeToken("networking.k8s.io/v1", "Ingress")).toBe("kubernetes:networking.k8s.io/v1:Ingress");
});

test("a compliant namespace passes with no finding at all", async () => {
    const result = await guard(fixture("good.yaml"));
    expect(result.err).toBe("");
    expect(result.out).toContain("guard: 8 resource(s) from 1 file(s), 37 policies: 0 mandatory, 0 advisory violation(s).");
    expect(result.code).toBe(EXIT.clean);
});

test("a careless manifest fails with each violation located by file and document", async () => {
    const result = await guard(fixture("bad.yaml"));
    expect(result.code).toBe(EXIT.mandatoryViolation);
    expect(result.out).toContain(
        `MANDATORY image-pinned  [${fixture("bad.yaml")}: document 1 (line ${lineOf("bad.yaml", "apiVersion: apps/v1")})]`,
    );
    expect(result.out).toContain('image "pytorch/torchserve:latest" uses the latest tag.');
    expect(result.out).toContain(
        `MANDATORY service-no-nodeport  [${fixture("bad.yaml")}: document 2 (line ${lineOf("bad.yaml", "apiVersion: v1")})]`,
    );
    expect(result.out).toContain("9 mandatory, 0 advisory violation(s).");
});

test("--json prints the policy-report.json shape", async () => {
    const result = await guard(fixture("bad.yaml"), "--json");
    const parsed = report(result.out);
    expect(parsed.policies).toBe(37);
    expect(parsed.resources).toBe(2);
    expect(parsed.violations).toContainEqual({
        policy: "service-no-nodeport",
        level: "mandatory",
        urn: "urn:pulumi:guard::manifests::kubernetes:core/v1:Service::serving/torchserve",
        type: "kubernetes:core/v1:Service",
        message: "Service serving/torchserve is of type NodePort.",
    });
    expect(result.code).toBe(EXIT.mandatoryViolation);
});

test("malformed YAML names file, document and line, and gives no verdict", async () => {
    const result = await guard(fixture("malformed.yaml"), fixture("good.yaml"));
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain(
        `${fixture("malformed.yaml")}: document 2: malformed YAML at line 16, column 3: Flow sequence in block collection`,
    );
    expect(result.out).toBe("");
});

test("an unknown kind and a removed apiVersion are refused, each named", async () => {
    const result = await guard(fixture("unknown-kind.yaml"));
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain(
        `${fixture("unknown-kind.yaml")}: document 1 (line 1): unknown kind "InferenceService" (apiVersion "serving.example.com/v1")`,
    );
    expect(result.err).toContain(
        'document 2 (line 9): Ingress is not known at apiVersion "extensions/v1beta1" (known: networking.k8s.io/v1)',
    );
    expect(result.err).toContain("2 input problem(s)");
});

test("a custom resource is accepted when its CRD is in the input, and known add-on CRDs always", async () => {
    const result = await guard(fixture("crd.yaml"));
    expect(result.code).toBe(EXIT.clean);
    expect(result.out).toContain("2 resource(s)");
});

test("an object without metadata.name is refused, naming file and document", async () => {
    const result = await guard(fixture("missing-metadata.yaml"));
    expect(result.code).toBe(EXIT.badInput);
    const line = lineOf("missing-metadata.yaml", "apiVersion: v1", "last");
    expect(result.err).toContain(`${fixture("missing-metadata.yaml")}: document 2 (line ${line}): ConfigMap has no metadata.name`);
});

test("List documents are expanded item by item", async () => {
    const result = await guard(fixture("list.yaml"), "--json");
    const parsed = report(result.out);
    expect(parsed.resources).toBe(2);
    expect(parsed.violations.map((v) => v.urn)).toEqual(["urn:pulumi:guard::manifests::kubernetes:core/v1:Service::serving/b"]);
});

test("a plan.json is detected by content and checked as its own stack", async () => {
    const result = await guard(fixture("plan.json"), "--json");
    const parsed = report(result.out);
    expect(parsed.violations).toEqual([
        expect.objectContaining({ policy: "eks-endpoint-not-public", urn: "urn:pulumi:dev::modelfleet::aws:eks/cluster:Cluster::use1" }),
    ]);
    expect(result.code).toBe(EXIT.mandatoryViolation);
});

test("--stack picks policy/config/<stack>.json", async () => {
    expect((await guard(fixture("gpu-heavy.yaml"), "--stack", "prod")).code).toBe(EXIT.clean);
    const dev = await guard(fixture("gpu-heavy.yaml"), "--stack", "dev");
    expect(dev.code).toBe(EXIT.mandatoryViolation);
    expect(dev.out).toContain("Job batch/shard-checkpoint asks for 6 nvidia.com/gpu per pod; the cap is 4.");
});

describe("policy config problems exit 2", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("--policy-config with a bad value", async () => {
        const file = path.join(dir, "bad.json");
        fs.writeFileSync(file, JSON.stringify({ "gpu-max-per-pod": { maxGpusPerPod: -1 } }));
        const result = await guard(fixture("good.yaml"), "--policy-config", file);
        expect(result.code).toBe(EXIT.badInput);
        expect(result.err).toContain("guard: policy config: gpu-max-per-pod.maxGpusPerPod must be >= 1, got -1");
    });

    test("--policy-config that relaxes a cap", async () => {
        const file = path.join(dir, "relaxed.json");
        fs.writeFileSync(file, JSON.stringify({ "gpu-max-per-pod": { maxGpusPerPod: 6 } }));
        expect((await guard(fixture("gpu-heavy.yaml"), "--policy-config", file)).code).toBe(EXIT.clean);
    });

    test("an unknown stack lists the stacks that have a config", async () => {
        const result = await guard(fixture("good.yaml"), "--stack", "staging");
        expect(result.code).toBe(EXIT.badInput);
        expect(result.err).toMatch(/no policy config for stack "staging" .*stacks with one: dev, prod/);
    });
});

test("directories are read recursively; a missing path is an input error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-dir-"));
    try {
        fs.mkdirSync(path.join(dir, "templates"));
        fs.copyFileSync(fixture("good.yaml"), path.join(dir, "templates", "serving.yaml"));
        fs.writeFileSync(path.join(dir, "templates", "NOTES.txt"), "not yaml");
        const ok = await guard(dir);
        expect(ok.code).toBe(EXIT.clean);
        expect(ok.out).toContain("from 1 file(s)");
        const missing = await guard(dir, path.join(dir, "absent.yaml"));
        expect(missing.code).toBe(EXIT.badInput);
        expect(missing.err).toContain(`${path.join(dir, "absent.yaml")}: no such file or directory`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("objects without a namespace land in --namespace", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-ns-"));
    try {
        const file = path.join(dir, "svc.yaml");
        fs.writeFileSync(file, "apiVersion: v1\nkind: Service\nmetadata: { name: np }\nspec: { type: NodePort, ports: [{ port: 80 }] }\n");
        const parsed = report((await guard(file, "-n", "ml", "--json")).out);
        expect(parsed.violations.map((v) => v.urn)).toEqual(["urn:pulumi:guard::manifests::kubernetes:core/v1:Service::ml/np"]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("duplicate objects are an input error", async () => {
    const result = await guard(fixture("good.yaml"), fixture("good.yaml"));
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain("Namespace serving is defined twice");
});

test("usage errors exit 2", async () => {
    expect((await guard()).code).toBe(EXIT.badInput);
    expect((await guard(fixture("good.yaml"), "--stack", "dev", "--policy-config", fixture("plan.json"))).err).toContain(
        "use either --stack or --policy-config",
    );
});
