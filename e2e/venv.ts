/**
 * The run's Python environment: `.venv-e2e/` at the repository root (git-ignored), made
 * from e2e/requirements.txt and reused while the file's hash (and the interpreter) stay the same.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand } from "./processes";

const MARKER = "modelfleet-requirements.sha256";

export interface Venv {
    dir: string;
    bin: string;
    python: string;
    /** Seconds spent creating it; 0 when reused. */
    installSeconds: number;
}

export function ensureVenv(root: string, log: (line: string) => void): Venv {
    const dir = path.join(root, ".venv-e2e");
    const bin = path.join(dir, "bin");
    const requirements = path.join(root, "e2e", "requirements.txt");
    const interpreter = process.env.E2E_PYTHON ?? "python3.11";
    const version = runCommand(interpreter, ["--version"], { cwd: root, env: process.env, timeoutMs: 30_000 });
    if (version.code !== 0 || !/^Python 3\.11\./.test(version.stdout.trim())) {
        throw new Error(
            `e2e needs Python 3.11 as '${interpreter}' (set E2E_PYTHON to another path): ${(version.stdout + version.stderr).trim()}`,
        );
    }
    const hash = createHash("sha256").update(fs.readFileSync(requirements)).update(version.stdout.trim()).digest("hex");
    const marker = path.join(dir, MARKER);
    if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === hash) {
        log(`reusing ${path.relative(root, dir)}/ (requirements unchanged, ${hash.slice(0, 12)})`);
        return { dir, bin, python: path.join(bin, "python"), installSeconds: 0 };
    }
    if (fs.existsSync(dir)) {
        if (!fs.existsSync(marker)) {
            throw new Error(`${dir} exists but was not made by npm run e2e (no ${MARKER}); move it away and run again`);
        }
        log(`requirements changed: removing the old ${path.relative(root, dir)}/`);
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const started = Date.now();
    log(`creating ${path.relative(root, dir)}/ with ${version.stdout.trim()} from e2e/requirements.txt (first run: a few minutes)`);
    const made = runCommand(interpreter, ["-m", "venv", dir], { cwd: root, env: process.env, timeoutMs: 120_000 });
    if (made.code !== 0) throw new Error(`python -m venv failed:\n${made.stderr}`);
    const pip = runCommand(path.join(bin, "pip"), ["install", "--disable-pip-version-check", "-q", "-r", requirements], {
        cwd: root,
        env: process.env,
        timeoutMs: 1_200_000,
    });
    if (pip.code !== 0)
        throw new Error(
            `pip install -r e2e/requirements.txt failed:\n${(pip.stdout + pip.stderr).trim().split("\n").slice(-30).join("\n")}`,
        );
    fs.writeFileSync(marker, `${hash}\n`);
    const installSeconds = (Date.now() - started) / 1000;
    log(`installed in ${installSeconds.toFixed(1)} s`);
    return { dir, bin, python: path.join(bin, "python"), installSeconds };
}
