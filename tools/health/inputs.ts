import { spawn } from "node:child_process";
import { MiB, readBoundedFile } from "../boundedFile";
import { z } from "zod";

/** Where a region runs; `null` when the endpoints file gives only a URL. */
export type Cloud = "aws" | "gcp" | "existing";

/** One regional entry point that serves both TorchServe and the TensorZero gateway. */
export interface RegionEndpoint {
    region: string;
    /** Base URL; check paths are resolved relative to it, so a path prefix is kept. */
    url: string;
    cloud: Cloud | null;
}

/** Name of the stack output `index.ts` exports: region → `{ url, cloud }`. */
export const STACK_OUTPUT_NAME = "regionEndpoints";

/** Bad input: each line names what is wrong and where. The command exits 2 on it. */
export class InputError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("; "));
        this.name = "InputError";
    }
}

const baseUrl = z.string({ error: "url must be a string" }).superRefine((value, ctx) => {
    const problem = urlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const endpointEntry = z.preprocess(
    // The file form allows a bare URL; the stack output always carries the cloud too.
    (value) => (typeof value === "string" ? { url: value } : value),
    z.object(
        {
            url: baseUrl,
            cloud: z.enum(["aws", "gcp", "existing"], { error: 'cloud must be one of "aws", "gcp", "existing"' }).optional(),
        },
        { error: "must be a base URL string or an object { url, cloud }" },
    ),
);

const endpointMap = z.record(z.string().min(1, { error: "region name must not be empty" }), endpointEntry, {
    error: "must be a JSON object mapping region name to a base URL or { url, cloud }",
});

function urlProblem(value: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(value);
    } catch {
        return `url must be an absolute http(s) URL, got ${JSON.stringify(value)}`;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        return `url must use http or https, got ${JSON.stringify(value)}`;
    }
    // The URL is printed in every report; credentials in it would leak into CI logs.
    if (parsed.username || parsed.password) return "url must not embed credentials";
    return undefined;
}

/** Validates region → URL | {url, cloud}; `source` prefixes every error line. */
export function parseRegionEndpoints(value: unknown, source: string): RegionEndpoint[] {
    const result = endpointMap.safeParse(value);
    if (!result.success) {
        throw new InputError(
            result.error.issues.map((issue) => {
                const where = issue.path.length > 0 ? ` region ${JSON.stringify(String(issue.path[0]))}` : "";
                return `${source}:${where} ${issue.message}`;
            }),
        );
    }
    const regions = Object.entries(result.data).map(([region, entry]) => ({
        region,
        url: entry.url,
        cloud: entry.cloud ?? null,
    }));
    if (regions.length === 0) throw new InputError([`${source}: no regions listed`]);
    return regions;
}

/**
 * The largest `--endpoints` file read, in bytes: a thousand regions take about 100 KiB.
 * A regular file only; `/dev/zero` or a FIFO is refused, never read without bound.
 */
export const MAX_ENDPOINTS_FILE_BYTES = 4 * MiB;

/** Reads an `--endpoints` file: JSON region → base URL, or region → `{ url, cloud }`. */
export function readEndpointsFile(path: string): RegionEndpoint[] {
    const read = readBoundedFile(path, MAX_ENDPOINTS_FILE_BYTES);
    if (!read.ok) throw new InputError([`--endpoints ${path}: cannot read file (${read.problem})`]);
    const { text } = read;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        const why = typeof err === "object" && err !== null && "message" in err ? String(err.message) : String(err);
        throw new InputError([`--endpoints ${path}: not valid JSON (${why})`]);
    }
    return parseRegionEndpoints(value, `--endpoints ${path}`);
}

/** Picks `regionEndpoints` out of `pulumi stack output --json`. */
export function endpointsFromStackOutputs(stdout: string, stack: string): RegionEndpoint[] {
    let outputs: unknown;
    try {
        outputs = JSON.parse(stdout);
    } catch {
        throw new InputError([`stack ${stack}: pulumi stack output did not print JSON`]);
    }
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
        throw new InputError([`stack ${stack}: pulumi stack output did not print a JSON object`]);
    }
    const names = Object.keys(outputs);
    if (names.length === 0) {
        throw new InputError([`stack ${stack} has no outputs; run \`pulumi up --stack ${stack}\` first`]);
    }
    const endpoints: unknown = Object.getOwnPropertyDescriptor(outputs, STACK_OUTPUT_NAME)?.value;
    if (endpoints === undefined) {
        throw new InputError([
            `stack ${stack} has no output "${STACK_OUTPUT_NAME}" (it has: ${names.join(", ")}); ` +
                "update the stack with a program version that exports it",
        ]);
    }
    if (endpoints === "[secret]") {
        throw new InputError([`stack ${stack}: output "${STACK_OUTPUT_NAME}" is a secret; it must be a plain output`]);
    }
    return parseRegionEndpoints(endpoints, `stack ${stack} output ${STACK_OUTPUT_NAME}`);
}

// Pulumi stack names: an optional org/project prefix, then letters, digits, '-', '_', '.'.
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export interface StackReadOptions {
    /** Executable to run; default `pulumi` from PATH. */
    pulumiBinary?: string;
    /** Kill the CLI after this long, in ms. */
    timeoutMs: number;
}

/** Runs `pulumi stack output --json` for `stack` and returns its region endpoints. */
export async function readStackEndpoints(stack: string, options: StackReadOptions): Promise<RegionEndpoint[]> {
    if (!STACK_NAME.test(stack)) throw new InputError([`--stack ${JSON.stringify(stack)} is not a valid stack name`]);
    const binary = options.pulumiBinary ?? "pulumi";
    const args = ["stack", "output", "--json", "--show-secrets=false", `--stack=${stack}`];
    const stdout = await runCli(binary, args, options.timeoutMs).catch((err: unknown) => {
        throw err instanceof CliFailure ? new InputError([describeCliFailure(err, binary, stack, options.timeoutMs)]) : err;
    });
    return endpointsFromStackOutputs(stdout, stack);
}

class CliFailure extends Error {
    constructor(
        readonly kind: "missing" | "not-executable" | "timeout" | "failed",
        readonly status: string,
        readonly stderr: string,
    ) {
        super(`${kind} ${status}`);
    }
}

/** Output beyond this is not a stack output listing; stop collecting it (bytes). */
const MAX_CLI_OUTPUT = 16 * 1024 * 1024;

/**
 * Runs the CLI and settles at its exit or at `timeoutMs`, whichever comes first. It does not
 * wait for the output pipes to close after a kill: a grandchild the CLI started can hold
 * them open long after, and the deadline must not depend on it.
 */
function runCli(binary: string, args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        let settled = false;
        const child = spawn(binary, args, {
            stdio: ["ignore", "pipe", "pipe"],
            // The update check is a network call that can stall the run.
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
        });
        const settle = (outcome: () => void): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            outcome();
        };
        const timer = setTimeout(() => {
            settle(() => {
                child.kill("SIGKILL");
                child.stdout.destroy();
                child.stderr.destroy();
                reject(new CliFailure("timeout", "", stderr));
            });
        }, timeoutMs);
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            if (stdout.length < MAX_CLI_OUTPUT) stdout += chunk;
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
            if (stderr.length < MAX_CLI_OUTPUT) stderr += chunk;
        });
        child.on("error", (err: NodeJS.ErrnoException) => {
            const kind = err.code === "ENOENT" ? "missing" : err.code === "EACCES" ? "not-executable" : "failed";
            settle(() => reject(new CliFailure(kind, err.code ?? err.message, stderr)));
        });
        child.on("close", (code, signal) => {
            settle(() => {
                if (code === 0) resolve(stdout);
                else reject(new CliFailure("failed", code !== null ? `exit ${code}` : String(signal), stderr));
            });
        });
    });
}

function describeCliFailure(failure: CliFailure, binary: string, stack: string, timeoutMs: number): string {
    switch (failure.kind) {
        case "missing":
            return `pulumi CLI not found (${binary}); install it or pass --endpoints FILE instead of --stack`;
        case "not-executable":
            return `pulumi CLI at ${binary} is not executable`;
        case "timeout":
            return `pulumi stack output --stack ${stack} timed out after ${timeoutMs} ms`;
        case "failed": {
            const firstLine = failure.stderr
                .split("\n")
                .map((line) => line.trim())
                .find((line) => line.length > 0);
            return `pulumi stack output --stack ${stack} failed (${failure.status})${firstLine ? `: ${firstLine}` : ""}`;
        }
    }
}
