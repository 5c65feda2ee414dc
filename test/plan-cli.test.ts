import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { choosePolicyConfig, main, programErrorLines, stackNameFromFile } from "../tools/plan";

/** Runs the plan command in-process and captures what it prints. */
async function plan(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[]; progress: string[] }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const progress: string[] = [];
    const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), progress: (l) => progress.push(l) });
    return { code, stdout, stderr, progress };
}

describe("plan command: bad input never reaches the program", () => {
    let dir: string;
    beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-plan-"))));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    function stackFile(name: string, text: string): string {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    }

    it("exits 2 with one line per problem, each naming the key and the fix", async () => {
        const prod = fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
        const broken = prod
            .replace("name: euw1", "name: use1")
            .replace("noncurrentVersionDays: 30", "noncurrentVersionDays: 30\n    bogusKey: 1");
        const result = await plan(["--config-file", stackFile("Pulumi.broken.yaml", broken), "--out", path.join(dir, "out")]);
        expect(result.code).toBe(2);
        expect(result.stderr).toEqual([
            "modelfleet:modelStore.bogusKey is not a known key; fix: check the spelling, or remove it: pulumi config rm --path 'modelStore.bogusKey'",
        ]);
        expect(fs.existsSync(path.join(dir, "out", "plan.json"))).toBe(false);

        const crossBroken = prod.replace("name: euw1", "name: use1");
        const cross = await plan(["--config-file", stackFile("Pulumi.cross.yaml", crossBroken)]);
        expect(cross.code).toBe(2);
        expect(cross.stderr).toContain(
            "modelfleet:regions[1].name duplicates region name 'use1'; fix: pulumi config set --path 'regions[1].name' use1-2",
        );
        expect(cross.stderr.every((l) => l.startsWith("modelfleet:"))).toBe(true);
    });

    it("exits 2 on a YAML syntax error and gives the line", async () => {
        const file = stackFile(
            "Pulumi.syntax.yaml",
            "config:\n  modelfleet:environment: dev\n  modelfleet:regions:\n    - name: use1\n     cloud: aws\n",
        );
        const result = await plan(["--config-file", file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toHaveLength(1);
        expect(result.stderr[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5: YAML syntax error`));
    });

    it("exits 2 for a missing stack file and for ambiguous arguments", async () => {
        expect((await plan(["--stack", "nosuchstack"])).stderr).toEqual([
            "--stack nosuchstack: no stack file Pulumi.nosuchstack.yaml; the stacks are: dev, prod",
        ]);
        expect((await plan(["--stack", "dev", "--config-file", "x.yaml"])).code).toBe(2);
        expect((await plan([])).stderr).toEqual(["give exactly one of --stack NAME or --config-file PATH"]);
        const unknown = await plan(["--stack", "dev", "--bogus"]);
        expect([unknown.code, unknown.stderr]).toEqual([2, ["error: unknown option '--bogus'"]]);
    });

    it("names the stack after the file", () => {
        expect(stackNameFromFile("/a/Pulumi.staging.yaml")).toBe("staging");
        expect(stackNameFromFile("/a/edge-lab.yaml")).toBe("edge-lab");
    });
});

describe("program errors", () => {
    it("the README's add-region example pasted into prod, its pool shrunk to 4 nodes, names the cause (the pool is too small), not just the component", async () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const example = /Adding a region is one list entry[^\n]*\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
        expect(example).toContain("- name: apne1");
        const prod = fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-apne1-"));
        try {
            const file = path.join(dir, "Pulumi.prod.yaml");
            expect(example).toContain("maxNodes: 8 }");
            const shrunk = (example ?? "").replace("maxNodes: 8 }", "maxNodes: 4 }");
            fs.writeFileSync(file, prod.replace("  modelfleet:models:", `${shrunk}  modelfleet:models:`));
            // As a user runs it: a process of its own (a program error must not escape as a crash).
            const result = spawnSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    path.join(__dirname, "..", "tools", "plan.ts"),
                    "--config-file",
                    file,
                    "--out",
                    path.join(dir, "out"),
                ],
                { cwd: path.join(__dirname, ".."), encoding: "utf8" },
            );
            expect(result.status).toBe(2);
            const stderr = result.stderr.trim().split("\n");
            expect(stderr.some((l) => /regions\[4\]\.gpuPools\[0\]\.maxNodes.*\b6\b/.test(l))).toBe(true);
            expect(stderr.some((l) => /^\s+at /.test(l))).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 120_000);

    it("are shown whole: the component's every problem, one line each", () => {
        const err = new Error(
            "ServingStack apne1-serving has 2 problem(s):\n  - serving.torchserve.replicas.max is 4 but GPU pool 'l4' in apne1 holds at most 4 TorchServe pod(s); set serving.torchserve.replicas.max to 2\n  - second problem\n",
        );
        expect(programErrorLines(err)).toEqual([
            "the program failed: ServingStack apne1-serving has 2 problem(s):",
            "  - serving.torchserve.replicas.max is 4 but GPU pool 'l4' in apne1 holds at most 4 TorchServe pod(s); set serving.torchserve.replicas.max to 2",
            "  - second problem",
        ]);
    });
});

describe("policy config", () => {
    it("defaults to the environment's file, else the pack's defaults", () => {
        expect(choosePolicyConfig(undefined, "prod")).toEqual({
            file: path.join(__dirname, "..", "policy", "config", "prod.json"),
            description: "policy/config/prod.json (environment prod)",
        });
        expect(choosePolicyConfig(undefined, "dev").description).toBe("policy/config/dev.json (environment dev)");
        expect(choosePolicyConfig(undefined, "staging")).toEqual({ description: "the pack's defaults (no policy/config/staging.json)" });
        expect(choosePolicyConfig("my.json", "prod")).toEqual({ file: path.resolve("my.json"), description: "my.json (--policy-config)" });
    });

    it("a missing --policy-config file exits 2 before the program runs", async () => {
        const result = await plan([
            "--stack",
            "dev",
            "--policy-config",
            "/nonexistent/policy.json",
            "--out",
            path.join(os.tmpdir(), "unused"),
        ]);
        expect([result.code, result.stderr]).toEqual([2, ["--policy-config /nonexistent/policy.json: no such file"]]);
    });

    it("--policy-config judges the plan and the summary names it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-policy-config-"));
        try {
            const file = path.join(dir, "tight.json");
            fs.writeFileSync(file, JSON.stringify({ "node-pool-max-size": { maxNodesPerPool: 2 } }));
            const result = await plan(["--stack", "dev", "--policy-config", file, "--out", path.join(dir, "out")]);
            expect(result.stderr).toEqual([]);
            expect(result.code).toBe(1);
            expect(result.stdout.join("\n")).toContain(`policy config: ${file} (--policy-config)`);
            expect(result.stdout.join("\n")).toMatch(/\[mandatory\] node-pool-max-size: /);
            // One line as each phase starts.
            expect(result.progress).toEqual([
                `plan [1/4] load: ${path.relative(process.cwd(), path.join(__dirname, "..", "Pulumi.dev.yaml"))}`,
                "plan [2/4] program: running index.ts under the mock engine",
                expect.stringMatching(
                    new RegExp(
                        `^plan \\[3/4\\] policies: \\d+ resources, policy config ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(--policy-config\\)$`,
                    ),
                ),
                `plan [4/4] write: ${path.relative(process.cwd(), path.join(dir, "out"))}`,
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
