import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { checkRegions, endpointsFromStackOutputs, main, parseRegionEndpoints, type HealthIo } from "../tools/health";
import { InputError } from "../tools/health/inputs";
import { backoffDelay, describeFetchError, type CheckResult, type HealthReport } from "../tools/health/probe";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface TestServer {
    url: string;
    port: number;
    /** Requests received, by path. */
    hits: Map<string, number>;
}

const servers: http.Server[] = [];
const timers = new Set<NodeJS.Timeout>();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-health-"));
let fileCounter = 0;

async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
    const hits = new Map<string, number>();
    const server = http.createServer((req, res) => {
        const route = req.url ?? "/";
        hits.set(route, (hits.get(route) ?? 0) + 1);
        const handler = routes[route];
        if (handler) handler(req, res);
        else {
            res.writeHead(404);
            res.end();
        }
    });
    servers.push(server);
    // Loopback only: the probes must never leave this machine.
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("server has no TCP address");
    return { url: `http://127.0.0.1:${address.port}`, port: address.port, hits };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("server has no TCP address");
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return address.port;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
    return (_req, res) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
    };
}

function text(status: number, body: string): Handler {
    return (_req, res) => {
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(body);
    };
}

function delayed(ms: number, handler: Handler): Handler {
    return (req, res) => {
        const timer = setTimeout(() => {
            timers.delete(timer);
            handler(req, res);
        }, ms);
        timers.add(timer);
        res.on("close", () => clearTimeout(timer));
    };
}

const neverAnswer: Handler = () => undefined;

const healthyRoutes = (prefix = ""): Record<string, Handler> => ({
    [`${prefix}/ping`]: json(200, { status: "Healthy" }),
    [`${prefix}/health`]: json(200, { gateway: "ok", clickhouse: "ok", postgres: "ok" }),
    [`${prefix}/status`]: json(200, { status: "ok", version: "2025.5.0" }),
});

function writeFile(content: string): string {
    fileCounter += 1;
    const file = path.join(workDir, `endpoints-${fileCounter}.json`);
    fs.writeFileSync(file, content);
    return file;
}

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    elapsedMs: number;
}

async function run(args: string[], extra: Partial<HealthIo> = {}): Promise<RunResult> {
    let stdout = "";
    let stderr = "";
    const io: HealthIo = {
        stdout: { write: (chunk: string) => (stdout += chunk) },
        stderr: { write: (chunk: string) => (stderr += chunk) },
        ...extra,
    };
    const started = performance.now();
    const code = await main(args, io);
    return { code, stdout, stderr, elapsedMs: performance.now() - started };
}

/**
 * Short backoff so retried failures finish fast. The per-request timeout stays generous: a
 * loaded machine must never turn a healthy answer into a timeout; tests of timeouts set their own.
 */
const FAST = ["--timeout-ms", "5000", "--backoff-ms", "5"];

async function runJson(endpoints: Record<string, unknown>, flags: string[]): Promise<RunResult & { report: HealthReport }> {
    const result = await run(["--endpoints", writeFile(JSON.stringify(endpoints)), "--json", ...FAST, ...flags]);
    const report: HealthReport = JSON.parse(result.stdout);
    return { ...result, report };
}

function verdicts(results: CheckResult[]): [string, string, string, string][] {
    return results.map((result) => [result.region, result.check, result.status, result.detail]);
}

function expectNoStackTrace(stderr: string): void {
    expect(stderr).not.toMatch(/^\s+at /m);
}

afterAll(async () => {
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(
        servers.map(
            (server) =>
                new Promise<void>((resolve) => {
                    server.closeAllConnections();
                    server.close(() => resolve());
                }),
        ),
    );
    fs.rmSync(workDir, { recursive: true, force: true });
});

describe("health against local servers", () => {
    test("a healthy region passes every check, also behind a path prefix, and exits 0", async () => {
        const server = await startServer({ ...healthyRoutes(), ...healthyRoutes("/edge") });
        const { code, report, stderr } = await runJson(
            { use1: { url: server.url, cloud: "aws" }, edge1: { url: `${server.url}/edge/`, cloud: "existing" } },
            ["--retries", "2"],
        );
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(report.healthy).toBe(true);
        const expectedFor = (region: string): [string, string, string, string][] => [
            [region, "torchserve-ping", "healthy", 'status "Healthy"'],
            [region, "tensorzero-health", "healthy", "gateway=ok clickhouse=ok postgres=ok"],
            [region, "tensorzero-status", "healthy", 'status "ok", version 2025.5.0'],
        ];
        expect(verdicts(report.results)).toEqual([...expectedFor("use1"), ...expectedFor("edge1")]);
        expect(report.results.find((r) => r.check === "tensorzero-health")?.components).toEqual({
            gateway: "ok",
            clickhouse: "ok",
            postgres: "ok",
        });
        expect(report.results.map((r) => [r.attempts, r.httpStatus])).toEqual(Array(6).fill([1, 200]));
        expect(report.results.find((r) => r.region === "edge1")?.url).toBe(`${server.url}/edge/ping`);
        expect(server.hits.get("/edge/ping")).toBe(1);
        expect(report.regions).toEqual([
            { region: "use1", cloud: "aws", url: server.url, healthy: true, status: "healthy" },
            { region: "edge1", cloud: "existing", url: `${server.url}/edge/`, healthy: true, status: "healthy" },
        ]);
    });

    test("the table lists region, cloud, check, status, latency and detail, then a summary", async () => {
        const server = await startServer(healthyRoutes());
        const file = writeFile(JSON.stringify({ use1: server.url }));
        const { code, stdout } = await run(["--endpoints", file, ...FAST]);
        expect(code).toBe(0);
        const lines = stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^REGION\s+CLOUD\s+CHECK\s+STATUS\s+LATENCY MS\s+DETAIL$/);
        expect(lines[1]).toMatch(/^use1\s+-\s+torchserve-ping\s+healthy\s+\d+\s+status "Healthy"$/);
        expect(lines[2]).toMatch(/^use1\s+-\s+tensorzero-health\s+healthy\s+\d+\s+gateway=ok clickhouse=ok postgres=ok$/);
        expect(lines[3]).toMatch(/^use1\s+-\s+tensorzero-status\s+healthy\s+\d+\s+status "ok", version 2025\.5\.0$/);
        expect(lines[5]).toMatch(/^1 of 1 regions healthy, 3 of 3 checks healthy, \d+ ms$/);
    });

    test("unhealthy answers are reported with their reason; 5xx is retried exactly --retries times, a wrong 200 is not", async () => {
        const server = await startServer({
            "/ping": json(503, { status: "Unhealthy" }),
            "/health": json(503, { gateway: "ok", clickhouse: "error" }),
            "/status": json(200, { status: "degraded" }),
        });
        const { code, report } = await runJson({ euw1: { url: server.url, cloud: "gcp" } }, ["--retries", "2"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual([
            ["euw1", "torchserve-ping", "unhealthy", 'HTTP 503: status "Unhealthy" (3 attempts)'],
            ["euw1", "tensorzero-health", "unhealthy", "HTTP 503: gateway=ok clickhouse=error (3 attempts)"],
            ["euw1", "tensorzero-status", "unhealthy", 'status is "degraded", expected "ok"'],
        ]);
        expect(report.results.find((r) => r.check === "tensorzero-health")?.components).toEqual({
            gateway: "ok",
            clickhouse: "error",
        });
        expect(Object.fromEntries(server.hits)).toEqual({ "/ping": 3, "/health": 3, "/status": 1 });
    });

    test("--retries 0 makes exactly one request per check", async () => {
        const server = await startServer({
            "/ping": json(500, { status: "Unhealthy" }),
            "/health": json(502, {}),
            "/status": text(503, ""),
        });
        const { code, report } = await runJson({ r: server.url }, ["--retries", "0"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual([
            ["r", "torchserve-ping", "unhealthy", 'HTTP 500: status "Unhealthy"'],
            ["r", "tensorzero-health", "unhealthy", "HTTP 502"],
            ["r", "tensorzero-status", "unhealthy", "HTTP 503"],
        ]);
        expect(Object.fromEntries(server.hits)).toEqual({ "/ping": 1, "/health": 1, "/status": 1 });
    });

    test("malformed bodies, missing fields, 404 and redirects are unhealthy and not retried", async () => {
        const broken = await startServer({
            "/ping": text(200, "not json{"),
            "/health": json(200, { clickhouse: "ok" }),
            "/status": json(200, ["ok"]),
        });
        const misrouted = await startServer({
            "/ping": text(200, ""),
            "/status": json(301, {}, { location: "https://use1.serve.example.com/status" }),
            "/health": json(200, { gateway: "starting" }),
        });
        const { code, report } = await runJson({ broken: broken.url, misrouted: misrouted.url }, ["--retries", "2"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual([
            ["broken", "torchserve-ping", "unhealthy", 'body is not JSON (starts with "not json{")'],
            ["broken", "tensorzero-health", "unhealthy", 'body has no "gateway" string'],
            ["broken", "tensorzero-status", "unhealthy", "body is not a JSON object"],
            ["misrouted", "torchserve-ping", "unhealthy", "body is empty, expected JSON"],
            ["misrouted", "tensorzero-health", "unhealthy", 'gateway is "starting", expected "ok"'],
            ["misrouted", "tensorzero-status", "unhealthy", "HTTP 301 redirect to https://use1.serve.example.com/status"],
        ]);
        expect(Object.fromEntries(broken.hits)).toEqual({ "/ping": 1, "/health": 1, "/status": 1 });
        expect(Object.fromEntries(misrouted.hits)).toEqual({ "/ping": 1, "/health": 1, "/status": 1 });
    });

    test("an answer slower than --timeout-ms times out and is retried a bounded number of times", async () => {
        // Bounds in these timing tests are far from the value a broken cut-off would give, not
        // tight, so a loaded machine cannot fail them: here 20 s is what no timeout would take.
        const server = await startServer({ ...healthyRoutes(), "/ping": delayed(20_000, json(200, { status: "Healthy" })) });
        const { code, report, elapsedMs } = await runJson({ slow: server.url }, ["--timeout-ms", "150", "--retries", "1"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual([
            ["slow", "torchserve-ping", "timeout", "timed out after 150 ms (2 attempts)"],
            ["slow", "tensorzero-health", "healthy", "gateway=ok clickhouse=ok postgres=ok"],
            ["slow", "tensorzero-status", "healthy", 'status "ok", version 2025.5.0'],
        ]);
        expect(server.hits.get("/ping")).toBe(2);
        expect(elapsedMs).toBeLessThan(10_000);
    });

    test("a closed port is reported as connection refused", async () => {
        const port = await closedPort();
        const { code, report } = await runJson({ down: { url: `http://127.0.0.1:${port}`, cloud: "aws" } }, ["--retries", "1"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual(
            ["torchserve-ping", "tensorzero-health", "tensorzero-status"].map((check) => [
                "down",
                check,
                "unreachable",
                `connection refused by 127.0.0.1:${port} (2 attempts)`,
            ]),
        );
        expect(report.results.every((r) => r.httpStatus === null)).toBe(true);
    });

    test("a name that does not resolve is reported as a DNS failure for that host", async () => {
        // `.invalid` is reserved (RFC 2606) and never resolves, with or without a network.
        const { code, report } = await runJson({ ghost: "http://modelfleet-health.invalid" }, ["--retries", "0"]);
        expect(code).toBe(1);
        for (const result of report.results) {
            expect(result.status).toBe("unreachable");
            expect(result.detail).toMatch(/^DNS lookup failed for host modelfleet-health\.invalid( \(resolver did not answer\))?$/);
        }
    });

    test("a TLS handshake failure is reported as TLS and not retried", async () => {
        const plain = await startServer(healthyRoutes());
        const { code, report } = await runJson({ tls: `https://127.0.0.1:${plain.port}` }, ["--retries", "2"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual(
            ["torchserve-ping", "tensorzero-health", "tensorzero-status"].map((check) => [
                "tls",
                check,
                "unreachable",
                "TLS: wrong version number (the port does not speak TLS?)",
            ]),
        );
        expect(report.results.map((r) => r.attempts)).toEqual([1, 1, 1]);
    });

    test("the total deadline aborts what still runs, reports it as timed out, and is not overrun", async () => {
        const stuck = await startServer({ "/ping": neverAnswer, "/health": neverAnswer, "/status": neverAnswer });
        const fine = await startServer(healthyRoutes());
        const { code, report, elapsedMs } = await runJson({ stuck: stuck.url, fine: fine.url }, [
            "--timeout-ms",
            "20000",
            "--retries",
            "2",
            "--deadline-ms",
            "300",
        ]);
        expect(code).toBe(1);
        // Timers never fire early; without the deadline the stuck requests would run for 20 s.
        expect(elapsedMs).toBeGreaterThanOrEqual(290);
        expect(elapsedMs).toBeLessThan(10_000);
        expect(verdicts(report.results.filter((r) => r.region === "stuck"))).toEqual(
            ["torchserve-ping", "tensorzero-health", "tensorzero-status"].map((check) => [
                "stuck",
                check,
                "timeout",
                "timed out: total deadline of 300 ms reached",
            ]),
        );
        expect(report.results.filter((r) => r.region === "fine").map((r) => r.status)).toEqual(["healthy", "healthy", "healthy"]);
        expect(report.regions.map((r) => [r.region, r.healthy])).toEqual([
            ["stuck", false],
            ["fine", true],
        ]);
    });

    test("the total deadline also cuts a retry backoff short", async () => {
        const server = await startServer({ ...healthyRoutes(), "/ping": json(503, { status: "Unhealthy" }) });
        const { report, elapsedMs } = await runJson({ r: server.url }, ["--backoff-ms", "10000", "--retries", "3", "--deadline-ms", "300"]);
        // The first backoff alone waits at least 5 s (half of 10 s, the jitter floor).
        expect(elapsedMs).toBeLessThan(4000);
        expect(verdicts(report.results)[0]).toEqual([
            "r",
            "torchserve-ping",
            "timeout",
            'timed out: total deadline of 300 ms reached (last attempt: HTTP 503: status "Unhealthy")',
        ]);
        expect(report.results[0]?.httpStatus).toBe(503);
        expect(server.hits.get("/ping")).toBe(1);
    });

    test("one failing region fails the run and is named in the summary", async () => {
        const good = await startServer(healthyRoutes());
        const bad = await startServer({ ...healthyRoutes(), "/health": json(503, { gateway: "ok", postgres: "error" }) });
        const file = writeFile(JSON.stringify({ use1: { url: good.url, cloud: "aws" }, euw1: { url: bad.url, cloud: "gcp" } }));
        const { code, stdout } = await run(["--endpoints", file, ...FAST, "--retries", "0"]);
        expect(code).toBe(1);
        expect(stdout).toMatch(/^euw1\s+gcp\s+tensorzero-health\s+unhealthy\s+\d+\s+HTTP 503: gateway=ok postgres=error$/m);
        expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/^1 of 2 regions healthy, 5 of 6 checks healthy, \d+ ms; failing: euw1$/);
    });

    test("checkRegions can be called in-process", async () => {
        const server = await startServer(healthyRoutes());
        const report = await checkRegions([{ region: "use1", url: server.url, cloud: "aws" }], {
            timeoutMs: 200,
            retries: 0,
            backoffMs: 5,
            deadlineMs: 2000,
        });
        expect(report.healthy).toBe(true);
        expect(report.results.map((r) => r.url)).toEqual([`${server.url}/ping`, `${server.url}/health`, `${server.url}/status`]);
    });
});

describe("retry and error helpers", () => {
    test("backoff doubles per retry, keeps at least half of it as jitter floor, and is capped", () => {
        expect([1, 2, 3].map((retry) => backoffDelay(retry, 100, () => 0))).toEqual([50, 100, 200]);
        expect([1, 2, 3].map((retry) => backoffDelay(retry, 100, () => 0.999999))).toEqual([100, 200, 400]);
        expect(backoffDelay(30, 1000, () => 0.999999)).toBe(10_000);
    });

    test("fetch failures are read from their cause code", () => {
        const url = new URL("https://use1.serve.example.com/ping");
        const failed = (cause: Error): TypeError => new TypeError("fetch failed", { cause });
        const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
        expect(describeFetchError(failed(withCode("certificate has expired", "CERT_HAS_EXPIRED")), url)).toEqual({
            status: "unreachable",
            reason: "TLS: certificate has expired",
            retryable: false,
        });
        expect(describeFetchError(failed(withCode("self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT")), url).reason).toBe(
            "TLS: self-signed certificate",
        );
        const aggregate = new AggregateError([withCode("connect ECONNREFUSED ::1:443", "ECONNREFUSED")], "connect failed");
        expect(describeFetchError(failed(aggregate), url)).toEqual({
            status: "unreachable",
            reason: "connection refused by use1.serve.example.com",
            retryable: true,
        });
        expect(describeFetchError(failed(withCode("getaddrinfo EAI_AGAIN", "EAI_AGAIN")), url)).toEqual({
            status: "unreachable",
            reason: "DNS lookup failed for host use1.serve.example.com (resolver did not answer)",
            retryable: true,
        });
        expect(describeFetchError(failed(withCode("other side closed", "UND_ERR_SOCKET")), url).reason).toBe(
            "connection closed by use1.serve.example.com before a response",
        );
    });
});

describe("--endpoints input", () => {
    async function expectBadInput(content: string, lines: string[]): Promise<void> {
        const file = writeFile(content);
        const { code, stdout, stderr } = await run(["--endpoints", file]);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe(lines.map((line) => `health: --endpoints ${file}: ${line}\n`).join(""));
    }

    test("accepts region → URL and region → { url, cloud }", () => {
        expect(
            parseRegionEndpoints({ a: "https://a.example.com", b: { url: "http://b.example.com:8080/x", cloud: "gcp" } }, "src"),
        ).toEqual([
            { region: "a", url: "https://a.example.com", cloud: null },
            { region: "b", url: "http://b.example.com:8080/x", cloud: "gcp" },
        ]);
    });

    test("a bad URL, cloud or entry is named by its region, one line per problem", async () => {
        await expectBadInput(
            JSON.stringify({
                use1: "ftp://use1.example.com",
                euw1: { url: "https://euw1.example.com", cloud: "azure" },
                edge1: 42,
                apse1: { url: "not a url" },
                usw2: { url: "https://user:pw@usw2.example.com" },
            }),
            [
                'region "use1" url must use http or https, got "ftp://use1.example.com"',
                'region "euw1" cloud must be one of "aws", "gcp", "existing"',
                'region "edge1" must be a base URL string or an object { url, cloud }',
                'region "apse1" url must be an absolute http(s) URL, got "not a url"',
                'region "usw2" url must not embed credentials',
            ],
        );
    });

    test("not JSON, not an object, or empty is rejected", async () => {
        const file = writeFile("{ use1: ");
        const notJson = await run(["--endpoints", file]);
        expect(notJson.code).toBe(2);
        expect(notJson.stderr).toMatch(new RegExp(`^health: --endpoints ${file}: not valid JSON \\(.+\\)\\n$`));
        await expectBadInput('["https://a.example.com"]', ["must be a JSON object mapping region name to a base URL or { url, cloud }"]);
        await expectBadInput("{}", ["no regions listed"]);
    });

    test("a missing file is named", async () => {
        const missing = path.join(workDir, "does-not-exist.json");
        const { code, stderr } = await run(["--endpoints", missing]);
        expect(code).toBe(2);
        expect(stderr).toBe(`health: --endpoints ${missing}: cannot read file (no such file or directory)\n`);
    });
});

describe("flags", () => {
    test.each([
        [[], "health: give exactly one of --stack NAME or --endpoints FILE\n"],
        [["--stack", "dev", "--endpoints", "x.json"], "health: give exactly one of --stack NAME or --endpoints FILE\n"],
        [["--endpoints", "x.json", "--retries", "11"], 'health: --retries must be a whole number from 0 to 10, got "11"\n'],
        [["--endpoints", "x.json", "--timeout-ms", "fast"], 'health: --timeout-ms must be a whole number from 1 to 600000, got "fast"\n'],
        [["--endpoints", "x.json", "--deadline-ms", "0"], 'health: --deadline-ms must be a whole number from 1 to 3600000, got "0"\n'],
        [["--endpoints", "x.json", "--insecure"], "error: unknown option '--insecure'\n"],
    ])("%j is bad input", async (args, message) => {
        const { code, stdout, stderr } = await run(args);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe(message);
        expectNoStackTrace(stderr);
    });

    test("--help prints usage and exits 0", async () => {
        const { code, stdout } = await run(["--help"]);
        expect(code).toBe(0);
        for (const flag of ["--stack", "--endpoints", "--json", "--timeout-ms", "--retries", "--backoff-ms", "--deadline-ms"]) {
            expect(stdout).toContain(flag);
        }
    });
});

describe("--stack", () => {
    /** A stand-in `pulumi` executable: records its arguments, then runs `body`. */
    function fakePulumi(body: string): { binary: string; argsFile: string } {
        fileCounter += 1;
        const binary = path.join(workDir, `pulumi-${fileCounter}`);
        const argsFile = `${binary}.args`;
        fs.writeFileSync(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${body}\n`, { mode: 0o755 });
        return { binary, argsFile };
    }

    function printing(outputs: unknown): string {
        return `cat <<'EOF'\n${JSON.stringify(outputs)}\nEOF`;
    }

    test("reads regionEndpoints from pulumi stack output and probes it", async () => {
        const server = await startServer(healthyRoutes());
        const pulumi = fakePulumi(printing({ regionEndpoints: { use1: { url: server.url, cloud: "aws" } }, other: "x" }));
        const { code, stdout, stderr } = await run(["--stack", "dev", "--json", ...FAST], { pulumiBinary: pulumi.binary });
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const report: HealthReport = JSON.parse(stdout);
        expect(report.regions).toEqual([{ region: "use1", cloud: "aws", url: server.url, healthy: true, status: "healthy" }]);
        expect(fs.readFileSync(pulumi.argsFile, "utf8").trim().split("\n")).toEqual([
            "stack",
            "output",
            "--json",
            "--show-secrets=false",
            "--stack=dev",
        ]);
    });

    test.each([
        [{}, "health: stack dev has no outputs; run `pulumi up --stack dev` first\n"],
        [
            { kubeconfig: "[secret]" },
            'health: stack dev has no output "regionEndpoints" (it has: kubeconfig); update the stack with a program version that exports it\n',
        ],
        [{ regionEndpoints: "[secret]" }, 'health: stack dev: output "regionEndpoints" is a secret; it must be a plain output\n'],
        [
            { regionEndpoints: { use1: { url: "use1.example.com", cloud: "aws" } } },
            'health: stack dev output regionEndpoints: region "use1" url must be an absolute http(s) URL, got "use1.example.com"\n',
        ],
    ])("stack outputs %j are bad input", async (outputs, message) => {
        const pulumi = fakePulumi(printing(outputs));
        const { code, stderr } = await run(["--stack", "dev"], { pulumiBinary: pulumi.binary });
        expect(code).toBe(2);
        expect(stderr).toBe(message);
    });

    test("a missing CLI is one line naming it", async () => {
        const binary = path.join(workDir, "no-such-pulumi");
        const { code, stderr } = await run(["--stack", "dev"], { pulumiBinary: binary });
        expect(code).toBe(2);
        expect(stderr).toBe(`health: pulumi CLI not found (${binary}); install it or pass --endpoints FILE instead of --stack\n`);
    });

    test("a failing CLI is one line with its exit status and first error line", async () => {
        const pulumi = fakePulumi("echo \"error: no stack named 'nope' found\" >&2\necho 'more detail' >&2\nexit 255");
        const { code, stderr } = await run(["--stack", "nope"], { pulumiBinary: pulumi.binary });
        expect(code).toBe(2);
        expect(stderr).toBe("health: pulumi stack output --stack nope failed (exit 255): error: no stack named 'nope' found\n");
        expectNoStackTrace(stderr);
    });

    test("a CLI that hangs is killed at the deadline", async () => {
        // The sleep outlives the killed shell and keeps the pipes open; the deadline must not wait for it.
        const pulumi = fakePulumi("sleep 20");
        const { code, stderr, elapsedMs } = await run(["--stack", "dev", "--deadline-ms", "300"], { pulumiBinary: pulumi.binary });
        expect(code).toBe(2);
        expect(stderr).toBe("health: pulumi stack output --stack dev timed out after 300 ms\n");
        expect(elapsedMs).toBeLessThan(10_000);
    });

    test("output parsing without the CLI", () => {
        expect(
            endpointsFromStackOutputs(JSON.stringify({ regionEndpoints: { a: { url: "https://a.example.com", cloud: "gcp" } } }), "prod"),
        ).toEqual([{ region: "a", url: "https://a.example.com", cloud: "gcp" }]);
        expect(() => endpointsFromStackOutputs("warning: not json", "prod")).toThrow(InputError);
    });

    test("a stack name that is not one is rejected before running anything", async () => {
        const { code, stderr } = await run(["--stack", "--json"]);
        expect(code).toBe(2);
        expect(stderr).toBe('health: --stack "--json" is not a valid stack name\n');
    });
});

describe("components in error make a region degraded", () => {
    test("a 200 /health with a component in error is degraded: exit 1, or 0 with --allow-degraded", async () => {
        const server = await startServer({
            ...healthyRoutes(),
            "/health": json(200, { gateway: "ok", clickhouse: "error", postgres: "ok" }),
        });
        const { code, report } = await runJson({ use1: server.url }, ["--retries", "0"]);
        expect(code).toBe(1);
        expect(verdicts(report.results)).toEqual([
            ["use1", "torchserve-ping", "healthy", 'status "Healthy"'],
            ["use1", "tensorzero-health", "degraded", "degraded: clickhouse=error (gateway=ok clickhouse=error postgres=ok)"],
            ["use1", "tensorzero-status", "healthy", 'status "ok", version 2025.5.0'],
        ]);
        expect(report.regions).toEqual([{ region: "use1", cloud: null, url: server.url, healthy: false, status: "degraded" }]);
        expect(report.status).toBe("degraded");
        expect(report.healthy).toBe(false);
        // A degraded answer is an answer: not retried.
        expect(server.hits.get("/health")).toBe(1);

        const allowed = await run(["--endpoints", writeFile(JSON.stringify({ use1: server.url })), ...FAST, "--allow-degraded"]);
        expect(allowed.code).toBe(0);
        expect(allowed.stdout.trimEnd().split("\n").at(-1)).toMatch(
            /^0 of 1 regions healthy, 2 of 3 checks healthy, \d+ ms; degraded: use1$/,
        );
    });

    test("a 200 /status naming a component in error is degraded", async () => {
        const server = await startServer({
            ...healthyRoutes(),
            "/status": json(200, { status: "ok", version: "2026.6.0", postgres: { status: "error" } }),
        });
        const { code, report } = await runJson({ use1: server.url }, []);
        expect(code).toBe(1);
        expect(verdicts(report.results)[2]).toEqual(["use1", "tensorzero-status", "degraded", "degraded: postgres=error"]);
    });

    test("--allow-degraded does not excuse an unhealthy region", async () => {
        const degraded = await startServer({ ...healthyRoutes(), "/health": json(200, { gateway: "ok", valkey: "error" }) });
        const down = await startServer({ ...healthyRoutes(), "/ping": json(500, { status: "Unhealthy" }) });
        const file = writeFile(JSON.stringify({ a: degraded.url, b: down.url }));
        const { code, stdout } = await run(["--endpoints", file, ...FAST, "--retries", "0", "--allow-degraded"]);
        expect(code).toBe(1);
        expect(stdout.trimEnd().split("\n").at(-1)).toMatch(
            /^0 of 2 regions healthy, 4 of 6 checks healthy, \d+ ms; degraded: a; failing: b$/,
        );
    });
});

describe("many regions", () => {
    /** A fetch that answers every check healthily on the next tick and records how many requests overlap. */
    function countingFetch(): { fetch: typeof fetch; maxInFlight: () => number; calls: () => number } {
        let inFlight = 0;
        let max = 0;
        let calls = 0;
        const bodies: Record<string, unknown> = {
            ping: { status: "Healthy" },
            health: { gateway: "ok", clickhouse: "ok" },
            status: { status: "ok" },
        };
        const fake = async (input: string | URL | Request): Promise<Response> => {
            calls += 1;
            inFlight += 1;
            max = Math.max(max, inFlight);
            await new Promise((resolve) => setImmediate(resolve));
            inFlight -= 1;
            const check = String(input).split("/").at(-1) ?? "";
            return new Response(JSON.stringify(bodies[check]), { status: 200 });
        };
        return { fetch: fake as typeof fetch, maxInFlight: () => max, calls: () => calls };
    }

    const regions = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ region: `r${i}`, url: `https://r${i}.serve.example.com`, cloud: null }));

    test("1500 regions are all probed with at most --concurrency requests in flight", async () => {
        const client = countingFetch();
        const report = await checkRegions(regions(1500), {
            timeoutMs: 5000,
            retries: 0,
            backoffMs: 5,
            deadlineMs: 600_000,
            concurrency: 64,
            fetch: client.fetch,
        });
        expect(client.calls()).toBe(4500);
        expect(client.maxInFlight()).toBe(64);
        expect(report.status).toBe("healthy");
        expect(report.results.filter((r) => r.status === "healthy")).toHaveLength(4500);
        expect(report.regions.map((r) => r.region).slice(0, 3)).toEqual(["r0", "r1", "r2"]);
    });

    test("the deadline holds for 1500 regions that never answer: every check ends as timed out", async () => {
        let calls = 0;
        const hanging = ((_input: string | URL | Request, init?: RequestInit) =>
            new Promise<Response>((_resolve, reject) => {
                calls += 1;
                init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true });
            })) as typeof fetch;
        const started = performance.now();
        const report = await checkRegions(regions(1500), {
            timeoutMs: 60_000,
            retries: 0,
            backoffMs: 5,
            deadlineMs: 300,
            concurrency: 32,
            fetch: hanging,
        });
        // Without the deadline this would take 60 s (the per-request timeout) times 4500 / 32.
        expect(performance.now() - started).toBeLessThan(20_000);
        expect(calls).toBe(32);
        expect(report.results).toHaveLength(4500);
        expect(new Set(report.results.map((r) => r.status))).toEqual(new Set(["timeout"]));
        expect(report.results[4499]).toMatchObject({ region: "r1499", attempts: 0, detail: "timed out: total deadline of 300 ms reached" });
    });

    test("on a terminal each region is printed as soon as its verdict is in", async () => {
        // The slow region answers /ping only once the fast region's rows have been printed.
        let releaseSlow: () => void = () => undefined;
        const fastPrinted = new Promise<void>((resolve) => (releaseSlow = resolve));
        const fast = await startServer(healthyRoutes());
        const slow = await startServer({
            ...healthyRoutes(),
            "/ping": (req, res) => void fastPrinted.then(() => json(200, { status: "Healthy" })(req, res)),
        });
        const chunks: string[] = [];
        const io: HealthIo = {
            stdout: {
                write: (chunk: string) => {
                    chunks.push(chunk);
                    if (chunk.startsWith("fast")) releaseSlow();
                },
                isTTY: true,
            },
            stderr: { write: () => true },
        };
        const endpoints = writeFile(JSON.stringify({ slow: slow.url, fast: fast.url }));
        const code = await main(["--endpoints", endpoints, ...FAST, "--timeout-ms", "60000", "--deadline-ms", "120000"], io);
        expect(code).toBe(0);
        // Header, then the fast region although it is listed second, then the slow one, then the summary.
        expect(chunks).toHaveLength(4);
        expect(chunks[0]).toMatch(/^REGION\s+CLOUD\s+CHECK\s+STATUS\s+LATENCY MS\s+DETAIL\n$/);
        expect(
            chunks[1]
                ?.split("\n")
                .filter(Boolean)
                .map((l) => l.split(/\s+/)[0]),
        ).toEqual(["fast", "fast", "fast"]);
        expect(
            chunks[2]
                ?.split("\n")
                .filter(Boolean)
                .map((l) => l.split(/\s+/)[0]),
        ).toEqual(["slow", "slow", "slow"]);
        expect(chunks[3]).toMatch(/^\n2 of 2 regions healthy, 6 of 6 checks healthy, \d+ ms\n$/);
    });

    test("without a terminal the table is printed once, whole", async () => {
        const server = await startServer(healthyRoutes());
        const chunks: string[] = [];
        const io: HealthIo = { stdout: { write: (chunk: string) => chunks.push(chunk) }, stderr: { write: () => true } };
        expect(await main(["--endpoints", writeFile(JSON.stringify({ a: server.url, b: server.url })), ...FAST], io)).toBe(0);
        expect(chunks).toHaveLength(1);
    });
});

describe("input bounds", () => {
    test("--endpoints /dev/zero is refused without reading it", async () => {
        const { code, stdout, stderr } = await run(["--endpoints", "/dev/zero"]);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe("health: --endpoints /dev/zero: cannot read file (is a character device, not a regular file)\n");
    });

    test("an endpoints file over 4 MiB is refused, naming the cap", async () => {
        const file = writeFile(" ".repeat(4 * 1024 * 1024 + 1));
        const { code, stderr } = await run(["--endpoints", file]);
        expect(code).toBe(2);
        expect(stderr).toBe(`health: --endpoints ${file}: cannot read file (is 4194305 bytes; the cap for this input is 4 MiB)\n`);
    });

    test.each([
        [["--endpoints", "x.json", "--concurrency", "0"], 'health: --concurrency must be a whole number from 1 to 1024, got "0"\n'],
        [["--endpoints", "x.json", "--allow-degraded=yes"], "error: unknown option '--allow-degraded=yes'\n"],
    ])("%j is bad input", async (args, message) => {
        const { code, stderr } = await run(args);
        expect(code).toBe(2);
        expect(stderr).toBe(message);
    });
});
