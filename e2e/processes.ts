/**
 * The servers the end-to-end run starts: each in its own process group, its output in a log
 * file of the run, stopped (group and all) whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";

export class Server {
    private readonly child: ChildProcess;
    private exitCode: number | null = null;
    private exitSignal: string | null = null;

    constructor(
        readonly name: string,
        readonly logFile: string,
        command: string,
        args: readonly string[],
        options: { cwd: string; env: NodeJS.ProcessEnv },
    ) {
        const log = fs.openSync(logFile, "a");
        this.child = spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        this.child.on("exit", (code, signal) => {
            this.exitCode = code;
            this.exitSignal = signal;
        });
        running.add(this);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get exited(): boolean {
        return this.exitCode !== null || this.exitSignal !== null;
    }

    get exitDescription(): string {
        return this.exitSignal !== null ? `killed by ${this.exitSignal}` : `exited with code ${this.exitCode}`;
    }

    /** The last lines of the server's own log. */
    tail(lines = 30): string {
        return logTail(this.logFile, lines);
    }

    /** TERM the process group, then KILL what is left after `graceMs`. */
    async stop(graceMs = 8000): Promise<void> {
        const pid = this.child.pid;
        running.delete(this);
        if (pid === undefined) return;
        signalGroup(pid, "SIGTERM");
        const deadline = Date.now() + graceMs;
        while (Date.now() < deadline && groupAlive(pid)) await sleep(100);
        if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    }
}

const running = new Set<Server>();

/** Kill every server still running (used on any exit path). */
export function killAllSync(): void {
    for (const server of running) {
        if (server.pid !== undefined) signalGroup(server.pid, "SIGKILL");
    }
    running.clear();
}

export async function stopAll(): Promise<void> {
    for (const server of [...running].reverse()) await server.stop();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // already gone
    }
}

/** Whether any process of the group led by `pid` is still running. */
export function groupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function logTail(file: string, lines: number): string {
    if (!fs.existsSync(file)) return `(no log at ${file})`;
    const text = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    return text.slice(-lines).join("\n");
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Run a command to completion (no shell), with a time limit. */
export function runCommand(
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): CommandResult {
    const result = spawnSync(command, [...args], {
        cwd: options.cwd,
        env: options.env,
        encoding: "utf8",
        timeout: options.timeoutMs,
        input: options.input,
        maxBuffer: 64 * 1024 * 1024,
    });
    const timedOut = result.error !== undefined && "code" in result.error && result.error.code === "ETIMEDOUT";
    return {
        code: result.status ?? 1,
        stdout: result.stdout ?? "",
        stderr:
            (result.stderr ?? "") +
            (timedOut ? `\n(timed out after ${options.timeoutMs} ms)` : result.error ? `\n${result.error.message}` : ""),
    };
}

/** Like runCommand, without blocking this process (servers it hosts keep answering). */
export function runCommandAsync(
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
    return new Promise((resolve) => {
        const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const timer = setTimeout(() => {
            stderr += `\n(timed out after ${options.timeoutMs} ms)`;
            child.kill("SIGKILL");
        }, options.timeoutMs);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stdout, stderr });
        });
    });
}
