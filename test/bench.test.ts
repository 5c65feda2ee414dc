import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchError, parseBenchArgs, runBench, type Runner } from "../tools/bench";

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

    /** A runner whose floor takes 2 s and whose plans take the given time. */
    const runner =
        (planMs: number): Runner =>
        (args) => ({ code: 0, wallMs: args[0] === "floor" ? 2000 : planMs, peakRssMiB: 300 });

    test("every target met: exit 0, an estimate before the rows, and the work folder removed", () => {
        const { io, stdout, stderr } = capture();
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, runner(9000), stackFiles)).toBe(0);
        expect(stderr).toEqual([]);
        const estimate = stdout.findIndex((l) => l.startsWith("estimate: 2 stack(s) x 1 run(s), about 13 s"));
        expect(estimate).toBeGreaterThan(0);
        expect(stdout.findIndex((l) => l.startsWith("dev "))).toBeGreaterThan(estimate);
        expect(stdout.find((l) => l.startsWith("prod "))).toContain("11.00 met");
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("a missed target: exit 1 naming it", () => {
        const { io, stdout, stderr } = capture();
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, runner(12000), stackFiles)).toBe(1);
        expect(stdout.find((l) => l.startsWith("dev "))).toContain("11.00 MISSED");
        expect(stderr).toEqual(["2 committed stack(s) MISSED the target of 11.00 s"]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("a failing run: exit 2 with one line, and the work folder removed", () => {
        const { io, stderr } = capture();
        const failing: Runner = (args) => {
            if (args[0] === "plan") throw new BenchError("a bench run failed (plan x): boom");
            return { code: 0, wallMs: 2000, peakRssMiB: 300 };
        };
        expect(runBench({ runs: 1, sizes: [], skipSynthetic: true }, io, failing, stackFiles)).toBe(2);
        expect(stderr).toEqual(["a bench run failed (plan x): boom"]);
        expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test("synthetic fleets get their own estimate before their rows", () => {
        const { io, stdout } = capture();
        expect(runBench({ runs: 1, sizes: [1, 2], skipSynthetic: false }, io, runner(8000), stackFiles.slice(0, 1))).toBe(0);
        const estimate = stdout.findIndex((l) => l.startsWith("estimate: 2 synthetic fleet(s), 3 regions in all, about 28 s"));
        expect(estimate).toBeGreaterThan(0);
        expect(stdout.slice(estimate + 2).map((l) => l.trim().split(/\s+/)[0])).toEqual(["1", "2"]);
    });
});
