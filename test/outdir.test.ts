import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { claimOutputDir, OUTPUT_MARKER, OutputDirError, writeOutputDir } from "../tools/outdir";
import { main as plan } from "../tools/plan";
import { main as debug } from "../tools/debug";

const ROOT = path.resolve(__dirname, "..");

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-outdir-"))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function claim(dir: string, protectedDirs: Record<string, string | undefined> = {}) {
    return claimOutputDir(dir, { flag: "--out", protectedDirs });
}

function refusal(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        if (err instanceof OutputDirError) return err.message;
        throw err;
    }
    throw new Error("not refused");
}

/** A folder with files that are not the tool's: a checkout, a home directory. */
function precious(dir: string): string[] {
    fs.mkdirSync(path.join(dir, ".git"), { recursive: true });
    fs.writeFileSync(path.join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine\n");
    return [path.join(dir, ".git", "HEAD"), path.join(dir, "notes.txt")];
}

describe("the output folder of a tool", () => {
    test("a new folder, or an empty one, is taken", () => {
        expect(claim(path.join(work, "new", "deeper")).previousFiles).toEqual([]);
        fs.mkdirSync(path.join(work, "empty"));
        expect(claim(path.join(work, "empty")).previousFiles).toEqual([]);
    });

    test("a non-empty folder without the marker is refused and left as it was", () => {
        const files = precious(work);
        expect(refusal(() => claim(work))).toBe(
            `--out ${work}: refusing to write into a folder that is not empty and was not written by a modelfleet tool (no .modelfleet-output.json); give a new or empty folder`,
        );
        files.forEach((f) => expect(fs.existsSync(f)).toBe(true));
    });

    test("the working directory, the repository root and any folder holding them are refused even with a marker", () => {
        const repo = path.join(work, "repo");
        const cwd = path.join(repo, "sub");
        fs.mkdirSync(cwd, { recursive: true });
        fs.writeFileSync(path.join(repo, OUTPUT_MARKER), JSON.stringify({ writtenBy: "modelfleet plan", files: [] }));
        const guarded = { "the working directory": cwd, "the repository root": repo };
        expect(refusal(() => claim(cwd, guarded))).toBe(
            `--out ${cwd}: refusing to write into the working directory (${fs.realpathSync(cwd)}); give a folder of its own, e.g. --out out/<stack>`,
        );
        expect(refusal(() => claim(repo, guarded))).toMatch(/refusing to write into a folder that contains the working directory/);
        expect(refusal(() => claim(work, guarded))).toMatch(/refusing to write into a folder that contains the working directory/);
        expect(refusal(() => claim(path.join(repo, "sub", ".."), { "the repository root": repo }))).toMatch(
            /refusing to write into the repository root/,
        );
    });

    test("a symlink to a protected folder is seen through", () => {
        const repo = path.join(work, "repo");
        fs.mkdirSync(repo);
        fs.symlinkSync(repo, path.join(work, "link"));
        expect(refusal(() => claim(path.join(work, "link"), { "the repository root": repo }))).toMatch(
            /refusing to write into the repository root/,
        );
    });

    test("a file is refused", () => {
        fs.writeFileSync(path.join(work, "plan"), "x");
        expect(refusal(() => claim(path.join(work, "plan")))).toBe(`--out ${path.join(work, "plan")}: is not a folder; give a folder path`);
    });

    test("an unreadable marker is refused", () => {
        fs.writeFileSync(path.join(work, OUTPUT_MARKER), "{not json");
        expect(refusal(() => claim(work))).toMatch(/\.modelfleet-output\.json there cannot be read/);
    });

    test("a rerun replaces only the files the previous run listed, and keeps everything else", () => {
        const out = path.join(work, "out");
        writeOutputDir(claim(out), "modelfleet plan", [
            { path: "plan.json", content: "1" },
            { path: "manifests/use1/a.yaml", content: "a" },
            { path: "manifests/gone/b.yaml", content: "b" },
        ]);
        fs.writeFileSync(path.join(out, "manifests", "use1", "mine.yaml"), "user file");
        const again = claim(out);
        expect(again.previousFiles).toEqual(["plan.json", "manifests/use1/a.yaml", "manifests/gone/b.yaml"]);
        writeOutputDir(again, "modelfleet plan", [{ path: "plan.json", content: "2" }]);
        expect(fs.readFileSync(path.join(out, "plan.json"), "utf8")).toBe("2");
        expect(fs.existsSync(path.join(out, "manifests", "use1", "a.yaml"))).toBe(false);
        expect(fs.existsSync(path.join(out, "manifests", "gone"))).toBe(false);
        expect(fs.readFileSync(path.join(out, "manifests", "use1", "mine.yaml"), "utf8")).toBe("user file");
        expect(JSON.parse(fs.readFileSync(path.join(out, OUTPUT_MARKER), "utf8"))).toEqual({
            writtenBy: "modelfleet plan",
            files: ["plan.json"],
        });
    });

    test("a marker naming files outside the folder removes nothing outside it", () => {
        const out = path.join(work, "out");
        fs.mkdirSync(out);
        const outside = path.join(work, "outside.txt");
        fs.writeFileSync(outside, "keep");
        fs.writeFileSync(path.join(out, OUTPUT_MARKER), JSON.stringify({ writtenBy: "x", files: ["../outside.txt", outside] }));
        writeOutputDir(claim(out), "modelfleet plan", []);
        expect(fs.readFileSync(outside, "utf8")).toBe("keep");
    });
});

describe("plan and debug --out", () => {
    const quiet = () => {
        const stderr: string[] = [];
        return { io: { stdout: () => undefined, stderr: (l: string) => stderr.push(l) }, stderr };
    };

    test("plan --out . (the repository root under npm) exits 2 and deletes nothing", async () => {
        const before = fs.readdirSync(ROOT).sort();
        const { io, stderr } = quiet();
        const cwd = process.cwd();
        process.chdir(ROOT);
        try {
            expect(await plan(["--stack", "dev", "--out", "."], io)).toBe(2);
        } finally {
            process.chdir(cwd);
        }
        expect(stderr).toEqual([
            `--out .: refusing to write into the working directory (${fs.realpathSync(ROOT)}); give a folder of its own, e.g. --out out/<stack>`,
        ]);
        expect(fs.readdirSync(ROOT).sort()).toEqual(before);
    });

    test("plan --out with a parent of the repository exits 2", async () => {
        const { io, stderr } = quiet();
        expect(await plan(["--stack", "dev", "--out", path.dirname(ROOT)], io)).toBe(2);
        expect(stderr).toHaveLength(1);
        expect(stderr[0]).toMatch(/refusing to write into a folder that contains the (working directory|repository root)/);
    });

    test("plan --out with someone else's folder exits 2 and leaves it whole", async () => {
        const files = precious(work);
        const { io, stderr } = quiet();
        expect(await plan(["--stack", "dev", "--out", work], io)).toBe(2);
        expect(stderr).toEqual([
            `--out ${work}: refusing to write into a folder that is not empty and was not written by a modelfleet tool (no .modelfleet-output.json); give a new or empty folder`,
        ]);
        files.forEach((f) => expect(fs.existsSync(f)).toBe(true));
    });

    test("debug --out with someone else's folder exits 2 and leaves it whole", async () => {
        const files = precious(work);
        const { io, stderr } = quiet();
        expect(await debug(["--stack", "dev", "--out", work], { ...io, env: {}, homeDir: work })).toBe(2);
        expect(stderr).toEqual([
            `--out ${work}: refusing to write into a folder that is not empty and was not written by a modelfleet tool (no .modelfleet-output.json); give a new or empty folder`,
        ]);
        files.forEach((f) => expect(fs.existsSync(f)).toBe(true));
    });
});
