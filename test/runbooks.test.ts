import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..");
const scripts = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);

/** Every Markdown file under docs/, and the README when there is one. */
function markdownFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".md")) found.push(full);
        }
    };
    walk(path.join(ROOT, "docs"));
    const readme = path.join(ROOT, "README.md");
    if (fs.existsSync(readme)) found.push(readme);
    return found.sort();
}

/** `npm run <script>` occurrences (prose and code alike), with file and line. */
function npmRuns(file: string): Array<{ script: string; where: string }> {
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
            [...line.matchAll(/npm run (?:--silent |-s )?([A-Za-z0-9:_-]+)/g)].map((m) => ({
                script: m[1],
                where: `${path.relative(ROOT, file)}:${i + 1}`,
            })),
        );
}

/** Command lines of the ```sh blocks, continuation lines joined. */
function shellCommands(file: string): Array<{ command: string; where: string }> {
    const out: Array<{ command: string; where: string }> = [];
    const lines = fs.readFileSync(file, "utf8").split("\n");
    let inBlock = false;
    let pending = "";
    let start = 0;
    lines.forEach((raw, i) => {
        const line = raw.trim();
        if (/^```(sh|bash)$/.test(line)) return void (inBlock = true);
        if (line === "```") return void (inBlock = false);
        if (!inBlock || line === "" || (pending === "" && line.startsWith("#"))) return;
        if (pending === "") start = i + 1;
        pending += `${line.replace(/\\$/, "").trim()} `;
        if (!line.endsWith("\\")) {
            out.push({ command: pending.trim(), where: `${path.relative(ROOT, file)}:${start}` });
            pending = "";
        }
    });
    return out;
}

const STANDARD_CLIS = ["kubectl", "pulumi", "aws", "gcloud", "curl", "npm"];

describe("documented commands", () => {
    const files = markdownFiles();

    test("the runbooks exist", () => {
        const runbooks = files.filter((f) => f.includes(`${path.sep}runbooks${path.sep}`)).map((f) => path.basename(f));
        expect(runbooks).toEqual([
            "add-model.md",
            "add-region.md",
            "backup-restore.md",
            "blue-green.md",
            "common-issues.md",
            "first-deploy.md",
            "region-loss.md",
            "rolling-update.md",
        ]);
    });

    test("every `npm run <script>` in docs/ and the README is a script in package.json", () => {
        const all = files.flatMap(npmRuns);
        expect(all.filter((r) => !scripts.includes(r.script)).map((r) => `${r.where}: npm run ${r.script}`)).toEqual([]);
        // The scan sees the commands the runbooks rely on.
        for (const script of ["plan", "health", "debug"]) expect(all.map((r) => r.script)).toContain(script);
    });

    test("every shell command in the runbooks is one of the project's or a standard CLI", () => {
        const commands = files.filter((f) => f.includes(`${path.sep}runbooks${path.sep}`)).flatMap(shellCommands);
        expect(commands.length).toBeGreaterThan(40);
        const stray = commands.filter((c) => !STANDARD_CLIS.includes(c.command.split(/\s+/)[0]));
        expect(stray.map((c) => `${c.where}: ${c.command}`)).toEqual([]);
        const npm = commands.filter((c) => c.command.startsWith("npm ") && !/^npm run [A-Za-z0-9:_-]+( |$)/.test(c.command));
        expect(npm.map((c) => `${c.where}: ${c.command}`)).toEqual([]);
    });

    test("every `pulumi stack output <name>` names an output the program exports", () => {
        const exported = [...fs.readFileSync(path.join(ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        const named = files.flatMap((file) =>
            fs
                .readFileSync(file, "utf8")
                .split("\n")
                .flatMap((line, i) =>
                    [...line.matchAll(/pulumi stack output (?!--)(\w+)/g)].map((m) => ({
                        name: m[1],
                        where: `${path.relative(ROOT, file)}:${i + 1}`,
                    })),
                ),
        );
        expect(named.length).toBeGreaterThan(3);
        expect(named.filter((n) => !exported.includes(n.name)).map((n) => `${n.where}: ${n.name}`)).toEqual([]);
    });

    test("the scanners find what they must", () => {
        const sample = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-docs-")), "x.md");
        fs.writeFileSync(sample, "Run `npm run nope -- --x`.\n\n```sh\nrm -rf out \\\n  --x\nkubectl get pods\n```\n");
        expect(npmRuns(sample)).toEqual([{ script: "nope", where: path.relative(ROOT, sample) + ":1" }]);
        expect(shellCommands(sample).map((c) => c.command)).toEqual(["rm -rf out --x", "kubectl get pods"]);
    });

    test("links between the docs resolve", () => {
        const broken: string[] = [];
        for (const file of files) {
            for (const m of fs.readFileSync(file, "utf8").matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)) {
                const target = path.resolve(path.dirname(file), m[1]);
                // docs/model-store.md is written alongside the model store; allow it until it lands.
                if (!fs.existsSync(target) && path.relative(ROOT, target) !== path.join("docs", "model-store.md"))
                    broken.push(`${path.relative(ROOT, file)} -> ${m[1]}`);
            }
        }
        expect(broken).toEqual([]);
    });
});
