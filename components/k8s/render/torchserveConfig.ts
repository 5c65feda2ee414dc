import { createHash } from "crypto";
import type { FleetConfig, ModelSettings } from "../../../config";
import { ports } from "./names";

/** Where things live inside the TorchServe pod. */
export const torchservePaths = {
    home: "/home/model-server",
    modelStore: "/home/model-server/model-store",
    /** TorchServe extracts archives under TEMP; the image sets it to this directory. */
    scratch: "/home/model-server/tmp",
    logs: "/home/model-server/logs",
    cache: "/home/model-server/.cache",
    configDir: "/etc/torchserve",
    configFile: "/etc/torchserve/config.properties",
} as const;

/** Seconds TorchServe gives a worker to load its model; archives of LLMs take minutes. */
export const MODEL_STARTUP_TIMEOUT_SECONDS = 600;

type TorchServeSettings = FleetConfig["serving"]["torchserve"];

/** The per-model block of `models=`, keyed by model name and archive version. */
export function modelConfigJson(models: ModelSettings[]): Record<string, Record<string, Record<string, unknown>>> {
    return Object.fromEntries(
        models.map((m) => [
            m.name,
            {
                [m.version]: {
                    defaultVersion: true,
                    marName: marName(m),
                    minWorkers: m.minWorkers,
                    maxWorkers: m.maxWorkers,
                    batchSize: m.batchSize,
                    maxBatchDelay: m.maxBatchDelayMs,
                    responseTimeout: m.responseTimeoutSeconds,
                    startupTimeout: MODEL_STARTUP_TIMEOUT_SECONDS,
                },
            },
        ]),
    );
}

/**
 * JVM flags for the frontend. The `torchserve` launcher would read them from `vmargs` in
 * config.properties, but the pod starts the JVM itself (see renderTorchServeStartScript),
 * so they go on its command line. The frontend shares the container's memory limit with
 * the Python workers.
 */
export const TORCHSERVE_JVM_ARGS = [
    "-XX:+UseContainerSupport",
    "-XX:MaxRAMPercentage=25.0",
    "-XX:+ExitOnOutOfMemoryError",
    // log4j2's own shutdown hook would stop logging before TorchServe's hook logs its stop
    // (listeners closed, models unregistered, workers stopped); with it off those lines stay.
    "-Dlog4j2.shutdownHookEnabled=false",
    `-Djava.io.tmpdir=${torchservePaths.scratch}`,
] as const;

/**
 * TorchServe's `config.properties` for a region's models, as ordered key/value pairs.
 * Every key is one TorchServe 0.12.0's frontend reads (ConfigManager.java, and the
 * per-model keys of `models=` in wlm/Model.java); test/torchserve-keys.test.ts pins each.
 *
 * Token authorization is off: TorchServe (0.11+) only generates random keys at start-up,
 * per process and expiring, and cannot take a provided key, so no gateway or client
 * could hold a valid one. The boundary instead: the management API listens on loopback
 * only and its model-registration API is off, the inference port is reachable only from
 * the gateway, the ingress and Prometheus (NetworkPolicies), and the Ingress routes only
 * `/predictions` and `/ping` to it. See docs/serving.md.
 */
export function configPropertiesEntries(
    models: ModelSettings[],
    torchserve: TorchServeSettings,
): Array<[string, string | number | boolean]> {
    return [
        ["inference_address", `http://0.0.0.0:${ports.inference}`],
        ["management_address", `http://127.0.0.1:${ports.management}`],
        ["metrics_address", `http://0.0.0.0:${ports.metrics}`],
        ["metrics_mode", "prometheus"],
        ["enable_metrics_api", true],
        ["disable_token_authorization", true],
        ["enable_model_api", false],
        // Environment variables must not be able to override the settings above.
        ["enable_envvars_config", false],
        ["install_py_dep_per_model", false],
        ["model_store", torchservePaths.modelStore],
        ["load_models", models.map((m) => `${m.name}=${marName(m)}`).join(",")],
        ["default_workers_per_model", torchserve.gpus],
        ["number_of_gpu", torchserve.gpus],
        ["job_queue_size", torchserve.jobQueueSize],
        ["default_response_timeout", torchserve.defaultResponseTimeoutSeconds],
        ["default_startup_timeout", MODEL_STARTUP_TIMEOUT_SECONDS],
        ["models", JSON.stringify(modelConfigJson(models))],
    ];
}

/** `config.properties` text; see configPropertiesEntries. */
export function renderConfigProperties(models: ModelSettings[], torchserve: TorchServeSettings): string {
    const lines = configPropertiesEntries(models, torchserve).map(([key, value]) => `${key}=${String(value)}`);
    return ["# Rendered by modelfleet from the stack's model list; changes here are overwritten.", ...lines, ""].join("\n");
}

/** The archive file name of a model in the pod's model store. */
export function marName(model: Pick<ModelSettings, "name">): string {
    return `${model.name}.mar`;
}

/**
 * The TorchServe container's start script. The `torchserve` launcher (ts/model_server.py
 * in 0.12.0) starts the JVM with subprocess.Popen and, with `--foreground`, only waits
 * for it: it installs no signal handler, and as PID 1 it ignores SIGTERM, so the JVM
 * would never hear of a shutdown and be killed at the end of the grace period. This
 * script builds the same command line the launcher would (model_server_home, classpath,
 * ModelServer's -f/-s/--python/-ncs options) and `exec`s the JVM, which becomes PID 1 and
 * runs its shutdown hook (ModelServer.stop) on SIGTERM. POSIX sh.
 */
export function renderTorchServeStartScript(): string {
    return [
        "set -eu",
        // The launcher's ts_home: the directory that holds the `ts` package.
        `ts_home="$(python -c 'import os, ts; print(os.path.dirname(os.path.dirname(os.path.realpath(ts.__file__))))')"`,
        'java="${JAVA_HOME:+$JAVA_HOME/bin/}java"',
        [
            'exec "$java"',
            '"-Dmodel_server_home=$ts_home"',
            ...TORCHSERVE_JVM_ARGS,
            '-cp ".:$ts_home/ts/frontend/*"',
            "org.pytorch.serve.ModelServer",
            '--python "$(command -v python)"',
            `-f ${torchservePaths.configFile}`,
            `-s ${torchservePaths.modelStore}`,
            "-ncs",
        ].join(" "),
        "",
    ].join("\n");
}

/** A short digest of rendered config, for the pod-template annotation that rolls pods on change. */
export function checksum(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** The archive path of a model inside the model store, as the model-store component lays it out. */
export function archiveKey(model: Pick<ModelSettings, "name" | "version">): string {
    return `models/${model.name}/${model.version}/${marName(model)}`;
}

/**
 * The init container's script: copies this region's archives from its model-store copy
 * (`$MODEL_STORE_URI`, set from the bucket output) into the pod's model store. An archive
 * published moments ago may not have reached this region's copy yet (replication, or the
 * next transfer run; on a new stack, the first transfer), so each one is checked for up to
 * ten minutes before the pod fails, naming the archive: a pod never starts serving without
 * its models. POSIX sh: the GCS image's /bin/sh is dash.
 */
export function renderModelSyncScript(kind: "s3" | "gcs", models: Array<Pick<ModelSettings, "name" | "version">>): string {
    const attempts = 60;
    const delaySeconds = 10;
    const client =
        kind === "s3"
            ? [
                  // head-object, not `s3 ls`: an exact key, never a prefix match.
                  "exists() {",
                  '    object="${1#s3://}"',
                  '    aws s3api head-object --bucket "${object%%/*}" --key "${object#*/}" >/dev/null',
                  "}",
                  "copy() {",
                  '    aws s3 cp "$1" "$2" --only-show-errors',
                  "}",
              ]
            : [
                  "exists() {",
                  '    gcloud storage objects describe "$1" >/dev/null',
                  "}",
                  "copy() {",
                  '    gcloud storage cp "$1" "$2" --no-user-output-enabled',
                  "}",
              ];
    const fetch = [
        "fetch() {",
        '    src="$base/$1"',
        "    n=1",
        '    while ! err="$(exists "$src" 2>&1)"; do',
        '        if [ "$n" -ge "$attempts" ]; then',
        '            echo "model-sync: $src is still missing after $attempts checks ${delay}s apart; publish it to the primary bucket and let it reach this region (docs/model-store.md). Last check: $err" >&2',
        "            exit 1",
        "        fi",
        '        echo "model-sync: waiting for $src (check $n of $attempts: $err)"',
        "        n=$((n + 1))",
        '        sleep "$delay"',
        "    done",
        '    copy "$src" "$2"',
        "}",
    ];
    const sync = (m: Pick<ModelSettings, "name" | "version">) => `fetch "${archiveKey(m)}" "${torchservePaths.modelStore}/${marName(m)}"`;
    return [
        "set -eu",
        'base="${MODEL_STORE_URI%/}"',
        `attempts=${attempts}`,
        `delay=${delaySeconds}`,
        ...client,
        ...fetch,
        ...models.map(sync),
        `ls -l "${torchservePaths.modelStore}"`,
        "",
    ].join("\n");
}
