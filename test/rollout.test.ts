import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { main } from "../tools/debug";

const ROOT = path.join(__dirname, "..");
const SAMPLES = path.join(__dirname, "fixtures", "rollout");
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-rollout-"));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** The dev stack file with serving.traffic set (or removed), as a stack file of its own. */
function stackWith(traffic: Record<string, number> | undefined, name = "dev"): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
        config: Record<string, Record<string, unknown>>;
    };
    if (traffic !== undefined) doc.config["modelfleet:serving"].traffic = traffic;
    const file = path.join(workDir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

async function rollout(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {}, homeDir: workDir });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("npm run debug -- --rollout on recorded samples (blue 90, green 10; SLO 1% errors, p95 2000 ms)", () => {
    const stack = stackWith({ blue: 90, green: 10 });

    it("promotes a healthy canary to the next step, 25%", async () => {
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "healthy.prom")]);
        expect(r.code).toBe(0);
        const lines = r.stdout.split("\n");
        expect(lines[0]).toBe("rollout: promote (canary green, baseline blue; SLO 1% errors, p95 2000 ms)");
        expect(lines[1]).toBe("  blue    90%  errors 0.21%    p95 412 ms     54.30 req/s");
        expect(lines[2]).toBe("  green   10%  errors 0.18%    p95 436 ms     6.10 req/s");
        expect(r.stdout).toContain("  pulumi config set --stack dev --path 'serving.traffic.blue' 75");
        expect(r.stdout).toContain("  pulumi config set --stack dev --path 'serving.traffic.green' 25");
    });

    it("holds a canary that is within the SLO but much slower than the baseline", async () => {
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "slow.prom")]);
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n")[0]).toBe("rollout: hold (canary green, baseline blue; SLO 1% errors, p95 2000 ms)");
        expect(r.stdout).toContain("  - canary green p95 latency 1180 ms is within the SLO but more than 1.2x baseline blue's 412 ms");
        expect(r.stdout).not.toContain("pulumi config set");
    });

    it("rolls back a failing canary, naming its error rate against the SLO", async () => {
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "failing.prom")]);
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n")[0]).toBe("rollout: roll back (canary green, baseline blue; SLO 1% errors, p95 2000 ms)");
        expect(r.stdout).toContain("  - canary green error rate 7.90% is above the SLO of 1%");
        expect(r.stdout).toContain("  pulumi config set --stack dev --path 'serving.traffic.blue' 100");
        expect(r.stdout).toContain("  pulumi config set --stack dev --path 'serving.traffic.green' 0");
    });

    it("rolls back a canary slower than the SLO", async () => {
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "over-slo.prom")]);
        expect(r.stdout).toContain("  - canary green p95 latency 2650 ms is above the SLO of 2000 ms");
        expect(r.stdout.split("\n")[0]).toMatch(/^rollout: roll back /);
    });

    it("never writes the stack file", async () => {
        const before = fs.readFileSync(stack, "utf8");
        await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "healthy.prom")]);
        expect(fs.readFileSync(stack, "utf8")).toBe(before);
    });
});

describe("the rollout check's last step and its inputs", () => {
    it("at 50% a healthy canary takes all traffic and becomes the active colour", async () => {
        const stack = stackWith({ blue: 50, green: 50 }, "half");
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "healthy.prom")]);
        // A tie keeps activeColor (blue) as the baseline.
        expect(r.stdout).toContain("  pulumi config set --stack half --path 'serving.activeColor' green");
        expect(r.stdout).toContain("  pulumi config rm --stack half --path 'serving.traffic'");
    });

    it("holds when the canary's figures are missing", async () => {
        const stack = stackWith({ blue: 90, green: 10 }, "thin");
        const sample = path.join(workDir, "blue-only.prom");
        fs.writeFileSync(sample, 'modelfleet_track_error_rate_percent{modelfleet_io_track="blue"} 0.1\n');
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", sample]);
        expect(r.stdout.split("\n")[0]).toMatch(/^rollout: hold /);
        expect(r.stdout).toContain("no figures for canary green: modelfleet_track_error_rate_percent, modelfleet_track_latency_p95_ms");
    });

    it("reads the figures from a Prometheus query API", async () => {
        const { figuresFromPrometheus } = await import("../tools/debug/rollout");
        const queries: string[] = [];
        const fake = (async (url: URL) => {
            queries.push(url.searchParams.get("query") ?? "");
            const value = url.searchParams.get("query")?.startsWith("modelfleet_track_latency_p95_ms") ? "512" : "1.5";
            return new Response(
                JSON.stringify({
                    status: "success",
                    data: { resultType: "vector", result: [{ metric: { modelfleet_io_track: "green" }, value: [1764871200, value] }] },
                }),
                { status: 200 },
            );
        }) as unknown as typeof fetch;
        const figures = await figuresFromPrometheus("http://127.0.0.1:9/prom", "modelfleet", fake);
        expect(queries).toEqual([
            'modelfleet_track_error_rate_percent{namespace="modelfleet"}',
            'modelfleet_track_latency_p95_ms{namespace="modelfleet"}',
            'modelfleet_track_requests_per_second{namespace="modelfleet"}',
        ]);
        expect(figures).toEqual({ blue: {}, green: { errorRatePercent: 1.5, p95LatencyMs: 512, requestsPerSecond: 1.5 } });
    });

    it("exits 2 without --prometheus, and on a file it cannot read", async () => {
        const stack = stackWith(undefined, "plain");
        const none = await rollout(["--config-file", stack, "--rollout"]);
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(/^--rollout needs --prometheus; fix: /);
        const missing = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(workDir, "nope.prom")]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain("cannot read it (ENOENT); fix:");
    });

    it("exits 2 naming serving.traffic when the weights do not sum to 100", async () => {
        const stack = stackWith({ blue: 90, green: 20 }, "bad");
        const r = await rollout(["--config-file", stack, "--rollout", "--prometheus", path.join(SAMPLES, "healthy.prom")]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("modelfleet:serving.traffic weights sum to 110 but must sum to 100");
        expect(r.stderr).toContain(
            "fix: pulumi config set --path 'serving.traffic.blue' 90 && pulumi config set --path 'serving.traffic.green' 10",
        );
    });
});
