/**
 * What the end-to-end run takes from the offline plan's manifests: the region's TorchServe
 * `config.properties`, `tensorzero.toml`, the TorchServe container's command and env, and
 * the model-sync init container's script and env.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";

export interface ContainerSpec {
    command: string[];
    args: string[];
    env: Record<string, string>;
}

export interface ServedModel {
    name: string;
    version: string;
    batchSize: number;
    minWorkers: number;
    /** Routed by the gateway to TorchServe's OpenAI-compatible route. */
    openai: boolean;
}

export interface RenderedRegion {
    configProperties: string;
    tensorzeroToml: string;
    torchserve: ContainerSpec;
    modelSync: ContainerSpec;
    /** The model-sync script (`sh -c` argument), verbatim. */
    modelSyncScript: string;
    models: ServedModel[];
    /** Gateway functions that route to a TorchServe model, by model name. */
    gatewayFunctions: Record<string, string>;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readManifest(dir: string, file: string): Obj {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new Error(`the plan wrote no ${full}`);
    const doc: unknown = parseYaml(fs.readFileSync(full, "utf8"));
    if (!isObj(doc)) throw new Error(`${full} is not a Kubernetes object`);
    return doc;
}

function get(value: unknown, keys: readonly (string | number)[], where: string): unknown {
    let current = value;
    for (const key of keys) {
        if (typeof key === "number" ? !Array.isArray(current) : !isObj(current)) throw new Error(`${where}: no ${keys.join(".")}`);
        current = (current as Record<string | number, unknown>)[key];
    }
    if (current === undefined) throw new Error(`${where}: no ${keys.join(".")}`);
    return current;
}

function strings(value: unknown, where: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`${where} is not a list of strings`);
    return value as string[];
}

function container(value: unknown, where: string): ContainerSpec {
    if (!isObj(value)) throw new Error(`${where} is not a container`);
    const env: Record<string, string> = {};
    for (const entry of Array.isArray(value.env) ? value.env : []) {
        // Values from Secrets (valueFrom) are not rendered; the run supplies none of them.
        if (isObj(entry) && typeof entry.name === "string" && typeof entry.value === "string") env[entry.name] = entry.value;
    }
    return { command: strings(value.command, `${where}.command`), args: strings(value.args, `${where}.args`), env };
}

function propertiesValue(text: string, key: string): string {
    const line = text.split("\n").find((l) => l.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`config.properties has no ${key}`);
    return line.slice(key.length + 1);
}

export function readRenderedRegion(manifestsDir: string): RenderedRegion {
    const tsConfigMap = readManifest(manifestsDir, "configmap-modelfleet-torchserve-config.yaml");
    const configProperties = String(get(tsConfigMap, ["data", "config.properties"], "torchserve-config"));
    const tzConfigMap = readManifest(manifestsDir, "configmap-modelfleet-tensorzero-config.yaml");
    const tensorzeroToml = String(get(tzConfigMap, ["data", "tensorzero.toml"], "tensorzero-config"));

    // The track the stable Service sends traffic to is the one that serves.
    const service = readManifest(manifestsDir, "service-modelfleet-torchserve.yaml");
    const track = String(get(service, ["spec", "selector", "modelfleet.io/track"], "service torchserve"));
    const deploymentFile = `deployment-modelfleet-torchserve-${track}.yaml`;
    const deployment = readManifest(manifestsDir, deploymentFile);
    const containers = get(deployment, ["spec", "template", "spec", "containers"], deploymentFile);
    const initContainers = get(deployment, ["spec", "template", "spec", "initContainers"], deploymentFile);
    if (!Array.isArray(containers) || !Array.isArray(initContainers)) throw new Error(`${deploymentFile}: containers are not lists`);
    const server = containers.find((c) => isObj(c) && c.name === "torchserve");
    const sync = initContainers.find((c) => isObj(c) && c.name === "model-sync");
    const torchserve = container(server, `${deploymentFile} container torchserve`);
    const modelSync = container(sync, `${deploymentFile} init container model-sync`);
    const shell = [...modelSync.command, ...modelSync.args];
    const scriptIndex = shell.indexOf("-c") + 1;
    if (scriptIndex === 0 || scriptIndex >= shell.length) throw new Error(`${deploymentFile}: model-sync is not 'sh -c SCRIPT'`);

    const modelsJson: unknown = JSON.parse(propertiesValue(configProperties, "models"));
    const toml: unknown = parseToml(tensorzeroToml);
    const gatewayFunctions: Record<string, string> = {};
    const openaiModels = new Set<string>();
    const tomlModels = isObj(toml) && isObj(toml.models) ? toml.models : {};
    const tomlFunctions = isObj(toml) && isObj(toml.functions) ? toml.functions : {};
    for (const [modelKey, model] of Object.entries(tomlModels)) {
        const providers = isObj(model) && isObj(model.providers) ? model.providers : {};
        for (const provider of Object.values(providers)) {
            if (isObj(provider) && typeof provider.model_name === "string") openaiModels.add(provider.model_name);
        }
        for (const [functionName, fn] of Object.entries(tomlFunctions)) {
            const variants = isObj(fn) && isObj(fn.variants) ? fn.variants : {};
            if (Object.values(variants).some((v) => isObj(v) && v.model === modelKey)) gatewayFunctions[modelKey] = functionName;
        }
    }
    const models: ServedModel[] = [];
    if (!isObj(modelsJson)) throw new Error("config.properties models= is not a JSON object");
    for (const [name, versions] of Object.entries(modelsJson)) {
        if (!isObj(versions)) continue;
        for (const [version, settings] of Object.entries(versions)) {
            if (!isObj(settings)) continue;
            models.push({
                name,
                version,
                batchSize: Number(settings.batchSize ?? 1),
                minWorkers: Number(settings.minWorkers ?? 1),
                openai: openaiModels.has(name),
            });
        }
    }
    return {
        configProperties,
        tensorzeroToml,
        torchserve,
        modelSync,
        modelSyncScript: shell[scriptIndex],
        models,
        gatewayFunctions,
    };
}
