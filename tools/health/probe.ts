import { setMaxListeners } from "node:events";
import { CHECKS, type CheckDefinition, type CheckName, type Verdict } from "./checks";
import type { Cloud, RegionEndpoint } from "./inputs";

/**
 * healthy: answered as its contract says. degraded: answered 200, but with a component in
 * error. unhealthy: answered, but wrongly (status code, body). unreachable: no HTTP answer
 * (DNS, refused, TLS, reset). timeout: no answer in time.
 */
export type CheckStatus = "healthy" | "degraded" | "unhealthy" | "unreachable" | "timeout";

/** A region's verdict: degraded when its only findings are degraded checks. */
export type RegionStatus = "healthy" | "degraded" | "unhealthy";

export interface CheckResult {
    region: string;
    cloud: Cloud | null;
    check: CheckName;
    /** Full URL that was requested. */
    url: string;
    status: CheckStatus;
    /** Duration of the last attempt in ms; null when none had started. */
    latencyMs: number | null;
    /** Requests made, retries included. */
    attempts: number;
    /** HTTP status of the last answer; null when there was none. */
    httpStatus: number | null;
    /** Short reason, one line. */
    detail: string;
    /** TensorZero `/health` components as the gateway reported them. */
    components?: Record<string, string>;
}

export interface RegionSummary {
    region: string;
    cloud: Cloud | null;
    url: string;
    /** True only when every check of the region is healthy. */
    healthy: boolean;
    status: RegionStatus;
}

export interface HealthReport {
    /** True only when every check of every region is healthy. */
    healthy: boolean;
    /** The worst region status. */
    status: RegionStatus;
    /** Wall time of the probing, in ms. */
    elapsedMs: number;
    regions: RegionSummary[];
    results: CheckResult[];
}

export interface ProbeOptions {
    /** Per-request limit in ms, covering connect, headers and body. */
    timeoutMs: number;
    /** Further attempts after a retryable failure; 0 means one attempt only. */
    retries: number;
    /** Wait before the first retry in ms; doubles for each further retry, with jitter. */
    backoffMs: number;
    /** Budget in ms for all probing; whatever still runs then is aborted and reported as timed out. */
    deadlineMs: number;
    /** Deadline quoted in timeout messages, in ms; default `deadlineMs`. */
    reportedDeadlineMs?: number;
    /** Source of jitter in [0, 1); default Math.random. */
    random?: () => number;
    /** Requests in flight at most, over all regions and checks; default DEFAULT_CONCURRENCY. */
    concurrency?: number;
    /** Called once per region as soon as all its checks have a verdict. */
    onRegion?: (summary: RegionSummary, results: CheckResult[]) => void;
    /** The HTTP client; default the global fetch. */
    fetch?: typeof fetch;
}

/**
 * Requests in flight at once by default. Enough to probe hundreds of regions well inside the
 * default deadline; few enough that thousands do not exhaust sockets or file descriptors.
 */
export const DEFAULT_CONCURRENCY = 64;

/** Longest single backoff wait, in ms, however many retries are allowed. */
const MAX_BACKOFF_MS = 10_000;
/** Health bodies are tiny; anything bigger is a misrouted page, not an answer. */
const MAX_BODY_BYTES = 64 * 1024;
/**
 * After the deadline fires, probes get this long (ms) to report the abort with their own
 * detail before a generic timeout result replaces them, so a request that ignores its
 * abort signal still cannot hold the report back.
 */
const DEADLINE_GRACE_MS = 100;

type Answered = { kind: "answered"; latencyMs: number; httpStatus: number; verdict: Verdict };
type Failed = { kind: "failed"; latencyMs: number; status: "unreachable" | "timeout"; reason: string; retryable: boolean };
type Attempt = Answered | Failed | { kind: "deadline"; latencyMs: number };

/** What a probe has done so far; read by the deadline fallback. */
interface Progress {
    attempts: number;
    last?: Answered | Failed;
}

/** A region's verdict from its checks' results. */
export function regionStatus(results: readonly CheckResult[]): RegionStatus {
    if (results.every((r) => r.status === "healthy")) return "healthy";
    return results.every((r) => r.status === "healthy" || r.status === "degraded") ? "degraded" : "unhealthy";
}

const STATUS_RANK: Record<RegionStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/**
 * Probes every check of every region, at most `concurrency` requests at a time, and returns
 * when all are done or the deadline passes; a check still waiting for its turn then is
 * reported as timed out like one still running.
 */
export async function checkRegions(regions: RegionEndpoint[], options: ProbeOptions): Promise<HealthReport> {
    const started = performance.now();
    const deadline = new AbortController();
    // Every sleeping retry listens on this one signal; many regions exceed the default of 10.
    setMaxListeners(0, deadline.signal);
    const deadlineTimer = setTimeout(() => deadline.abort(), options.deadlineMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<void>((resolve) => {
        deadline.signal.addEventListener(
            "abort",
            () => {
                graceTimer = setTimeout(resolve, DEADLINE_GRACE_MS);
            },
            { once: true },
        );
    });
    const deadlineLabel = options.reportedDeadlineMs ?? options.deadlineMs;
    const slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY);

    try {
        const byRegion = await Promise.all(
            regions.map(async (region) => {
                const results = await Promise.all(
                    CHECKS.map((check) => {
                        const progress: Progress = { attempts: 0 };
                        return Promise.race([
                            slots.run(deadline.signal, () => probeCheck(region, check, options, deadline.signal, progress)),
                            cutOff.then(() => deadlineResult(region, check, progress, null, deadlineLabel)),
                        ]).then((result) => result ?? deadlineResult(region, check, progress, null, deadlineLabel));
                    }),
                );
                const status = regionStatus(results);
                const summary: RegionSummary = {
                    region: region.region,
                    cloud: region.cloud,
                    url: region.url,
                    healthy: status === "healthy",
                    status,
                };
                options.onRegion?.(summary, results);
                return { summary, results };
            }),
        );
        const regionSummaries = byRegion.map((r) => r.summary);
        const worst = regionSummaries.reduce<RegionStatus>((w, r) => (STATUS_RANK[r.status] > STATUS_RANK[w] ? r.status : w), "healthy");
        return {
            healthy: worst === "healthy",
            status: worst,
            elapsedMs: Math.round(performance.now() - started),
            regions: regionSummaries,
            results: byRegion.flatMap((r) => r.results),
        };
    } finally {
        clearTimeout(deadlineTimer);
        clearTimeout(graceTimer);
    }
}

/**
 * A counting semaphore. `run` resolves to undefined without calling `task` when the signal
 * aborts while the task waits for a slot.
 */
class Slots {
    private free: number;
    private readonly waiting: Array<() => void> = [];

    constructor(size: number) {
        this.free = size;
    }

    async run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T | undefined> {
        if (this.free === 0) {
            await new Promise<void>((resolve) => this.waiting.push(resolve));
        } else {
            this.free -= 1;
        }
        try {
            return signal.aborted ? undefined : await task();
        } finally {
            const next = this.waiting.shift();
            if (next) next();
            else this.free += 1;
        }
    }
}

/** Resolves `check.path` against the region's base URL, keeping any path prefix the base has. */
export function checkUrl(baseUrl: string, check: CheckDefinition): URL {
    return new URL(check.path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
}

async function probeCheck(
    region: RegionEndpoint,
    check: CheckDefinition,
    options: ProbeOptions,
    deadline: AbortSignal,
    progress: Progress,
): Promise<CheckResult> {
    const url = checkUrl(region.url, check);
    const deadlineLabel = options.reportedDeadlineMs ?? options.deadlineMs;
    const random = options.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
        progress.attempts = attempt;
        const outcome = await attemptOnce(url, check, options.timeoutMs, deadline, options.fetch ?? fetch);
        if (outcome.kind === "deadline") return deadlineResult(region, check, progress, outcome.latencyMs, deadlineLabel);
        progress.last = outcome;
        if (attempt > options.retries || !isRetryable(outcome)) return finalResult(region, check, url, outcome, attempt);
        const waited = await sleep(backoffDelay(attempt, options.backoffMs, random), deadline);
        if (!waited) return deadlineResult(region, check, progress, outcome.latencyMs, deadlineLabel);
    }
}

/**
 * Server-side trouble that a restarting pod or a draining node explains is worth another
 * try; a wrong answer, a missing DNS name or a bad certificate will not change in seconds.
 */
function isRetryable(outcome: Answered | Failed): boolean {
    if (outcome.kind === "failed") return outcome.retryable;
    if (outcome.verdict.healthy) return false;
    return outcome.httpStatus >= 500 || outcome.httpStatus === 429;
}

/** Exponential, capped, with "equal jitter": at least half the nominal wait, so retries never bunch at zero. */
export function backoffDelay(retry: number, baseMs: number, random: () => number): number {
    const nominal = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
    return Math.round(nominal / 2 + (nominal / 2) * random());
}

async function attemptOnce(
    url: URL,
    check: CheckDefinition,
    timeoutMs: number,
    deadline: AbortSignal,
    fetchFn: typeof fetch,
): Promise<Attempt> {
    const perRequest = new AbortController();
    const timer = setTimeout(() => perRequest.abort(), timeoutMs);
    const signal = AbortSignal.any([deadline, perRequest.signal]);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
        const response = await fetchFn(url, {
            signal,
            // A redirect means the base URL is wrong (http vs https, missing prefix); say so instead of following it.
            redirect: "manual",
            headers: { accept: "application/json", "user-agent": "modelfleet-health" },
        });
        const body = await readBody(response);
        const verdict: Verdict =
            body === undefined
                ? { healthy: false, detail: `body larger than ${MAX_BODY_BYTES / 1024} KiB` }
                : check.evaluate(response.status, body, response.headers.get("location"));
        return { kind: "answered", latencyMs: elapsed(), httpStatus: response.status, verdict };
    } catch (err) {
        const latencyMs = elapsed();
        // `signal.reason` is the reason of whichever source aborted first.
        if (perRequest.signal.aborted && signal.reason === perRequest.signal.reason) {
            return { kind: "failed", latencyMs, status: "timeout", reason: `timed out after ${timeoutMs} ms`, retryable: true };
        }
        if (deadline.aborted) return { kind: "deadline", latencyMs };
        return { kind: "failed", latencyMs, ...describeFetchError(err, url) };
    } finally {
        clearTimeout(timer);
    }
}

/** Reads at most MAX_BODY_BYTES; undefined when the body is larger. */
async function readBody(response: Response): Promise<string | undefined> {
    if (!response.body) return "";
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_BODY_BYTES) {
            await reader.cancel();
            return undefined;
        }
        chunks.push(value);
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
        if (signal.aborted) {
            resolve(false);
            return;
        }
        const onAbort = (): void => {
            clearTimeout(timer);
            resolve(false);
        };
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve(true);
        }, ms);
        signal.addEventListener("abort", onAbort, { once: true });
    });
}

// OpenSSL verification codes and Node's own TLS/SSL error codes.
const TLS_CODE =
    /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY|DECRYPT)|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED)/;

export interface FetchFailure {
    status: "unreachable" | "timeout";
    reason: string;
    retryable: boolean;
}

/**
 * Turns fetch's generic `TypeError: fetch failed` into a short reason. The useful part is
 * the `cause` (a system, DNS or OpenSSL error with a `code`); happy-eyeballs connects wrap
 * several of them in an AggregateError.
 */
export function describeFetchError(err: unknown, url: URL): FetchFailure {
    const outer = isErrorLike(err) ? err : undefined;
    const cause = outer && isErrorLike(outer.cause) ? outer.cause : outer;
    const code = errorCode(cause);
    const host = url.host;
    switch (code) {
        case "ECONNREFUSED":
            return { status: "unreachable", reason: `connection refused by ${host}`, retryable: true };
        case "ENOTFOUND":
            return { status: "unreachable", reason: `DNS lookup failed for host ${url.hostname}`, retryable: false };
        case "EAI_AGAIN":
            return {
                status: "unreachable",
                reason: `DNS lookup failed for host ${url.hostname} (resolver did not answer)`,
                retryable: true,
            };
        case "ECONNRESET":
        case "EPIPE":
            return { status: "unreachable", reason: `connection reset by ${host}`, retryable: true };
        case "UND_ERR_SOCKET":
            return { status: "unreachable", reason: `connection closed by ${host} before a response`, retryable: true };
        case "ETIMEDOUT":
        case "UND_ERR_CONNECT_TIMEOUT":
            return { status: "timeout", reason: `connecting to ${host} timed out`, retryable: true };
        case "EHOSTUNREACH":
            return { status: "unreachable", reason: `host ${url.hostname} unreachable`, retryable: true };
        case "ENETUNREACH":
            return { status: "unreachable", reason: `network unreachable for ${url.hostname}`, retryable: true };
    }
    if (cause && code && TLS_CODE.test(code)) {
        return { status: "unreachable", reason: `TLS: ${tlsReason(cause, code)}`, retryable: false };
    }
    const message = cause ? firstLine(cause.message) : String(err);
    if (message === "bad port") {
        // fetch refuses the ports browsers block (1, 25, 6000, ...) before connecting.
        return { status: "unreachable", reason: `port ${url.port} is on fetch's blocked-port list`, retryable: false };
    }
    return { status: "unreachable", reason: `request failed: ${code ? `${code} ` : ""}${message}`.trim(), retryable: true };
}

interface ErrorLike {
    message: string;
    code?: unknown;
    cause?: unknown;
    reason?: unknown;
    errors?: unknown;
}

/**
 * Duck-typed on purpose: errors raised inside Node's fetch come from another realm when the
 * caller runs in a VM context (a test runner, say), where `instanceof Error` is false.
 */
function isErrorLike(value: unknown): value is ErrorLike {
    return typeof value === "object" && value !== null && "message" in value && typeof value.message === "string";
}

function errorCode(error: ErrorLike | undefined): string | undefined {
    if (!error) return undefined;
    if (typeof error.code === "string") return error.code;
    if (Array.isArray(error.errors)) {
        for (const inner of error.errors) {
            if (isErrorLike(inner) && typeof inner.code === "string") return inner.code;
        }
    }
    return undefined;
}

function tlsReason(cause: ErrorLike, code: string): string {
    // OpenSSL's message is a long "<hex>:error:<lib>:<func>:<reason>:<file>" line; `reason` is the readable part.
    const reason = code.startsWith("ERR_SSL_") && typeof cause.reason === "string" ? cause.reason : undefined;
    if (code === "ERR_SSL_WRONG_VERSION_NUMBER") return `${reason ?? "wrong version number"} (the port does not speak TLS?)`;
    return reason ?? firstLine(cause.message);
}

function firstLine(text: string): string {
    return text.split("\n")[0]?.trim() ?? "";
}

function finalResult(region: RegionEndpoint, check: CheckDefinition, url: URL, outcome: Answered | Failed, attempts: number): CheckResult {
    const base = { region: region.region, cloud: region.cloud, check: check.name, url: url.href, latencyMs: outcome.latencyMs, attempts };
    const tries = attempts > 1 ? ` (${attempts} attempts)` : "";
    if (outcome.kind === "failed") {
        return { ...base, status: outcome.status, httpStatus: null, detail: `${outcome.reason}${tries}` };
    }
    const { verdict } = outcome;
    return {
        ...base,
        status: verdict.healthy ? "healthy" : verdict.degraded ? "degraded" : "unhealthy",
        httpStatus: outcome.httpStatus,
        detail: verdict.healthy ? verdict.detail : `${verdict.detail}${tries}`,
        ...(verdict.components ? { components: verdict.components } : {}),
    };
}

function deadlineResult(
    region: RegionEndpoint,
    check: CheckDefinition,
    progress: Progress,
    latencyMs: number | null,
    deadlineMs: number,
): CheckResult {
    const last = progress.last;
    const lastDetail = last ? (last.kind === "failed" ? last.reason : last.verdict.detail) : undefined;
    return {
        region: region.region,
        cloud: region.cloud,
        check: check.name,
        url: checkUrl(region.url, check).href,
        status: "timeout",
        latencyMs: latencyMs ?? last?.latencyMs ?? null,
        attempts: progress.attempts,
        httpStatus: last?.kind === "answered" ? last.httpStatus : null,
        detail: `timed out: total deadline of ${deadlineMs} ms reached${lastDetail ? ` (last attempt: ${lastDetail})` : ""}`,
    };
}
