import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterProviderUrn, EXIT, main, typeToken } from "../tools/guard";
import { main as plan } from "../tools/plan";
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
    expect(result.out).toContain("guard: 8 resource(s) from 1 file(s), 43 policies: 0 mandatory, 0 advisory violation(s).");
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
    expect(parsed.policies).toBe(43);
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

test("GKE Managed Prometheus objects are known, each with its scope", async () => {
    const result = await guard(fixture("gmp.yaml"));
    expect(result.err).toBe("");
    expect(result.out).toContain("guard: 6 resource(s) from 1 file(s), 43 policies: 0 mandatory, 0 advisory violation(s).");
    expect(result.code).toBe(EXIT.clean);

    // Namespaced kinds may share a name across namespaces; cluster-scoped kinds may not.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-gmp-"));
    try {
        const twice = (kind: string) =>
            ["a", "b"]
                .map((ns) => `apiVersion: monitoring.googleapis.com/v1\nkind: ${kind}\nmetadata: { name: x, namespace: ${ns} }\nspec: {}\n`)
                .join("---\n");
        const namespaced = ["PodMonitoring", "Rules", "OperatorConfig"];
        const clusterScoped = ["ClusterPodMonitoring", "ClusterNodeMonitoring", "ClusterRules", "GlobalRules"];
        fs.writeFileSync(path.join(dir, "namespaced.yaml"), namespaced.map(twice).join("---\n"));
        expect((await guard(path.join(dir, "namespaced.yaml"))).code).toBe(EXIT.clean);
        fs.writeFileSync(path.join(dir, "cluster.yaml"), clusterScoped.map(twice).join("---\n"));
        const refused = await guard(path.join(dir, "cluster.yaml"));
        expect(refused.code).toBe(EXIT.badInput);
        for (const kind of clusterScoped) expect(refused.err).toContain(`${kind} x is defined twice`);
        expect(refused.err).toContain(`${clusterScoped.length} input problem(s)`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
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

describe("cluster directories", () => {
    let root: string;
    /** `<root>/prod/manifests/<cluster>/`, as the offline plan of the prod stack writes it. */
    let manifests: string;
    let clusters: string[];

    beforeAll(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "guard-clusters-"));
        const planned = await plan(["--stack", "prod", "--out", path.join(root, "prod")], {
            stdout: () => undefined,
            stderr: () => undefined,
        });
        expect(planned).toBe(0);
        manifests = path.join(root, "prod", "manifests");
        clusters = fs.readdirSync(manifests).sort((a, b) => a.localeCompare(b));
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    /** A scratch copy of the plan's manifests, for tests that break them. */
    function copyOfManifests(name: string): string {
        const copy = path.join(root, name);
        fs.cpSync(manifests, copy, { recursive: true });
        return copy;
    }

    test("the offline plan's manifests pass, each cluster directory checked on its own", async () => {
        expect(clusters.length).toBeGreaterThan(1);
        expect(clusters).toContain("usc1");
        const result = await guard(manifests);
        expect(result.err).toBe("");
        expect(result.out).toMatch(
            new RegExp(`from \\d+ file\\(s\\) in ${clusters.length} clusters \\(${clusters.join(", ")}\\), 43 policies: 0 mandatory`),
        );
        expect(result.code).toBe(EXIT.clean);
        const parsed = report((await guard(manifests, "--json")).out);
        expect(parsed.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    });

    test("an object twice in one cluster directory, at any depth, is still an input error", async () => {
        const copy = copyOfManifests("duplicate");
        fs.mkdirSync(path.join(copy, "usc1", "extra"));
        const again = path.join(copy, "usc1", "extra", "again.yaml");
        fs.copyFileSync(path.join(copy, "usc1", "podmonitoring-modelfleet-torchserve-metrics.yaml"), again);
        const result = await guard(copy);
        expect(result.code).toBe(EXIT.badInput);
        expect(result.err).toContain(
            `guard: ${path.join(copy, "usc1", "podmonitoring-modelfleet-torchserve-metrics.yaml")}: document 1 (line 1): ` +
                `PodMonitoring modelfleet/torchserve-metrics is defined twice in cluster usc1 (first at ${again}: document 1 (line 1))`,
        );
        expect(result.err).toContain("guard: 1 input problem(s); no policy verdict given.");
    });

    test("namespace quota and PodDisruptionBudgets are judged per cluster directory", async () => {
        const copy = copyOfManifests("per-cluster");
        const use1 = path.join(copy, "use1");
        for (const file of fs.readdirSync(use1)) {
            if (file.startsWith("resourcequota-modelfleet-") || file === "poddisruptionbudget-modelfleet-tensorzero-gateway.yaml") {
                fs.rmSync(path.join(use1, file));
            }
        }
        const result = await guard(copy, "--json");
        expect(result.code).toBe(EXIT.mandatoryViolation);
        const deployment = (name: string) => `urn:pulumi:guard::manifests::kubernetes:apps/v1:Deployment::use1:modelfleet/${name}`;
        const violations = report(result.out).violations;
        expect(violations).toHaveLength(2);
        expect(violations).toContainEqual(
            expect.objectContaining({ policy: "pdb-for-replicated-deployments", urn: deployment("tensorzero-gateway") }),
        );
        expect(violations).toContainEqual(
            expect.objectContaining({
                policy: "namespace-quota-and-limitrange",
                urn: expect.stringMatching(/^urn:pulumi:guard::manifests::kubernetes:apps\/v1:Deployment::use1:modelfleet\//),
                message: expect.stringMatching(/^namespace "modelfleet" runs Deployment .* but has no ResourceQuota\.$/),
            }),
        );
        // The text report points at the file in the cluster directory.
        const text = await guard(copy);
        expect(text.out).toContain(
            `MANDATORY pdb-for-replicated-deployments  [${path.join(use1, "deployment-modelfleet-tensorzero-gateway.yaml")}: document 1 (line 1)]`,
        );
    });

    test("clusters, their labels and --one-cluster", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-layout-"));
        try {
            for (const sub of ["a", "b"]) {
                fs.mkdirSync(path.join(dir, sub));
                fs.copyFileSync(fixture("good.yaml"), path.join(dir, sub, "serving.yaml"));
            }
            const split = await guard(dir, "--json");
            expect(split.code).toBe(EXIT.clean);
            expect(report(split.out).resources).toBe(16);
            expect((await guard(dir)).out).toContain("from 2 file(s) in 2 clusters (a, b), 43 policies");

            // Only the directory named on the command line is split, not the one below it.
            expect((await guard(path.join(dir, "a"))).out).toContain("guard: 8 resource(s) from 1 file(s), 43 policies");

            const merged = await guard(dir, "--one-cluster");
            expect(merged.code).toBe(EXIT.badInput);
            expect(merged.err).toContain("Namespace serving is defined twice (first at");

            // Two directories of the same name are told apart by their path.
            const other = fs.mkdtempSync(path.join(os.tmpdir(), "guard-layout-"));
            try {
                fs.mkdirSync(path.join(other, "a"));
                fs.copyFileSync(fixture("good.yaml"), path.join(other, "a", "serving.yaml"));
                const both = await guard(dir, other);
                expect(both.code).toBe(EXIT.clean);
                const labels = [path.join(dir, "a"), path.join(other, "a"), "b"].sort((x, y) => x.localeCompare(y));
                expect(both.out).toContain(`in 3 clusters (${labels.join(", ")})`);
            } finally {
                fs.rmSync(other, { recursive: true, force: true });
            }

            // Files lying directly in a named directory join the files named directly.
            fs.copyFileSync(fixture("list.yaml"), path.join(dir, "list.yaml"));
            const top = await guard(dir, fixture("bad.yaml"));
            expect(top.out).toContain("from 4 file(s) in 3 clusters (a, b, top level), 43 policies");
            expect(top.out).toContain(`MANDATORY service-no-nodeport  [${path.join(dir, "list.yaml")}: document 1 (line 2), item 2]`);
            const topUrns = report((await guard(dir, fixture("bad.yaml"), "--json")).out).violations.map((v) => v.urn);
            expect(topUrns).toContain("urn:pulumi:guard::manifests::kubernetes:core/v1:Service::serving/b");
            expect(topUrns).toContain("urn:pulumi:guard::manifests::kubernetes:core/v1:Service::serving/torchserve");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("each cluster directory stands for its own Kubernetes provider", () => {
        expect(clusterProviderUrn("use1")).toBe("urn:pulumi:guard::manifests::pulumi:providers:kubernetes::use1");
    });
});
