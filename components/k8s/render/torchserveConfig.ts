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
                    marName: `${m.name}.mar`,
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
 * TorchServe's `config.properties` for a region's models.
 *
 * Token authorization is off: TorchServe (0.11+) only generates random keys at start-up,
 * per process and expiring, and cannot take a provided key, so no gateway or client
 * could hold a valid one. The boundary instead: the management API listens on loopback
 * only and its model-registration API is off, the inference port is reachable only from
 * the gateway, the ingress and Prometheus (NetworkPolicies), and the Ingress routes only
 * `/predictions` and `/ping` to it. See docs/serving.md.
 */
export function renderConfigProperties(models: ModelSettings[], torchserve: TorchServeSettings): string {
    const entries: Array<[string, string | number | boolean]> = [
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
        ["load_models", models.map((m) => `${m.name}=${m.name}.mar`).join(",")],
        ["default_workers_per_model", torchserve.gpus],
        ["number_of_gpu", torchserve.gpus],
        ["job_queue_size", torchserve.jobQueueSize],
        ["default_response_timeout", torchserve.defaultResponseTimeoutSeconds],
        ["default_startup_timeout", MODEL_STARTUP_TIMEOUT_SECONDS],
        // The frontend JVM shares the container's memory limit with the Python workers.
        [
            "vmargs",
            `-XX:+UseContainerSupport -XX:MaxRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=${torchservePaths.scratch}`,
        ],
        ["models", JSON.stringify(modelConfigJson(models))],
    ];
    const lines = entries.map(([key, value]) => `${key}=${String(value)}`);
    return ["# Rendered by modelfleet from the stack's model list; changes here are overwritten.", ...lines, ""].join("\n");
}

/** A short digest of rendered config, for the pod-template annotation that rolls pods on change. */
export function checksum(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** The archive path of a model inside the model store, as the model-store component lays it out. */
export function archiveKey(model: Pick<ModelSettings, "name" | "version">): string {
    return `models/${model.name}/${model.version}/${model.name}.mar`;
}

/**
 * The init container's script: copies this region's archives from its model-store copy
 * (`$MODEL_STORE_URI`, set from the bucket output) into the pod's model store. Fails the
 * pod if any archive is missing, so a pod never starts serving without its models.
 */
export function renderModelSyncScript(kind: "s3" | "gcs", models: Array<Pick<ModelSettings, "name" | "version">>): string {
    const copy = (m: Pick<ModelSettings, "name" | "version">) => {
        const source = `"$base/${archiveKey(m)}"`;
        const target = `"${torchservePaths.modelStore}/${m.name}.mar"`;
        return kind === "s3"
            ? `aws s3 cp ${source} ${target} --only-show-errors`
            : `gcloud storage cp ${source} ${target} --no-user-output-enabled`;
    };
    return ["set -eu", 'base="${MODEL_STORE_URI%/}"', ...models.map(copy), `ls -l "${torchservePaths.modelStore}"`, ""].join("\n");
}
