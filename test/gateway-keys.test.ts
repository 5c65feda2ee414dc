import { parse } from "smol-toml";
import { gatewayBackendEnv, renderGatewayConfig } from "../components/k8s/render/gatewayConfig";
import { healthPaths } from "../components/k8s/render/traffic";
import { defaults } from "../config/defaults";
import { fleetConfig, stackSettings } from "./mocks";

// Every key rendered into tensorzero.toml, pinned to where the pinned gateway release reads
// it. Source: the tensorzero 2026.6.0 source distribution on the Python package index (the
// same release as the gateway image), crates under its root. Its config structs carry
// #[serde(deny_unknown_fields)], so an unknown key stops the gateway at start-up.
const TZ = "tensorzero 2026.6.0";
const KEYS: Record<string, string> = {
    "gateway.bind_address": `${TZ} tensorzero-core/src/config/gateway.rs:169 UninitializedGatewayConfig.bind_address (deny_unknown_fields, :162)`,
    "gateway.disable_pseudonymous_usage_analytics": `${TZ} tensorzero-core/src/config/gateway.rs:185 UninitializedGatewayConfig.disable_pseudonymous_usage_analytics`,
    "gateway.observability.enabled": `${TZ} tensorzero-core/src/config/mod.rs:509 ObservabilityConfig.enabled (deny_unknown_fields, :502)`,
    "models.<model>.routing": `${TZ} tensorzero-core/src/model.rs:132 UninitializedModelConfig.routing (deny_unknown_fields, :130)`,
    "models.<model>.providers.<provider>.type": `${TZ} tensorzero-core/src/model.rs:1724 UninitializedProviderConfig #[serde(tag = "type", rename_all = "lowercase")] -> "openai"`,
    "models.<model>.providers.<provider>.api_base": `${TZ} tensorzero-core/src/model.rs:1845 UninitializedProviderConfig::OpenAI.api_base`,
    "models.<model>.providers.<provider>.model_name": `${TZ} tensorzero-core/src/model.rs:1844 UninitializedProviderConfig::OpenAI.model_name`,
    "models.<model>.providers.<provider>.api_key_location": `${TZ} tensorzero-core/src/model.rs:1847 UninitializedProviderConfig::OpenAI.api_key_location; "none" in tensorzero-inference-types/src/credentials.rs:47`,
    "functions.<function>.type": `${TZ} tensorzero-core/src/config/mod.rs:2477 UninitializedFunctionConfig #[serde(tag = "type", rename_all = "lowercase")] -> "chat"`,
    "functions.<function>.variants.<variant>.type": `${TZ} tensorzero-core/src/config/mod.rs:2977 UninitializedVariantConfig #[serde(tag = "type", rename_all = "snake_case")] -> "chat_completion"`,
    "functions.<function>.variants.<variant>.model": `${TZ} tensorzero-core/src/variant/chat_completion/mod.rs:239 UninitializedChatCompletionConfig.model (deny_unknown_fields, :236)`,
};

/** Dotted key paths of a TOML table, with the names the stack chooses replaced by placeholders. */
function keyPaths(table: Record<string, unknown>, prefix: string[] = []): string[] {
    const placeholder: Record<string, string> = {
        models: "<model>",
        functions: "<function>",
        providers: "<provider>",
        variants: "<variant>",
    };
    return Object.entries(table).flatMap(([key, value]) => {
        const parent = prefix[prefix.length - 1];
        const name = parent !== undefined && placeholder[parent] !== undefined && prefix.length % 2 === 1 ? placeholder[parent] : key;
        const at = [...prefix, name];
        return typeof value === "object" && value !== null && !Array.isArray(value)
            ? keyPaths(value as Record<string, unknown>, at)
            : [at.join(".")];
    });
}

describe("tensorzero.toml keys against the pinned gateway", () => {
    const prod = fleetConfig(stackSettings("prod"));

    test("the gateway image and the release the keys were checked against are the same", () => {
        expect(defaults.images.gateway).toBe("tensorzero/gateway:2026.6.0");
        expect(prod.images.gateway).toBe("tensorzero/gateway:2026.6.0");
    });

    test("every rendered key is one the release reads, each cited", () => {
        const rendered = keyPaths(parse(renderGatewayConfig("modelfleet", prod.models, { clickhouseUrl: "http://c" })));
        expect([...new Set(rendered)].sort()).toEqual(Object.keys(KEYS).sort());
    });

    test("the key walk sees a key the release does not have", () => {
        const withUnknown = { gateway: { bind_address: "0.0.0.0:3000", enable_template_filesystem_access: true } };
        expect(keyPaths(withUnknown).filter((k) => KEYS[k] === undefined)).toEqual(["gateway.enable_template_filesystem_access"]);
    });

    test("backend URLs come from the environment variables the release reads (tensorzero-core/src/utils/gateway.rs:505-507)", () => {
        expect(gatewayBackendEnv).toEqual({
            clickhouseUrl: "TENSORZERO_CLICKHOUSE_URL",
            postgresUrl: "TENSORZERO_POSTGRES_URL",
            valkeyUrl: "TENSORZERO_VALKEY_URL",
        });
    });

    // The routes live in the gateway binary's crate, which the source distribution leaves
    // out: crates/gateway/src/routes/external.rs:179-180 (`/status`, `/health`) at tag
    // 2026.4.1, the newest tag of the repository; their handlers are in 2026.6.0's
    // tensorzero-core/src/endpoints/status.rs (status_handler, health_handler).
    test("the health tool and the Ingress probe the gateway's /health route", () => {
        expect(healthPaths.gateway).toBe("/health");
    });
});
