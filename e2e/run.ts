/**
 * npm run e2e: one region of a committed stack, rendered by the offline plan, run on the
 * real servers on 127.0.0.1 — moto's S3 API, the AWS CLI, TorchServe 0.12.0 with the
 * project's handler, and TensorZero's embedded gateway. Prints each step; a failed check
 * prints the server's own log tail and exits 1. The last line is "N passed, N failed".
 *
 *   npm run e2e [-- --stack dev --region use1 --keep]
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { Server, groupAlive, killAllSync, logTail, runCommand, runCommandAsync, sleep, stopAll, type CommandResult } from "./processes";
import { readRenderedRegion, type RenderedRegion } from "./rendered";
import { HOST, PORTS, REWRITES, applyRewrites, rewritePodValue } from "./rewrites";
import { ensureVenv, type Venv } from "./venv";

const ROOT = path.resolve(__dirname, "..");
const MAX_RETRY_TIMEOUT_SECONDS = 5;

class CheckFailed extends Error {
    constructor(
        message: string,
        readonly logs: { name: string; text: string }[],
    ) {
        super(message);
    }
}

interface Ctx {
    dir: string;
    venv: Venv;
    region: RenderedRegion;
    env: NodeJS.ProcessEnv;
    servers: { moto?: Server; torchserve?: Server };
    toml: string;
}

let passed = 0;
let failed = 0;

function say(line: string): void {
    process.stdout.write(`${line}\n`);
}

function step(title: string): void {
    say(`\n::: ${title}`);
}

function serverLogs(ctx: Partial<Ctx>): { name: string; text: string }[] {
    const logs: { name: string; text: string }[] = [];
    for (const server of [ctx.servers?.moto, ctx.servers?.torchserve]) {
        if (server !== undefined) logs.push({ name: `${server.name} (${server.logFile})`, text: server.tail(40) });
    }
    return logs;
}

function check(ctx: Partial<Ctx>, name: string, ok: boolean, detail: string, logs?: { name: string; text: string }[]): void {
    if (ok) {
        passed++;
        say(`  ✔ ${name}${detail ? `: ${detail}` : ""}`);
        return;
    }
    failed++;
    say(`  ✘ ${name}: ${detail}`);
    throw new CheckFailed(`${name}: ${detail}`, logs ?? serverLogs(ctx));
}

async function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; headers: Headers; body: string }> {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

async function httpPost(url: string, body: string, timeoutMs = 30000): Promise<{ status: number; headers: Headers; body: string }> {
    const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

async function waitFor(what: string, server: Server, probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (server.exited) {
            say(`  ${server.name} ${server.exitDescription} while waiting for ${what}`);
            return false;
        }
        try {
            if (await probe()) return true;
        } catch {
            // not up yet
        }
        await sleep(250);
    }
    say(`  ${what}: not within ${timeoutMs / 1000} s`);
    return false;
}

function aws(ctx: Ctx, args: string[]): CommandResult {
    return runCommand(path.join(ctx.venv.bin, "aws"), args, { cwd: ctx.dir, env: ctx.env, timeoutMs: 60_000 });
}

/** The run's environment: the venv first on PATH, the AWS CLI pointed at moto. */
function baseEnv(venv: Venv, dir: string): NodeJS.ProcessEnv {
    return {
        PATH: `${venv.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        LANG: "C.UTF-8",
        HOME: dir,
        JAVA_HOME: process.env.JAVA_HOME,
        AWS_ENDPOINT_URL: `http://${HOST}:${PORTS.moto}`,
        AWS_ACCESS_KEY_ID: "modelfleet-e2e",
        AWS_SECRET_ACCESS_KEY: "modelfleet-e2e",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: path.join(dir, "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials"),
        // TorchServe's Python worker finds the handler package where the LLM image puts it
        // (PYTHONPATH) and the torch stand-in (e2e/stand-ins/torch, see there).
        PYTHONPATH: [path.join(ROOT, "serving"), path.join(ROOT, "e2e", "stand-ins")].join(":"),
    };
}

async function planStep(stack: string, regionName: string, dir: string): Promise<RenderedRegion> {
    step(`offline plan of ${stack}: npm run plan -- --stack ${stack} --out ${path.join(dir, "plan")}`);
    const plan = runCommand("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--out", path.join(dir, "plan")], {
        cwd: ROOT,
        env: process.env,
        timeoutMs: 180_000,
    });
    check(
        {},
        "the offline plan renders the stack",
        plan.code === 0,
        plan.code === 0 ? plan.stdout.trim().split("\n").slice(-1)[0] : `exit ${plan.code}`,
        [{ name: "plan output", text: (plan.stdout + plan.stderr).trim().split("\n").slice(-30).join("\n") }],
    );
    const manifests = path.join(dir, "plan", "manifests", regionName);
    step(`reading region ${regionName} from ${manifests}`);
    const region = readRenderedRegion(manifests);
    say(
        `  models: ${region.models.map((m) => `${m.name}@${m.version} (batchSize ${m.batchSize}${m.openai ? ", OpenAI route" : ""})`).join(", ")}`,
    );
    say(`  rewrites (e2e/rewrites.ts), nothing else is edited:`);
    for (const r of REWRITES) say(`    ${r.file}: ${r.from} -> ${r.to}  (${r.why})`);
    return region;
}

function writeRewritten(ctx: Ctx): void {
    fs.mkdirSync(path.join(ctx.dir, "model-store"), { recursive: true });
    fs.mkdirSync(path.join(ctx.dir, "tmp"), { recursive: true });
    fs.mkdirSync(path.join(ctx.dir, "logs"), { recursive: true });
    fs.writeFileSync(path.join(ctx.dir, "config.properties"), applyRewrites("config.properties", ctx.region.configProperties, ctx.dir));
    ctx.toml = applyRewrites("tensorzero.toml", ctx.region.tensorzeroToml, ctx.dir);
    fs.writeFileSync(path.join(ctx.dir, "tensorzero.toml"), ctx.toml);
}

async function modelStoreStep(ctx: Ctx): Promise<void> {
    const storeUri = ctx.region.modelSync.env.MODEL_STORE_URI;
    if (storeUri === undefined || !storeUri.startsWith("s3://"))
        throw new Error(`model-sync has no s3:// MODEL_STORE_URI (got ${storeUri})`);
    const bucket = storeUri.slice("s3://".length).replace(/\/.*$/, "");
    const awsRegion = ctx.region.modelSync.env.AWS_REGION ?? "us-east-1";

    step(`moto S3 API on ${HOST}:${PORTS.moto}, primary bucket ${bucket}`);
    ctx.servers.moto = new Server(
        "moto_server",
        path.join(ctx.dir, "logs", "moto.log"),
        path.join(ctx.venv.bin, "moto_server"),
        ["-H", HOST, "-p", String(PORTS.moto)],
        {
            cwd: ctx.dir,
            env: ctx.env,
        },
    );
    const motoUp = await waitFor(
        "moto",
        ctx.servers.moto,
        async () => (await httpGet(`http://${HOST}:${PORTS.moto}/moto-api/`)).status === 200,
        30_000,
    );
    check(ctx, "moto's S3 API answers", motoUp, `http://${HOST}:${PORTS.moto}`);
    const made = aws(ctx, ["s3api", "create-bucket", "--bucket", bucket, "--region", awsRegion]);
    check(ctx, "the primary bucket exists", made.code === 0, made.code === 0 ? bucket : made.stderr.trim());

    step("test archives with torch-model-archiver, published as docs/model-store.md says");
    const archives = path.join(ctx.dir, "archives");
    fs.mkdirSync(archives, { recursive: true });
    // The archives' model configs. maxRetryTimeoutInSec: TorchServe 0.12 counts a dead worker as
    // healthy for this long while it restarts it (ModelConfig default 300 s), so /ping would not
    // tell for five minutes; the chat handler's engine: the deterministic CPU engine here, vllm in the LLM image.
    const batchConfig = path.join(ctx.dir, "batch-model-config.yaml");
    fs.writeFileSync(batchConfig, `maxRetryTimeoutInSec: ${MAX_RETRY_TIMEOUT_SECONDS}\n`);
    const chatConfig = path.join(ctx.dir, "chat-model-config.yaml");
    fs.writeFileSync(chatConfig, `maxRetryTimeoutInSec: ${MAX_RETRY_TIMEOUT_SECONDS}\nhandler:\n  engine: echo\n`);
    for (const model of ctx.region.models) {
        const handler = path.join(ROOT, "serving", "entries", model.openai ? "modelfleet_chat.py" : "modelfleet_batch.py");
        const args = ["--model-name", model.name, "--version", model.version, "--handler", handler, "--export-path", archives, "--force"];
        args.push("--config-file", model.openai ? chatConfig : batchConfig);
        const built = runCommand(path.join(ctx.venv.bin, "torch-model-archiver"), args, { cwd: ctx.dir, env: ctx.env, timeoutMs: 60_000 });
        check(
            ctx,
            `archive ${model.name}.mar (${model.openai ? "chat handler, echo engine" : "batch probe"})`,
            built.code === 0,
            built.code === 0 ? `version ${model.version}` : built.stderr.trim(),
        );
        // docs/model-store.md, "Publish a version":
        //   aws s3 cp "./$MODEL.mar" "s3://<primary-bucket>/models/$MODEL/$VERSION/$MODEL.mar" --region us-east-1
        const published = runCommand(
            path.join(ctx.venv.bin, "aws"),
            [
                "s3",
                "cp",
                `./${model.name}.mar`,
                `s3://${bucket}/models/${model.name}/${model.version}/${model.name}.mar`,
                "--region",
                awsRegion,
            ],
            { cwd: archives, env: ctx.env, timeoutMs: 60_000 },
        );
        check(
            ctx,
            `published ${model.name} ${model.version}`,
            published.code === 0,
            published.code === 0 ? lastLine(published.stdout.split("\r").join("\n")) : published.stderr.trim(),
        );
    }

    step("the model-sync init container's script, verbatim, with the real AWS CLI");
    const script = applyRewrites("model-sync script", ctx.region.modelSyncScript, ctx.dir);
    const syncEnv: NodeJS.ProcessEnv = { ...ctx.env };
    for (const [key, value] of Object.entries(ctx.region.modelSync.env)) syncEnv[key] = rewritePodValue(value, ctx.dir);
    const shell = ctx.region.modelSync.command[0] ?? "/bin/sh";
    const synced = runCommand(shell, ["-c", script], { cwd: ctx.dir, env: syncEnv, timeoutMs: 120_000 });
    const store = fs.readdirSync(path.join(ctx.dir, "model-store")).sort();
    const expected = ctx.region.models.map((m) => `${m.name}.mar`).sort();
    check(
        ctx,
        "model-sync fills the model store",
        synced.code === 0 && JSON.stringify(store) === JSON.stringify(expected),
        synced.code === 0 ? `${store.join(", ")}` : `exit ${synced.code}: ${(synced.stdout + synced.stderr).trim()}`,
    );
}

function torchserveCommand(ctx: Ctx): { command: string; args: string[] } {
    let argv = [...ctx.region.torchserve.command, ...ctx.region.torchserve.args];
    // An init in front of TorchServe (tini ... --) is the pod's PID 1; here the run's own process group does its job.
    const separator = argv.indexOf("--");
    if (separator >= 0 && path.basename(argv[0]).startsWith("tini")) argv = argv.slice(separator + 1);
    // The pod's start script execs the JVM itself (the venv's python and ts package are first on PATH).
    if (argv.length === 3 && argv[0] === "/bin/sh" && argv[1] === "-c") {
        return { command: "/bin/sh", args: ["-c", applyRewrites("TorchServe start script", argv[2], ctx.dir)] };
    }
    argv = argv.map((a) => rewritePodValue(a, ctx.dir));
    const [command, ...args] = argv;
    if (path.basename(command) !== "torchserve") throw new Error(`the TorchServe container does not run torchserve: ${argv.join(" ")}`);
    return { command: path.join(ctx.venv.bin, "torchserve"), args };
}

async function torchserveStep(ctx: Ctx): Promise<void> {
    const { command, args } = torchserveCommand(ctx);
    step(`TorchServe: ${path.basename(command)} ${args.join(" ")}`);
    const env: NodeJS.ProcessEnv = { ...ctx.env };
    for (const [key, value] of Object.entries(ctx.region.torchserve.env)) env[key] = rewritePodValue(value, ctx.dir);
    ctx.servers.torchserve = new Server("torchserve", path.join(ctx.dir, "logs", "torchserve.log"), command, args, { cwd: ctx.dir, env });
    const inference = `http://${HOST}:${PORTS.inference}`;
    const up = await waitFor(
        "TorchServe /ping",
        ctx.servers.torchserve,
        async () => {
            const ping = await httpGet(`${inference}/ping`);
            return ping.status === 200 && JSON.parse(ping.body).status === "Healthy";
        },
        120_000,
    );
    check(ctx, "TorchServe answers /ping Healthy", up, `${inference}/ping`);

    const management = `http://${HOST}:${PORTS.management}`;
    for (const model of ctx.region.models) {
        let ready = 0;
        // /ping answers before the first workers have loaded their model; the management API tells when they have.
        await waitFor(
            `${model.name}'s workers`,
            ctx.servers.torchserve,
            async () => {
                const described = await httpGet(`${management}/models/${model.name}`);
                const workers =
                    described.status === 200
                        ? (JSON.parse(described.body) as { workers: { status: string }[] }[]).flatMap((v) => v.workers)
                        : [];
                ready = workers.filter((w) => w.status === "READY").length;
                return ready >= model.minWorkers;
            },
            60_000,
        );
        check(ctx, `model ${model.name} is loaded`, ready >= model.minWorkers, `${ready} worker(s) READY, minWorkers ${model.minWorkers}`);
    }

    for (const model of ctx.region.models.filter((m) => !m.openai)) {
        const answer = await httpPost(`${inference}/predictions/${model.name}`, '{"probe": 1}');
        check(
            ctx,
            `prediction from ${model.name}`,
            answer.status === 200 && JSON.parse(answer.body).model === model.name,
            `${answer.status} ${answer.body.trim()}`,
        );
    }

    const batched = ctx.region.models.find((m) => !m.openai && m.batchSize > 1);
    if (batched !== undefined) {
        const requests = 3 * batched.batchSize;
        const answers = await Promise.all(
            Array.from({ length: requests }, () => httpPost(`${inference}/predictions/${batched.name}`, "{}")),
        );
        const sizes = answers.map((a) => (a.status === 200 ? Number(JSON.parse(a.body).batch_size) : 0));
        const largest = Math.max(...sizes);
        check(
            ctx,
            `TorchServe batches ${batched.name} (batchSize ${batched.batchSize})`,
            sizes.every((s) => s >= 1) && largest > 1 && largest <= batched.batchSize,
            `${requests} concurrent requests reached the handler in batches of ${[...new Set(sizes)].sort((a, b) => a - b).join(", ")}`,
        );
    }

    for (const model of ctx.region.models.filter((m) => m.openai)) {
        const route = `${inference}/predictions/${model.name}/${model.version}/v1/chat/completions`;
        const chat = await httpPost(route, JSON.stringify({ model: model.name, messages: [{ role: "user", content: "ping from e2e" }] }));
        const content = chat.status === 200 ? JSON.parse(chat.body).choices?.[0]?.message?.content : undefined;
        check(
            ctx,
            `chat completion from ${model.name} on TorchServe's OpenAI route`,
            content === "echo: ping from e2e" && chat.headers.get("content-type") === "application/json",
            `${chat.status} ${chat.headers.get("content-type")} ${JSON.stringify(content)}`,
        );
        const stream = await httpPost(
            route,
            JSON.stringify({ model: model.name, stream: true, messages: [{ role: "user", content: "stream from e2e" }] }),
        );
        check(
            ctx,
            `streamed chat from ${model.name} is text/event-stream`,
            stream.status === 200 && stream.headers.get("content-type") === "text/event-stream" && stream.body.endsWith("data: [DONE]\n\n"),
            `${stream.status} ${stream.headers.get("content-type")}, ${stream.body.split("\n\n").filter(Boolean).length} events`,
        );
        const wrong = await httpPost(route, JSON.stringify({ model: `${model.name}-other`, messages: [{ role: "user", content: "x" }] }));
        check(ctx, `a request for another model is refused by ${model.name}`, wrong.status === 404, `${wrong.status} ${wrong.body.trim()}`);
    }

    const metrics = await httpGet(`http://${HOST}:${PORTS.metrics}/metrics`);
    const counted = ctx.region.models.every((m) => metrics.body.includes(`ts_inference_requests_total{model_name="${m.name}"`));
    check(
        ctx,
        "Prometheus metrics on the metrics port",
        metrics.status === 200 && counted,
        `${metrics.status}, ts_inference_requests_total for ${ctx.region.models.map((m) => m.name).join(", ")}`,
    );
}

function gatewayProbe(ctx: Ctx, config: string, fn: string, message: string, stream: boolean): Promise<CommandResult> {
    const args = [path.join(ROOT, "e2e", "gateway_probe.py"), config, fn, message];
    if (stream) args.push("--stream");
    return runCommandAsync(ctx.venv.python, args, { cwd: ctx.dir, env: ctx.env, timeoutMs: 90_000 });
}

function writeVariant(ctx: Ctx, name: string, text: string): string {
    const file = path.join(ctx.dir, name);
    fs.writeFileSync(file, text);
    return file;
}

/** A hop between the gateway and TorchServe that drops the answers' Content-Type, as TorchServe's stock vLLM handler does for streams. */
function startContentTypeStripper(): Promise<http.Server> {
    const server = http.createServer((request, response) => {
        const upstream = http.request(
            { host: HOST, port: PORTS.inference, method: request.method, path: request.url, headers: request.headers },
            (answer) => {
                const headers = { ...answer.headers };
                delete headers["content-type"];
                response.writeHead(answer.statusCode ?? 502, headers);
                answer.pipe(response);
            },
        );
        upstream.on("error", (err) => {
            response.writeHead(502);
            response.end(String(err));
        });
        request.pipe(upstream);
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(PORTS.contentTypeStripper, HOST, () => resolve(server));
    });
}

async function gatewayStep(ctx: Ctx): Promise<void> {
    const config = path.join(ctx.dir, "tensorzero.toml");
    const entries = Object.entries(ctx.region.gatewayFunctions);
    check(
        ctx,
        "the rendered gateway config routes a function to TorchServe",
        entries.length > 0,
        entries.map(([m, f]) => `${f} -> ${m}`).join(", ") || "none",
    );
    for (const [model, fn] of entries) {
        step(`TensorZero embedded gateway (tensorzero.toml rendered for this region): function ${fn}`);
        const chat = await gatewayProbe(ctx, config, fn, "hello through the gateway", false);
        const answer = probeAnswer(chat);
        check(
            ctx,
            `gateway chat inference via ${model}`,
            answer?.text === "echo: hello through the gateway",
            answer ? JSON.stringify(answer) : lastLine(chat.stderr),
        );
        const streamed = await gatewayProbe(ctx, config, fn, "streamed through the gateway", true);
        const parsed = probeAnswer(streamed);
        check(
            ctx,
            `gateway streamed inference via ${model}`,
            parsed?.text === "echo: streamed through the gateway" && parsed.chunks > 1,
            parsed ? JSON.stringify(parsed) : lastLine(streamed.stderr),
        );

        step("negative checks: a broken config must fail with the real server's own error");
        const unknownKey = writeVariant(
            ctx,
            "tensorzero-unknown-key.toml",
            ctx.toml.replace("[gateway]\n", "[gateway]\nmodelfleet_unknown_key = true\n"),
        );
        const refused = await gatewayProbe(ctx, unknownKey, fn, "x", false);
        check(
            ctx,
            "an unknown key in the gateway config is refused by the gateway",
            refused.code !== 0 && refused.stderr.includes("unknown field `modelfleet_unknown_key`"),
            lastLine(refused.stderr),
        );

        const providerName = `model_name = "${model}"`;
        const mismatch = writeVariant(
            ctx,
            "tensorzero-model-mismatch.toml",
            ctx.toml.replace(providerName, `model_name = "${model}-mismatch"`),
        );
        const mismatched = await gatewayProbe(ctx, mismatch, fn, "x", false);
        check(
            ctx,
            "a model-name mismatch between gateway and handler fails with the handler's error",
            mismatched.code !== 0 && mismatched.stderr.includes(`does not exist: this endpoint serves`),
            lastLine(mismatched.stderr),
        );

        const stripper = await startContentTypeStripper();
        try {
            const stripped = writeVariant(
                ctx,
                "tensorzero-no-stream-type.toml",
                ctx.toml.split(`http://${HOST}:${PORTS.inference}/`).join(`http://${HOST}:${PORTS.contentTypeStripper}/`),
            );
            const noType = await gatewayProbe(ctx, stripped, fn, "x", true);
            check(
                ctx,
                "a stream without Content-Type: text/event-stream fails in the gateway",
                noType.code !== 0 && noType.stderr.includes("Expected content-type 'text/event-stream'"),
                lastLine(noType.stderr),
            );
        } finally {
            await new Promise<void>((resolve) => stripper.close(() => resolve()));
        }
    }
}

/** The probe's answer: its last stdout line (the gateway logs to stdout before it). */
function probeAnswer(result: CommandResult): { text: string; chunks: number } | undefined {
    if (result.code !== 0) return undefined;
    try {
        return JSON.parse(lastLine(result.stdout)) as { text: string; chunks: number };
    } catch {
        return undefined;
    }
}

function lastLine(text: string): string {
    return text.trim().split("\n").slice(-1)[0] ?? "";
}

interface HealthJson {
    results: { region: string; check: string; status: string; detail?: string }[];
}

function runHealth(endpoints: string): { code: number; ping?: { status: string; detail?: string }; raw: string } {
    const health = runCommand(
        "npm",
        ["run", "--silent", "health", "--", "--endpoints", endpoints, "--json", "--retries", "0", "--timeout-ms", "3000"],
        {
            cwd: ROOT,
            env: process.env,
            timeoutMs: 60_000,
        },
    );
    try {
        const report = JSON.parse(health.stdout) as HealthJson;
        return { code: health.code, ping: report.results.find((r) => r.check === "torchserve-ping"), raw: health.stdout };
    } catch {
        return { code: health.code, raw: health.stdout + health.stderr };
    }
}

async function workerPids(model: string): Promise<number[]> {
    const described = await httpGet(`http://${HOST}:${PORTS.management}/models/${model}`);
    if (described.status !== 200) return [];
    return (JSON.parse(described.body) as { workers: { pid?: number; status: string }[] }[])
        .flatMap((v) => v.workers.map((w) => w.pid ?? -1))
        .filter((pid) => pid > 0);
}

/** Where TorchServe unpacked a model's archive (under java.io.tmpdir/models/). */
function unpackedArchiveDir(dir: string, model: string): string {
    const root = path.join(dir, "tmp", "models");
    for (const entry of fs.readdirSync(root)) {
        const manifest = path.join(root, entry, "MAR-INF", "MANIFEST.json");
        if (
            fs.existsSync(manifest) &&
            (JSON.parse(fs.readFileSync(manifest, "utf8")) as { model?: { modelName?: string } }).model?.modelName === model
        ) {
            return path.join(root, entry);
        }
    }
    throw new Error(`TorchServe has no unpacked archive of ${model} under ${root}`);
}

async function healthStep(ctx: Ctx, regionName: string): Promise<void> {
    step("npm run health against the real TorchServe");
    const endpoints = path.join(ctx.dir, "endpoints.json");
    fs.writeFileSync(endpoints, JSON.stringify({ [regionName]: `http://${HOST}:${PORTS.inference}` }));
    say(`  endpoints: ${fs.readFileSync(endpoints, "utf8")} (TorchServe's inference address; the gateway checks: see docs/serving.md)`);
    const healthy = runHealth(endpoints);
    check(
        ctx,
        "health: torchserve-ping healthy while every model is up",
        healthy.ping?.status === "healthy",
        healthy.ping ? `${healthy.ping.status} ${healthy.ping.detail ?? ""}` : healthy.raw.trim(),
    );

    const victim = ctx.region.models.find((m) => !m.openai) ?? ctx.region.models[0];
    // Killed workers that restart at once never look unhealthy: TorchServe restarts them within a
    // second. So the model's unpacked archive is moved away first (restarts then fail, as with a
    // worker that crashes on load) and put back after the verdict, for TorchServe's own cleanup.
    const unpacked = unpackedArchiveDir(ctx.dir, victim.name);
    const away = `${unpacked}.moved-away-by-e2e`;
    fs.renameSync(unpacked, away);
    const pids = await workerPids(victim.name);
    say(`  killing ${victim.name}'s workers (pids ${pids.join(", ")}) with their unpacked archive moved away`);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    let sick: ReturnType<typeof runHealth> = { code: 0, raw: "/ping never failed" };
    try {
        const notPinging = await waitFor(
            "/ping to notice",
            ctx.servers.torchserve as Server,
            async () => (await httpGet(`http://${HOST}:${PORTS.inference}/ping`)).status !== 200,
            MAX_RETRY_TIMEOUT_SECONDS * 1000 + 20_000,
        );
        if (notPinging) sick = runHealth(endpoints);
    } finally {
        fs.renameSync(away, unpacked);
    }
    check(
        ctx,
        `health: unhealthy verdict (exit 1) with ${victim.name}'s workers killed`,
        sick.code === 1 && sick.ping !== undefined && sick.ping.status !== "healthy",
        sick.ping ? `exit ${sick.code}, torchserve-ping ${sick.ping.status} ${sick.ping.detail ?? ""}` : sick.raw.trim(),
    );
    // TorchServe 0.12 stops retrying a worker once recovery has failed for maxRetryTimeoutInSec;
    // /ping then stays Unhealthy and the pod's liveness probe restarts the pod (docs/serving.md).
}

/**
 * After the pod's drain the kubelet sends SIGTERM to the container's main process, nothing
 * else. The start script exec'd the JVM, so that process is the JVM: it must stop by itself,
 * workers and all, well inside the grace period's 30 s after the drain.
 */
async function shutdownStep(ctx: Ctx): Promise<void> {
    step("TorchServe: SIGTERM to the container's main process, as the kubelet sends it after the drain");
    const server = ctx.servers.torchserve as Server;
    const pid = server.pid;
    if (pid === undefined) throw new Error("TorchServe has no process id");
    const started = Date.now();
    process.kill(pid, "SIGTERM");
    while (Date.now() - started < 30_000 && groupAlive(pid)) await sleep(100);
    const stopped = !groupAlive(pid);
    check(
        ctx,
        "TorchServe stops on SIGTERM to its main process, workers included",
        stopped && server.exited,
        stopped ? `${server.exitDescription} after ${((Date.now() - started) / 1000).toFixed(1)} s` : "still running after 30 s",
    );
}

async function main(argv: string[]): Promise<number> {
    const program = new Command()
        .name("e2e")
        .option("--stack <name>", "committed stack to render (Pulumi.<name>.yaml)", "dev")
        .option("--region <name>", "region of the stack to run", "use1")
        .option("--keep", "keep the run's directory after a passing run", false)
        .option("--prepare-only", "only create (or reuse) the Python environment, e.g. for the handler's pytest tests", false)
        .exitOverride();
    program.parse(argv, { from: "user" });
    const options = program.opts<{ stack: string; region: string; keep: boolean; prepareOnly: boolean }>();
    if (options.prepareOnly) {
        ensureVenv(ROOT, (line) => say(line));
        return 0;
    }
    const started = Date.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-e2e-"));
    const ctx: Partial<Ctx> = { dir, servers: {} };
    const onSignal = (): void => {
        killAllSync();
        process.exit(1);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("exit", killAllSync);
    let status = 0;
    try {
        step("Python environment");
        const venv = ensureVenv(ROOT, (line) => say(`  ${line}`));
        ctx.venv = venv;
        ctx.env = baseEnv(venv, dir);
        ctx.region = await planStep(options.stack, options.region, dir);
        const full = ctx as Ctx;
        writeRewritten(full);
        await modelStoreStep(full);
        await torchserveStep(full);
        await gatewayStep(full);
        await healthStep(full, options.region);
        await shutdownStep(full);
    } catch (err) {
        status = 1;
        if (err instanceof CheckFailed) {
            for (const log of err.logs) say(`\n--- last lines of ${log.name}\n${log.text}`);
        } else {
            failed++;
            say(`\n  ✘ ${err instanceof Error ? err.message : String(err)}`);
            for (const log of serverLogs(ctx)) say(`\n--- last lines of ${log.name}\n${log.text}`);
        }
        say(`\nthe run's files are kept in ${dir}`);
    } finally {
        await stopAll();
    }
    if (status === 0 && !options.keep) fs.rmSync(dir, { recursive: true, force: true });
    else if (status === 0) say(`the run's files are kept in ${dir}`);
    say(
        `\ne2e wall time ${((Date.now() - started) / 1000).toFixed(1)} s${ctx.venv?.installSeconds ? ` (Python environment install ${ctx.venv.installSeconds.toFixed(1)} s)` : ""}`,
    );
    say(`${passed} passed, ${failed} failed`);
    return status;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            killAllSync();
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n0 passed, 1 failed\n`);
            process.exit(1);
        },
    );
}

export { logTail };
