import { stringify } from "smol-toml";
import type { ModelSettings } from "../../../config";
import { names, ports, TRACKS, type Track } from "./names";

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
 * `tensorzero.toml` for a region: each model that speaks the OpenAI API becomes a
 * TensorZero model routed to TorchServe, and a chat function of the same name with one
 * variant, so clients can call either `model_name` or `function_name`. Models without the
 * OpenAI API are served by TorchServe's `/predictions` directly and are not listed.
 *
 * Backend URLs never appear here; the gateway reads them from the environment. The
 * inference cache needs no switch in this file: TensorZero caches per request
 * (`tensorzero::cache_options`) in ClickHouse, or in Valkey when that is configured.
 */
export function gatewayConfigTable(
    namespace: string,
    models: ModelSettings[],
    backends: Partial<Record<GatewayBackend, unknown>>,
    weights?: Record<Track, number>,
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
        config["models"] = Object.fromEntries(
            openAiModels.map((m) => [
                m.name,
                {
                    routing: [TORCHSERVE_PROVIDER],
                    providers: {
                        [TORCHSERVE_PROVIDER]: {
                            type: "openai",
                            api_base: torchserveOpenAiBase(namespace, m),
                            model_name: m.name,
                            // TorchServe's token authorization is off (see torchserveConfig.ts).
                            api_key_location: "none",
                        },
                    },
                },
            ]),
        );
        config["functions"] = Object.fromEntries(
            openAiModels.map((m) => [
                m.name,
                { type: "chat", variants: { [TORCHSERVE_PROVIDER]: { type: "chat_completion", model: m.name } } },
            ]),
        );
    }
    if (weights !== undefined && TRACKS.every((t) => weights[t] > 0) && openAiModels.length > 0) {
        Object.assign(config["models"] as Record<string, unknown>, weightedTrackModels(namespace, openAiModels));
        config["functions"] = Object.fromEntries(openAiModels.map((m) => [m.name, weightedFunction(m, weights)]));
    }
    return config;
}

/**
 * `tensorzero.toml` text for a region; see gatewayConfigTable. Every key must exist in the
 * pinned gateway (images.gateway, 2026.6.0), whose config structs deny unknown fields;
 * test/gateway-keys.test.ts pins each key to its source.
 */
export function renderGatewayConfig(
    namespace: string,
    models: ModelSettings[],
    backends: Partial<Record<GatewayBackend, unknown>>,
    weights?: Record<Track, number>,
): string {
    const config = gatewayConfigTable(namespace, models, backends, weights);
    return `# Rendered by modelfleet from the stack's model list; changes here are overwritten.\n${stringify(config)}\n`;
}

/** The TensorZero model of one track of a model: `<model>-<track>`, through that track's Service. */
export function trackModelName(model: Pick<ModelSettings, "name">, track: Track): string {
    return `${model.name}-${track}`;
}

/** The variant of a model's function that calls one track. */
export function trackVariantName(track: Track): string {
    return `${TORCHSERVE_PROVIDER}-${track}`;
}

function weightedTrackModels(namespace: string, models: ModelSettings[]): Record<string, unknown> {
    return Object.fromEntries(
        models.flatMap((m) =>
            TRACKS.map((track) => [
                trackModelName(m, track),
                {
                    routing: [TORCHSERVE_PROVIDER],
                    providers: {
                        [TORCHSERVE_PROVIDER]: {
                            type: "openai",
                            api_base: `http://${names.torchserveTrack(track)}.${namespace}.svc:${ports.inference}/predictions/${m.name}/${m.version}/v1/`,
                            model_name: m.name,
                            api_key_location: "none",
                        },
                    },
                },
            ]),
        ),
    );
}

/**
 * While both tracks take traffic, a model's function splits its calls by the tracks'
 * weights: one variant per track and TensorZero's static experimentation
 * (`[functions.<f>.experimentation] type = "static"`, `candidate_variants` as a map of
 * variant name to weight; tensorzero-core's StaticExperimentationConfig in 2026.6.0).
 * Calls by `model_name` go to the primary track through the stable Service.
 */
function weightedFunction(m: ModelSettings, weights: Record<Track, number>): Record<string, unknown> {
    return {
        type: "chat",
        variants: Object.fromEntries(
            TRACKS.map((track) => [trackVariantName(track), { type: "chat_completion", model: trackModelName(m, track) }]),
        ),
        experimentation: {
            type: "static",
            candidate_variants: Object.fromEntries(TRACKS.map((track) => [trackVariantName(track), weights[track] / 100])),
        },
    };
}
