import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median, slope } from "../tools/bench/stats";

/**
 * The tools run from JavaScript built ahead of time into .build/ (npm scripts). The
 * built run must write exactly what the TypeScript sources write under ts-node.
 */

const ROOT = path.resolve(__dirname, "..");

function build(): string {
    const run = spawnSync(process.execPath, ["tools/build.mjs"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status).toBe(0);
    return run.stderr;
}

function plan(entry: string[], stack: string, out: string): string {
    const run = spawnSync(process.execPath, [...entry, "--stack", stack, "--out", out], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // The summary names the output folder and its own wall time; everything else must agree.
    return run.stdout
        .split("\n")
        .filter((l) => !/^wrote |^wall time /.test(l))
        .join("\n");
}

function filesUnder(dir: string): Map<string, string> {
    const files = new Map<string, string>();
    for (const rel of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
        const full = path.join(dir, rel);
        if (fs.statSync(full).isFile()) files.set(rel, fs.readFileSync(full, "utf8"));
    }
    return files;
}

describe("tools built ahead of time", () => {
    let work: string;
    beforeAll(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-build-"));
        build();
    });
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    test("a second build with no source change rebuilds nothing, and outputs of removed sources are deleted", () => {
        const stale = path.join(ROOT, ".build", "tools", "removed-tool.js");
        fs.writeFileSync(stale, "module.exports = {};\n");
        const log = build();
        expect(log).toMatch(/^built 0 of \d+ file\(s\) into \.build\/ \(1 stale removed\)/);
        expect(fs.existsSync(stale)).toBe(false);
    });

    test.each(["dev", "prod"])(
        "the %s plan from the built JavaScript is identical to the plan under ts-node: plan.json (outputs' key order included), policy report, manifests, diagram, summary",
        (stack) => {
            const viaTsNode = plan(["-r", "ts-node/register/transpile-only", "tools/plan.ts"], stack, path.join(work, `${stack}-ts`));
            const viaBuild = plan([".build/tools/plan.js"], stack, path.join(work, `${stack}-js`));
            expect(viaBuild).toBe(viaTsNode);
            const a = filesUnder(path.join(work, `${stack}-ts`));
            const b = filesUnder(path.join(work, `${stack}-js`));
            expect([...b.keys()]).toEqual([...a.keys()]);
            expect(a.size).toBeGreaterThan(3);
            for (const [rel, text] of a) expect({ rel, text: b.get(rel) }).toEqual({ rel, text });
            const outputs = Object.keys((JSON.parse(a.get("plan.json") ?? "{}") as { outputs: object }).outputs);
            // Sorted as `pulumi stack output --json` prints them.
            expect(outputs).toEqual([...outputs].sort());
        },
        // Two full plans in fresh processes; slow only on a loaded machine.
        180_000,
    );
});

describe("bench statistics", () => {
    test("median of odd and even counts", () => {
        expect(median([3, 1, 2])).toBe(2);
        expect(median([4, 1, 3, 2])).toBe(2.5);
    });

    test("slope per added region: 100 MiB fixed plus 12 per region gives 12", () => {
        // y = 100 + 12x at x = 1, 4, 16, 32.
        expect(slope([1, 4, 16, 32].map((x) => ({ x, y: 100 + 12 * x })))).toBeCloseTo(12, 10);
    });

    test("slope of noisy points is the least-squares fit", () => {
        // x = 1, 2, 3; y = 1, 3, 2: mean x 2, mean y 2, Sxy = (-1)(-1) + 0 + (1)(0) = 1, Sxx = 2.
        expect(
            slope([
                { x: 1, y: 1 },
                { x: 2, y: 3 },
                { x: 3, y: 2 },
            ]),
        ).toBe(0.5);
    });

    test("a slope needs two different sizes", () => {
        expect(() => slope([{ x: 4, y: 1 }])).toThrow("at least two points");
        expect(() =>
            slope([
                { x: 4, y: 1 },
                { x: 4, y: 2 },
            ]),
        ).toThrow("two different sizes");
    });
});
