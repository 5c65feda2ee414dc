import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { Plan, PolicyReport } from "../tools/contracts";
import { main } from "../tools/plan";
import { hasSchema, schemaKey, validateManifest } from "./k8s-schema";

/**
 * The program creates its resources when index.ts is evaluated, once per module registry:
 * each test file plans one stack (jest gives every file its own registry).
 */
export function planOnce(stack: string): {
    out: string;
    result: () => { code: number; stdout: string[]; stderr: string[] };
    read: <T>(file: string) => T;
} {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `modelfleet-plan-${stack}-`));
    let result = { code: -1, stdout: [] as string[], stderr: [] as string[] };
    beforeAll(async () => {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const code = await main(["--stack", stack, "--out", path.join(out, stack)], {
            stdout: (l) => stdout.push(l),
            stderr: (l) => stderr.push(l),
        });
        result = { code, stdout, stderr };
    });
    afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
    return { out, result: () => result, read: <T>(file: string) => JSON.parse(fs.readFileSync(path.join(out, stack, file), "utf8")) as T };
}

/** Assertions every committed stack's plan must pass. */
export function describePlanContract(stack: string, planned: ReturnType<typeof planOnce>): void {
    const { out } = planned;
    const results: Record<string, { code: number; stdout: string[]; stderr: string[] }> = new Proxy({}, { get: () => planned.result() });
    const read = <T>(_stack: string, file: string): T => planned.read<T>(file);
    it(`${stack}: exits 0 with no mandatory violation and says it is offline`, () => {
        expect(results[stack].stderr).toEqual([]);
        expect(results[stack].code).toBe(0);
        expect(results[stack].stdout.join("\n")).toMatch(/offline: mocked engine, nothing was deployed/);
        expect(results[stack].stdout.join("\n")).toMatch(/wall time \d+\.\d\d s/);
    });

    it(`${stack}: writes plan.json in the contract's shape`, () => {
        const plan = read<Plan>(stack, "plan.json");
        expect(plan.project).toBe("modelfleet");
        expect(plan.stack).toBe(stack);
        expect(plan.resources.length).toBeGreaterThan(100);
        for (const r of plan.resources) {
            expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(["custom", "inputs", "name", "opts", "parent", "type", "urn"]));
            expect(r.urn).toBe(`urn:pulumi:${stack}::modelfleet::${r.urn.split("::")[2]}::${r.name}`);
        }
        const urns = new Set(plan.resources.map((r) => r.urn));
        expect(urns.size).toBe(plan.resources.length);
        // Every parent and explicit dependency is a resource of the plan (or the stack).
        for (const r of plan.resources) {
            if (!r.parent?.endsWith("pulumi:pulumi:Stack::modelfleet-" + stack)) expect(urns.has(r.parent ?? "")).toBe(true);
            for (const d of r.opts.dependsOn ?? []) expect(urns.has(d)).toBe(true);
        }
        // Kubernetes objects all go through a cluster's provider, never an ambient kubeconfig.
        for (const r of plan.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) {
            expect(r.provider).toMatch(/pulumi:providers:kubernetes::/);
        }
    });

    it(`${stack}: writes the policy report and a manifest per Kubernetes object`, () => {
        const report = read<PolicyReport>(stack, "policy-report.json");
        expect(report.policies).toBeGreaterThanOrEqual(25);
        expect(report.resources).toBe(read<Plan>(stack, "plan.json").resources.length);
        expect(report.violations.filter((v) => v.level === "mandatory")).toEqual([]);
        const clusters = fs.readdirSync(path.join(out, stack, "manifests"));
        expect(clusters).toContain("use1");
        const files = fs.readdirSync(path.join(out, stack, "manifests", "use1"));
        expect(files).toEqual(
            expect.arrayContaining([
                "deployment-modelfleet-torchserve-blue.yaml",
                "deployment-modelfleet-torchserve-green.yaml",
                "namespace-cluster-modelfleet.yaml",
            ]),
        );
        const deployment = YAML.parse(
            fs.readFileSync(path.join(out, stack, "manifests", "use1", "deployment-modelfleet-torchserve-blue.yaml"), "utf8"),
        );
        expect(deployment.kind).toBe("Deployment");
        expect(deployment.metadata.namespace).toBe("modelfleet");
    });

    it(`${stack}: every file in manifests/ is one object kubectl apply takes, valid against the Kubernetes schema`, () => {
        const root = path.join(out, stack, "manifests");
        const files = fs
            .readdirSync(root)
            .flatMap((cluster) => fs.readdirSync(path.join(root, cluster)).map((f) => path.join(root, cluster, f)));
        expect(files.length).toBeGreaterThan(20);
        const failures: string[] = [];
        const secrets: Array<Record<string, unknown>> = [];
        for (const file of files) {
            const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
            // An empty stream has no documents; a multi-document file is not one object.
            const object = docs.length === 1 ? (docs[0].toJS() as Record<string, unknown>) : undefined;
            if (object === undefined) {
                failures.push(`${path.relative(root, file)}: not exactly one object`);
                continue;
            }
            if (object["kind"] === "Secret") secrets.push(object);
            if (hasSchema(object)) {
                try {
                    validateManifest(object);
                } catch (err) {
                    failures.push(`${path.relative(root, file)} (${schemaKey(object)}): ${String(err).split("\n")[0]}`);
                }
            } else {
                // Custom resources: no schema here, but the shape every object has.
                const metadata = object["metadata"] as Record<string, unknown> | undefined;
                if (typeof object["apiVersion"] !== "string" || typeof metadata?.["name"] !== "string")
                    failures.push(`${path.relative(root, file)} (${schemaKey(object)}): no apiVersion or metadata.name`);
            }
        }
        expect(failures).toEqual([]);
        // A Secret's data is a map of keys to (redacted) values, never a redacted string.
        for (const secret of secrets) {
            const data = secret["stringData"] ?? secret["data"];
            expect(typeof data).toBe("object");
            expect(Object.values(data as object).every((v) => v === "[secret]")).toBe(true);
        }
    });

    it(`${stack}: draws the stack as a Mermaid diagram`, () => {
        const diagram = fs.readFileSync(path.join(out, stack, "diagram.md"), "utf8");
        expect(diagram).toMatch(/```mermaid\nflowchart LR\n/);
        expect(diagram).toMatch(/cluster_use1\["EKS modelfleet-[a-z]+-use1"\]/);
        expect(diagram).toMatch(/GPU pool l4: g6\.xlarge/);
    });
}
