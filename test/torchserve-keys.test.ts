import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { configPropertiesEntries, modelConfigJson, renderTorchServeStartScript } from "../components/k8s/render/torchserveConfig";
import { fleetConfig, stackSettings } from "./mocks";

// Every key rendered into config.properties, pinned to where TorchServe 0.12.0's frontend
// reads it (pytorch/serve tag v0.12.0). The frontend ignores keys it does not know, so a
// misspelt key would silently fall back to a default: hence the pin.
const CM = "v0.12.0 frontend/server/src/main/java/org/pytorch/serve/util/ConfigManager.java";
const MODEL = "v0.12.0 frontend/server/src/main/java/org/pytorch/serve/wlm/Model.java";
const KEYS: Record<string, string> = {
    inference_address: `${CM}:61 TS_INFERENCE_ADDRESS`,
    management_address: `${CM}:62 TS_MANAGEMENT_ADDRESS`,
    metrics_address: `${CM}:63 TS_METRICS_ADDRESS`,
    load_models: `${CM}:64 TS_LOAD_MODELS`,
    default_workers_per_model: `${CM}:66 TS_DEFAULT_WORKERS_PER_MODEL`,
    default_response_timeout: `${CM}:67 TS_DEFAULT_RESPONSE_TIMEOUT`,
    default_startup_timeout: `${CM}:68 TS_DEFAULT_STARTUP_TIMEOUT`,
    job_queue_size: `${CM}:72 TS_JOB_QUEUE_SIZE`,
    number_of_gpu: `${CM}:73 TS_NUMBER_OF_GPU`,
    metrics_mode: `${CM}:75 TS_METRICS_MODE`,
    model_store: `${CM}:101 TS_MODEL_STORE`,
    install_py_dep_per_model: `${CM}:104 TS_INSTALL_PY_DEP_PER_MODEL`,
    enable_metrics_api: `${CM}:105 TS_ENABLE_METRICS_API`,
    disable_token_authorization: `${CM}:128 TS_DISABLE_TOKEN_AUTHORIZATION`,
    enable_model_api: `${CM}:129 TS_ENABLE_MODEL_API`,
    enable_envvars_config: `${CM}:135 ENABLE_ENVVARS_CONFIG`,
    models: `${CM}:137 MODEL_CONFIG`,
};
const MODEL_KEYS: Record<string, string> = {
    minWorkers: `${MODEL}:30 MIN_WORKERS`,
    maxWorkers: `${MODEL}:31 MAX_WORKERS`,
    batchSize: `${MODEL}:32 BATCH_SIZE`,
    maxBatchDelay: `${MODEL}:33 MAX_BATCH_DELAY`,
    responseTimeout: `${MODEL}:34 RESPONSE_TIMEOUT`,
    startupTimeout: `${MODEL}:35 STARTUP_TIMEOUT`,
    defaultVersion: `${MODEL}:37 DEFAULT_VERSION`,
    marName: `${MODEL}:38 MAR_NAME`,
};

describe("config.properties keys against TorchServe 0.12.0", () => {
    const prod = fleetConfig(stackSettings("prod"));

    test("every rendered key is one the frontend reads, each cited", () => {
        const keys = configPropertiesEntries(prod.models, prod.serving.torchserve).map(([k]) => k);
        expect([...keys].sort()).toEqual(Object.keys(KEYS).sort());
    });

    test("vmargs is not rendered: only the launcher reads it, and the pod starts the JVM itself", () => {
        expect(configPropertiesEntries(prod.models, prod.serving.torchserve).map(([k]) => k)).not.toContain("vmargs");
    });

    test("every per-model key of `models` is one wlm/Model.java names", () => {
        const perModel = Object.values(modelConfigJson(prod.models)).flatMap((versions) => Object.values(versions));
        expect(perModel).toHaveLength(2);
        for (const settings of perModel) expect(Object.keys(settings).sort()).toEqual(Object.keys(MODEL_KEYS).sort());
    });
});

describe("TorchServe start script", () => {
    // ts/model_server.py (v0.12.0) builds: java -Dmodel_server_home=<ts_home> [vmargs] -cp
    // .:<ts_home>/ts/frontend/* org.pytorch.serve.ModelServer --python <python> -f <config>
    // -s <store> [-ncs]; the options are ConfigManager.java:1193-1223 (-f, --python, -s, -ncs).
    const script = renderTorchServeStartScript();

    test("execs the JVM with the launcher's command line, so the JVM is PID 1 and gets SIGTERM", () => {
        const lines = script.trim().split("\n");
        expect(lines[0]).toBe("set -eu");
        const exec = lines[lines.length - 1];
        expect(exec).toBe(
            'exec "$java" "-Dmodel_server_home=$ts_home" -XX:+UseContainerSupport -XX:MaxRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError ' +
                "-Dlog4j2.shutdownHookEnabled=false " +
                '-Djava.io.tmpdir=/home/model-server/tmp -cp ".:$ts_home/ts/frontend/*" org.pytorch.serve.ModelServer ' +
                '--python "$(command -v python)" -f /etc/torchserve/config.properties -s /home/model-server/model-store -ncs',
        );
        // Nothing runs after exec, and no launcher stays in between.
        expect(lines.filter((l) => l.startsWith("exec "))).toHaveLength(1);
        expect(script).not.toMatch(/torchserve --start/);
    });

    test("run by sh, the JVM replaces the shell (same PID) and gets the launcher's arguments", () => {
        const bin = mkdtempSync(path.join(tmpdir(), "ts-start-"));
        try {
            const fake = (name: string, body: string) => {
                writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
                chmodSync(path.join(bin, name), 0o755);
            };
            fake("python", 'echo "/venv/lib/python3.9/site-packages"');
            fake("java", 'echo "pid=$$"; for a in "$@"; do echo "arg=$a"; done');
            const run = spawnSync("sh", ["-c", script], {
                env: { PATH: `${bin}:/usr/bin:/bin` },
                encoding: "utf8",
            });
            expect(run.status).toBe(0);
            const lines = run.stdout.trim().split("\n");
            expect(lines[0]).toBe(`pid=${run.pid}`);
            expect(lines.slice(1)).toEqual([
                "arg=-Dmodel_server_home=/venv/lib/python3.9/site-packages",
                "arg=-XX:+UseContainerSupport",
                "arg=-XX:MaxRAMPercentage=25.0",
                "arg=-XX:+ExitOnOutOfMemoryError",
                "arg=-Dlog4j2.shutdownHookEnabled=false",
                "arg=-Djava.io.tmpdir=/home/model-server/tmp",
                "arg=-cp",
                "arg=.:/venv/lib/python3.9/site-packages/ts/frontend/*",
                "arg=org.pytorch.serve.ModelServer",
                "arg=--python",
                `arg=${path.join(bin, "python")}`,
                "arg=-f",
                "arg=/etc/torchserve/config.properties",
                "arg=-s",
                "arg=/home/model-server/model-store",
                "arg=-ncs",
            ]);
        } finally {
            rmSync(bin, { recursive: true, force: true });
        }
    });
});
