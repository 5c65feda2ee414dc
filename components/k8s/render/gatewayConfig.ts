import { stringify } from "smol-toml";
import type { ModelSettings } from "../../../config";
import { names, ports } from "./names";

/** Where the gateway reads its config inside the pod. */
export const gatewayPaths = { configDir: "/etc/tensorzero", configFile: "/etc/tensorzero/tensorzero.toml" } as const;

/**
 * The gateway's optional backends, and the environment variables it reads their URLs from
 * (tensorzero 2026.6.0: tensorzero-core/src/utils/gateway.rs reads each with std::env::var).
 */
export const gatewayBackendEnv = {
    clickhouseUrl: "TENSORZERO_CLICKHOUSE_URL",
    postgresUrl: "TENSORZERO_POSTGRES_URL",
    valkeyUrl: "TENSORZERO_VALKEY_URL",
} as const;
export type GatewayBackend = keyof typeof gatewayBackendEnv;

/** The provider name every model routes to; one provider per model, TorchServe in this cluster. */
export const TORCHSERVE_PROVIDER = "torchserve";

/**
 * The base URL of a model's OpenAI-compatible API on TorchServe (its LLM handlers serve
 * `/predictions/<model>/<version>/v1/chat/completions`), through the stable Service so a
 * blue-green switch moves the gateway too. Relative DNS (`<svc>.<ns>.svc`) so clusters
 * with a custom cluster domain work.
 */
export function torchserveOpenAiBase(namespace: string, model: Pick<ModelSettings, "name" | "version">): string {
    return `http://${names.torchserveStable}.${namespace}.svc:${ports.inference}/predictions/${model.name}/${model.version}/v1/`;
}

/**
 * `tensorzero.toml` for a region, as a TOML table: each model that speaks the OpenAI API
 * becomes a TensorZero model routed to TorchServe, and a chat function of the same name
 * with one variant, so clients can call either `model_name` or `function_name`. Models
 * without the OpenAI API are served by TorchServe's `/predictions` directly and are not listed.
 *
 * Every key must exist in the pinned gateway (images.gateway, 2026.6.0), whose config
 * structs deny unknown fields; test/gateway-keys.test.ts pins each key to its source.
 * Backend URLs never appear here; the gateway reads them from the environment. The
 * inference cache needs no switch in this file: TensorZero caches per request
 * (`tensorzero::cache_options`) in ClickHouse, or in Valkey when that is configured.
 */
export function gatewayConfigTable(
    namespace: string,
    models: ModelSettings[],
    backends: Partial<Record<GatewayBackend, unknown>>,
): Record<string, unknown> {
    const openAiModels = models.filter((m) => m.openai);
    const config: Record<string, unknown> = {
        gateway: {
            bind_address: `0.0.0.0:${ports.gateway}`,
            // Egress is limited by NetworkPolicy; the analytics call would only fail.
            disable_pseudonymous_usage_analytics: true,
            // true: refuse to start without ClickHouse when one is configured, rather than
            // silently serving without the inference log.
            observability: { enabled: backends.clickhouseUrl !== undefined },
        },
    };
    if (openAiModels.length > 0) {
        config["models"] = Object.fromEntries(openAiModels.map((m) => [m.name, gatewayModel(namespace, m)]));
        config["functions"] = Object.fromEntries(
            openAiModels.map((m) => [
                m.name,
                { type: "chat", variants: { [TORCHSERVE_PROVIDER]: { type: "chat_completion", model: m.name } } },
            ]),
        );
    }
    return config;
}

/**
 * One TensorZero model: its providers by name and the order they are tried in. A model
 * with several providers (say, weighted tracks) adds entries to both.
 */
export function gatewayModel(namespace: string, model: ModelSettings): Record<string, unknown> {
    return {
        routing: [TORCHSERVE_PROVIDER],
        providers: {
            [TORCHSERVE_PROVIDER]: {
                type: "openai",
                api_base: torchserveOpenAiBase(namespace, model),
                // The served model name: the handler refuses a request naming another model.
                model_name: model.name,
                // TorchServe's token authorization is off (see torchserveConfig.ts).
                api_key_location: "none",
            },
        },
    };
}

/** `tensorzero.toml` text for a region; see gatewayConfigTable. */
export function renderGatewayConfig(
    namespace: string,
    models: ModelSettings[],
    backends: Partial<Record<GatewayBackend, unknown>>,
): string {
    const config = gatewayConfigTable(namespace, models, backends);
    return `# Rendered by modelfleet from the stack's model list; changes here are overwritten.\n${stringify(config)}\n`;
}
