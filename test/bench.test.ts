import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchError, parseBenchArgs, PLAN_NODE_OPTIONS, runBench, type Runner } from "../tools/bench";

function capture() {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { io: { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) }, stdout, stderr };
}

describe("bench flags", () => {
    const bad: Array<[string[], string]> = [
        [["--runs", "abc"], "error: option '--runs <n>' argument 'abc' is invalid. 'abc' is not a whole number."],
        [["--runs", "0"], "error: option '--runs <n>' argument '0' is invalid. 0 is outside 1-20."],
        [["--runs", "2.5"], "error: option '--runs <n>' argument '2.5' is invalid. '2.5' is not a whole number."],
        [
            ["--sizes", "a,b"],
            "error: option '--sizes <list>' argument 'a,b' is invalid. 'a' is not a whole number (region counts are 1-64).",
        ],
        [
            ["--sizes", "1,,4"],
            "error: option '--sizes <list>' argument '1,,4' is invalid. '1,,4' is not a comma-separated list of region counts such as 1,4,16.",
        ],
        [["--sizes", "65"], "error: option '--sizes <list>' argument '65' is invalid. 65 is outside 1-64 (region counts are 1-64)."],
        [["--bogus"], "error: unknown option '--bogus'"],
        [["extra"], "error: too many arguments. Expected 0 arguments but got 1."],
    ];
    test.each(bad)("%j exits 2 with one line", (argv, line) => {
        const { io, stderr } = capture();
        expect(parseBenchArgs(argv, io)).toBe(2);
        expect(stderr).toEqual([line]);
    });

    test("good values are parsed, with the documented defaults", () => {
        const { io } = capture();
        expect(parseBenchArgs([], io)).toEqual({ runs: 3, sizes: [1, 4, 16, 32], skipSynthetic: false });
        expect(parseBenchArgs(["--runs", "5", "--sizes", "2, 8", "--skip-synthetic"], io)).toEqual({
            runs: 5,
            sizes: [2, 8],
            skipSynthetic: true,
        });
    });
});

describe("bench verdict", () => {
    let tmp: string;
    const savedTmp = process.env["TMPDIR"];
    const stackFiles = [path.join(__dirname, "..", "Pulumi.dev.yaml"), path.join(__dirname, "..", "Pulumi.prod.yaml")];
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-bench-test-"));
        process.env["TMPDIR"] = tmp;
    });
    afterEach(() => {
        process.env["TMPDIR"] = savedTmp;
        if (savedTmp === undefined) delete process.env["TMPDIR"];
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** A runner whose floor takes 1 s of CPU (2 s wall) and whose plans take the given CPU time (8 s wall). */
    const runner =
        (planCpuMs: number): Runner =>
        (args) =>
            args[0] === "floor"
                ? { code: 0, wallMs: 2000, cpuMs: 1000, peakRssMiB: 150 }
                : { code: 0, wallMs: 8000, cpuMs: planCpuMs, peakRssMiB: 300 };

    test("every target met: exit 0, an estimate before the rows, and the work folder removed", () => {
        const { io, stdout, stderr } = capture();
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, runner(2900), stackFiles)).toBe(0);
        expect(stderr).toEqual([]);
        // 2 stacks x 1 run x 4 x the floor's 2 s wall (each plan run comes with a floor run).
        const estimate = stdout.findIndex((l) => l.startsWith("estimate: 2 stack(s) x 1 run(s), about 16 s"));
        expect(estimate).toBeGreaterThan(0);
        expect(stdout.findIndex((l) => l.startsWith("dev "))).toBeGreaterThan(estimate);
        expect(stdout.find((l) => l.startsWith("prod "))?.split(/\s+/)).toEqual([
            "prod",
            "2.90",
            "8.00",
            "1.00",
            "2.90",
            "met",
            "300",
            "0",
        ]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("a stack over 3x the floor's CPU: exit 1 naming it", () => {
        const { io, stdout, stderr } = capture();
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, runner(3100), stackFiles)).toBe(1);
        expect(stdout.find((l) => l.startsWith("dev "))?.split(/\s+/)).toEqual([
            "dev",
            "3.10",
            "8.00",
            "1.00",
            "3.10",
            "MISSED",
            "300",
            "0",
        ]);
        expect(stderr).toEqual(["MISSED: dev: 3.10x the floor's CPU; prod: 3.10x the floor's CPU"]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("each stack's ratio is to the floor runs made alternately with its own runs", () => {
        const { io, stdout, stderr } = capture();
        // The machine slows down as the bench goes: every run costs 10% more than the one before.
        const calls: string[] = [];
        const drifting: Runner = (args) => {
            calls.push(args[0]);
            const slowdown = 1 + 0.1 * (calls.length - 1);
            return args[0] === "floor"
                ? { code: 0, wallMs: 2000, cpuMs: 1000 * slowdown, peakRssMiB: 150 }
                : { code: 0, wallMs: 8000, cpuMs: 2800 * slowdown, peakRssMiB: 300 };
        };
        expect(runBench({ runs: 3, sizes: [], skipSynthetic: true }, io, drifting, stackFiles)).toBe(0);
        expect(stderr).toEqual([]);
        // Three floor runs for the header line, then floor and plan in turn for each stack.
        expect(calls).toEqual(["floor", "floor", "floor", ...Array(6).fill(["floor", "plan"]).flat()]);
        // dev: floors at calls 4, 6, 8 (median 1.50 s), plans at 5, 7, 9 (median 2.80 x 1.6 = 4.48 s): 2.99x.
        expect(stdout.find((l) => l.startsWith("dev "))?.split(/\s+/)).toEqual(["dev", "4.48", "8.00", "1.50", "2.99", "met", "300", "0"]);
        // prod: floors at calls 10, 12, 14 (median 2.10 s), plans at 11, 13, 15 (6.16 s): 2.93x;
        // against the first floor (1.10 s) it would be 5.6x.
        expect(stdout.find((l) => l.startsWith("prod "))?.split(/\s+/)).toEqual([
            "prod",
            "6.16",
            "8.00",
            "2.10",
            "2.93",
            "met",
            "300",
            "0",
        ]);
    });

    /** Synthetic fleets cost 2 s + 250 ms of CPU and 200 + 14 MiB per region. */
    const fleetRunner =
        (cpuPerRegionMs: number): Runner =>
        (args) => {
            if (args[0] === "floor") return { code: 0, wallMs: 2000, cpuMs: 1000, peakRssMiB: 150 };
            const regions = Number(/synthetic-(\d+)/.exec(args[1])?.[1] ?? 1);
            return { code: 0, wallMs: 4000, cpuMs: 2000 + cpuPerRegionMs * regions, peakRssMiB: 200 + 14 * regions };
        };

    test("per-region slopes are least-squares fits, and 32 regions are held to 10 s of CPU and 700 MiB", () => {
        const { io, stdout, stderr } = capture();
        // 32 regions: 2000 + 32 x 240 = 9680 ms and 200 + 32 x 14 = 648 MiB: met. Slope: 14 MiB = 14.68 MB: met.
        expect(runBench({ runs: 1, sizes: [1, 4, 32], skipSynthetic: false }, io, fleetRunner(240), [])).toBe(0);
        expect(stderr).toEqual([]);
        expect(stdout).toContain("          target for 32 regions: < 10.00 s CPU and < 700 MiB: met");
        expect(stdout).toContain("per added region (least squares over 3 sizes): 0.24 s CPU, 14.7 MB peak RSS (target < 15 MB: met)");
    });

    test("a synthetic fleet whose plan fails is a failed run: exit 2 naming it", () => {
        const { io, stderr } = capture();
        const failing: Runner = (args) =>
            args[0] === "floor"
                ? { code: 0, wallMs: 2000, cpuMs: 1000, peakRssMiB: 150 }
                : { code: 2, wallMs: 900, cpuMs: 800, peakRssMiB: 160 };
        expect(runBench({ runs: 1, sizes: [16], skipSynthetic: false }, io, failing, [])).toBe(2);
        expect(stderr).toEqual(["the plan of the synthetic fleet of 16 region(s) exited 2"]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("32 regions at 10 s of CPU miss the target: exit 1 naming it", () => {
        const { io, stdout, stderr } = capture();
        // 2000 + 32 x 250 = 10000 ms, not under 10 s.
        expect(runBench({ runs: 1, sizes: [1, 32], skipSynthetic: false }, io, fleetRunner(250), [])).toBe(1);
        expect(stdout).toContain("          target for 32 regions: < 10.00 s CPU and < 700 MiB: MISSED");
        expect(stderr).toEqual(["MISSED: 32 regions: 10.00 s CPU, 648 MiB"]);
    });

    test("a failing run: exit 2 with one line, and the work folder removed", () => {
        const { io, stderr } = capture();
        const failing: Runner = (args) => {
            if (args[0] === "plan") throw new BenchError("a bench run failed (plan x): boom");
            return { code: 0, wallMs: 2000, cpuMs: 1000, peakRssMiB: 300 };
        };
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, failing, stackFiles)).toBe(2);
        expect(stderr).toEqual(["a bench run failed (plan x): boom"]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("synthetic fleets get their own estimate before their rows", () => {
        const { io, stdout } = capture();
        expect(runBench({ runs: 1, sizes: [1, 2], skipSynthetic: false }, io, runner(2000), stackFiles.slice(0, 1))).toBe(0);
        const estimate = stdout.findIndex((l) => l.startsWith("estimate: 2 synthetic fleet(s), 3 regions in all, about 28 s"));
        expect(estimate).toBeGreaterThan(0);
        expect(stdout.slice(estimate + 2).map((l) => l.trim().split(/\s+/)[0])).toEqual(["1", "2", "per"]);
        expect(stdout[stdout.length - 1]).toBe(
            "per added region (least squares over 2 sizes): 0.00 s CPU, 0.0 MB peak RSS (target < 15 MB: met)",
        );
    });
});

describe("bench runs the plan as npm runs it", () => {
    test("the plan's node options in the bench are the ones the npm plan script passes", () => {
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> }
        ).scripts;
        expect(PLAN_NODE_OPTIONS).toEqual(["--max-semi-space-size=32"]);
        expect(scripts["plan"]).toBe("node tools/build.mjs --quiet && node --max-semi-space-size=32 .build/tools/plan.js");
    });
});
