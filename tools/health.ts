/**
 * `npm run health`: probes TorchServe and the TensorZero gateway in every region through
 * its regional endpoint and exits 0 only when all of them are healthy. See docs/health.md.
 */
import { Command, CommanderError } from "commander";
import { InputError, readEndpointsFile, readStackEndpoints, type RegionEndpoint } from "./health/inputs";
import { checkRegions, DEFAULT_CONCURRENCY } from "./health/probe";
import { renderJson, renderTable, StreamingTable } from "./health/report";

export { checkRegions } from "./health/probe";
export { parseRegionEndpoints, endpointsFromStackOutputs, STACK_OUTPUT_NAME } from "./health/inputs";

export const EXIT_HEALTHY = 0;
export const EXIT_UNHEALTHY = 1;
export const EXIT_BAD_INPUT = 2;

interface TextSink {
    write(text: string): unknown;
    /** True on a terminal: the table is then printed region by region as verdicts arrive. */
    isTTY?: boolean;
}

export interface HealthIo {
    stdout: TextSink;
    stderr: TextSink;
    /** Executable used for `--stack`; default `pulumi` from PATH. */
    pulumiBinary?: string;
}

interface HealthOptions {
    stack?: string;
    endpoints?: string;
    json: boolean;
    timeoutMs: number;
    retries: number;
    backoffMs: number;
    deadlineMs: number;
    concurrency: number;
    allowDegraded: boolean;
}

function integerOption(flag: string, raw: string, min: number, max: number): number {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw new InputError([`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`]);
    }
    return value;
}

/** Parses argv; returns an exit code instead when commander already answered (help, usage error). */
function parseArgs(argv: string[], io: HealthIo): HealthOptions | number {
    const program = new Command("health")
        .description("Probe TorchServe /ping and TensorZero /health and /status in every region.")
        .option("--stack <name>", "read regionEndpoints from `pulumi stack output --json` of this stack")
        .option("--endpoints <file>", "JSON file: region -> base URL, or region -> { url, cloud }")
        .option("--json", "print the report as JSON instead of a table", false)
        .option("--timeout-ms <ms>", "per-request timeout", "5000")
        .option("--retries <n>", "retries after a retryable failure (0-10)", "2")
        .option("--backoff-ms <ms>", "wait before the first retry; doubles per retry, with jitter", "250")
        .option("--deadline-ms <ms>", "total deadline; whatever still runs is aborted and reported as timed out", "30000")
        .option("--concurrency <n>", "requests in flight at most, over all regions and checks (1-1024)", String(DEFAULT_CONCURRENCY))
        .option("--allow-degraded", "exit 0 when regions serve but report a component in error", false)
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({
            writeOut: (text) => io.stdout.write(text),
            writeErr: (text) => io.stderr.write(text),
        });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_HEALTHY : EXIT_BAD_INPUT;
        throw err;
    }
    const raw = program.opts<{
        stack?: string;
        endpoints?: string;
        json: boolean;
        timeoutMs: string;
        retries: string;
        backoffMs: string;
        deadlineMs: string;
        concurrency: string;
        allowDegraded: boolean;
    }>();
    if ((raw.stack === undefined) === (raw.endpoints === undefined)) {
        throw new InputError(["give exactly one of --stack NAME or --endpoints FILE"]);
    }
    return {
        stack: raw.stack,
        endpoints: raw.endpoints,
        json: raw.json,
        timeoutMs: integerOption("--timeout-ms", raw.timeoutMs, 1, 600_000),
        // Bounded so a typo cannot turn one run into hours of hammering a broken region.
        retries: integerOption("--retries", raw.retries, 0, 10),
        backoffMs: integerOption("--backoff-ms", raw.backoffMs, 0, 60_000),
        deadlineMs: integerOption("--deadline-ms", raw.deadlineMs, 1, 3_600_000),
        concurrency: integerOption("--concurrency", raw.concurrency, 1, 1024),
        allowDegraded: raw.allowDegraded,
    };
}

/**
 * Runs the command; never throws. Exit code: 0 all healthy (or only degraded, with
 * --allow-degraded), 1 something unhealthy or degraded, 2 bad input.
 */
export async function main(argv: string[], io: HealthIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
    const started = performance.now();
    try {
        const options = parseArgs(argv, io);
        if (typeof options === "number") return options;

        let regions: RegionEndpoint[];
        if (options.stack !== undefined) {
            // The CLI call spends the same total deadline as the probes.
            regions = await readStackEndpoints(options.stack, {
                pulumiBinary: io.pulumiBinary,
                timeoutMs: options.deadlineMs,
            });
        } else {
            regions = readEndpointsFile(options.endpoints ?? "");
        }

        const remainingMs = Math.max(1, Math.round(options.deadlineMs - (performance.now() - started)));
        const streaming = !options.json && io.stdout.isTTY === true ? new StreamingTable(regions.map((r) => r.region)) : undefined;
        if (streaming) io.stdout.write(streaming.header());
        const report = await checkRegions(regions, {
            timeoutMs: options.timeoutMs,
            retries: options.retries,
            backoffMs: options.backoffMs,
            deadlineMs: remainingMs,
            reportedDeadlineMs: options.deadlineMs,
            concurrency: options.concurrency,
            ...(streaming ? { onRegion: (_summary, results) => io.stdout.write(streaming.region(results)) } : {}),
        });
        if (streaming) io.stdout.write(streaming.footer(report));
        else io.stdout.write(options.json ? renderJson(report) : renderTable(report));
        if (report.status === "healthy") return EXIT_HEALTHY;
        return report.status === "degraded" && options.allowDegraded ? EXIT_HEALTHY : EXIT_UNHEALTHY;
    } catch (err) {
        if (err instanceof InputError) {
            for (const line of err.lines) io.stderr.write(`health: ${line}\n`);
            return EXIT_BAD_INPUT;
        }
        // A bug must still end in one readable line, not a stack trace in a CI log.
        const message = typeof err === "object" && err !== null && "message" in err ? String(err.message) : String(err);
        io.stderr.write(`health: unexpected error: ${message.split("\n")[0]}\n`);
        return EXIT_BAD_INPUT;
    }
}

if (require.main === module) {
    // Exit explicitly: a request that ignored its abort could otherwise keep the process
    // alive past the deadline through its open socket.
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        () => process.exit(EXIT_BAD_INPUT),
    );
}
