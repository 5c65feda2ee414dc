/**
 * What "healthy" means for each endpoint a region serves, taken from the servers' own
 * contracts rather than guessed from a running instance:
 *
 * - TorchServe, inference API "Health check API" (pytorch/serve `docs/inference_api.md`):
 *   `GET /ping` answers `{"status": "Healthy"}` while the server and its workers are up.
 *   Any other status value or an error code means the frontend is up but cannot serve.
 * - TensorZero gateway, "API Reference: Auxiliary Endpoints" (tensorzero/tensorzero
 *   `docs/gateway/api-reference/auxiliary-endpoints.mdx`):
 *   `GET /status` is the liveness probe, 200 `{"status": "ok"}` (the handler in the
 *   gateway source adds `version`, later `config_hash`);
 *   `GET /health` is the readiness probe, 200 `{"gateway": "ok", "clickhouse": "ok"}`.
 *   Newer gateways add `postgres`, `valkey`, ... to that object, and when one of them
 *   is down the handler answers 503 with that component set to `"error"`.
 */

export type CheckName = "torchserve-ping" | "tensorzero-health" | "tensorzero-status";

export interface Verdict {
    healthy: boolean;
    /**
     * Answered 200 as the contract says, but reports a component in error (`"clickhouse":
     * "error"`): the region serves, with something broken behind it. `healthy` is false.
     */
    degraded?: boolean;
    /** Short reason, one line. */
    detail: string;
    /** String-valued fields of a TensorZero `/health` body, e.g. `{ gateway: "ok", clickhouse: "ok" }`. */
    components?: Record<string, string>;
}

export interface CheckDefinition {
    name: CheckName;
    /** Relative to the region's base URL, no leading slash, so a base path prefix survives. */
    path: string;
    evaluate(httpStatus: number, body: string, location: string | null): Verdict;
}

type JsonObject = Record<string, unknown>;

type Parsed = { ok: true; value: JsonObject } | { ok: false; problem: string };

function parseObject(body: string): Parsed {
    if (body.trim().length === 0) return { ok: false, problem: "body is empty, expected JSON" };
    let value: unknown;
    try {
        value = JSON.parse(body);
    } catch {
        return { ok: false, problem: `body is not JSON (starts with ${JSON.stringify(snippet(body))})` };
    }
    if (!isJsonObject(value)) return { ok: false, problem: "body is not a JSON object" };
    return { ok: true, value };
}

function isJsonObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function snippet(body: string): string {
    const flat = body.replace(/\s+/g, " ").trim();
    return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}

function stringFields(value: JsonObject): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const [key, field] of Object.entries(value)) if (typeof field === "string") fields[key] = field;
    return fields;
}

/**
 * Fields of a status body that report a component in error: a string `"error"`, or an object
 * whose `status` is `"error"` (`{"clickhouse": "error"}`, `{"postgres": {"status": "error"}}`).
 */
function componentsInError(value: JsonObject): string[] {
    const failing: string[] = [];
    for (const [name, field] of Object.entries(value)) {
        if (name === "status") continue;
        const state = isJsonObject(field) ? field.status : field;
        if (typeof state === "string" && state.toLowerCase() === "error") failing.push(`${name}=error`);
    }
    return failing;
}

function componentList(components: Record<string, string>): string {
    return Object.entries(components)
        .map(([name, state]) => `${name}=${state}`)
        .join(" ");
}

/**
 * Anything but 200 fails. The body of an error answer is still read because both servers
 * say which part is down there (`{"status": "Unhealthy"}`, `"clickhouse": "error"`).
 */
function httpFailure(
    httpStatus: number,
    location: string | null,
    explain: (value: JsonObject) => string | undefined,
    body: string,
): string {
    if (httpStatus >= 300 && httpStatus < 400) {
        return location ? `HTTP ${httpStatus} redirect to ${location}` : `HTTP ${httpStatus} redirect`;
    }
    const prefix = httpStatus >= 200 && httpStatus < 300 ? `HTTP ${httpStatus}, expected 200` : `HTTP ${httpStatus}`;
    const parsed = parseObject(body);
    const reason = parsed.ok ? explain(parsed.value) : undefined;
    return reason ? `${prefix}: ${reason}` : prefix;
}

/**
 * A check whose healthy answer is 200 with a JSON `status` string equal to `expected`;
 * `healthyDetail` may add to the detail from the rest of the body.
 */
function statusCheck(
    name: CheckName,
    path: string,
    expected: string,
    healthyDetail: (value: JsonObject) => string = () => `status "${expected}"`,
): CheckDefinition {
    return {
        name,
        path,
        evaluate(httpStatus, body, location) {
            const explain = (value: JsonObject): string | undefined =>
                typeof value.status === "string" ? `status ${JSON.stringify(value.status)}` : undefined;
            if (httpStatus !== 200) return { healthy: false, detail: httpFailure(httpStatus, location, explain, body) };
            const parsed = parseObject(body);
            if (!parsed.ok) return { healthy: false, detail: parsed.problem };
            const status = parsed.value.status;
            if (typeof status !== "string") return { healthy: false, detail: 'body has no "status" string' };
            if (status !== expected) return { healthy: false, detail: `status is ${JSON.stringify(status)}, expected "${expected}"` };
            const failing = componentsInError(parsed.value);
            if (failing.length > 0) return { healthy: false, degraded: true, detail: `degraded: ${failing.join(" ")}` };
            return { healthy: true, detail: healthyDetail(parsed.value) };
        },
    };
}

const torchservePing = statusCheck("torchserve-ping", "ping", "Healthy");

const tensorzeroHealth: CheckDefinition = {
    name: "tensorzero-health",
    path: "health",
    evaluate(httpStatus, body, location) {
        const explain = (value: JsonObject): string | undefined => {
            const list = componentList(stringFields(value));
            return list.length > 0 ? list : undefined;
        };
        if (httpStatus !== 200) {
            const parsed = parseObject(body);
            const components = parsed.ok ? stringFields(parsed.value) : undefined;
            return { healthy: false, detail: httpFailure(httpStatus, location, explain, body), components };
        }
        const parsed = parseObject(body);
        if (!parsed.ok) return { healthy: false, detail: parsed.problem };
        const components = stringFields(parsed.value);
        const gateway = parsed.value.gateway;
        if (typeof gateway !== "string") return { healthy: false, detail: 'body has no "gateway" string', components };
        if (gateway !== "ok") {
            return { healthy: false, detail: `gateway is ${JSON.stringify(gateway)}, expected "ok"`, components };
        }
        const failing = Object.entries(components).filter(([, state]) => state !== "ok");
        if (failing.length > 0) {
            const names = failing.map(([name, state]) => `${name}=${state}`).join(" ");
            return { healthy: false, degraded: true, detail: `degraded: ${names} (${componentList(components)})`, components };
        }
        return { healthy: true, detail: componentList(components), components };
    },
};

const tensorzeroStatus = statusCheck("tensorzero-status", "status", "ok", (value) =>
    typeof value.version === "string" ? `status "ok", version ${value.version}` : 'status "ok"',
);

/** Every check, in the order they are reported for each region. */
export const CHECKS: readonly CheckDefinition[] = [torchservePing, tensorzeroHealth, tensorzeroStatus];
