import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, programErrorLines, stackNameFromFile } from "../tools/plan";

/** Runs the plan command in-process and captures what it prints. */
async function plan(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
    return { code, stdout, stderr };
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
