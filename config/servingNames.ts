import type { ConfigProblem } from "./errors";
import type { ModelSettings } from "./schema";

/** What a region's rendered serving configs say about its models, as the renderers produced them. */
export interface RenderedServing {
    /** config.properties `load_models`: `name=archive.mar,...`. */
    loadModels: string;
    /** config.properties `models`: the per-model JSON, name → version → settings. */
    modelsJson: string;
    /** tensorzero.toml as a table (parsed). */
    gateway: Record<string, unknown>;
    /** The model-sync init container's script. */
    syncScript: string;
}

/** The blue-green tracks; a split of traffic gives each model a TensorZero model per track, `<name>-<track>`. */
const TRACK_NAMES = ["blue", "green"] as const;

const record = (v: unknown): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The model name must be the same everywhere a request passes: the archive the init
 * container copies (`models/<name>/<version>/<name>.mar` into `<name>.mar`), the name
 * TorchServe registers it under (`load_models`, `models`), and for OpenAI-compatible models
 * the TensorZero model, its provider's `model_name` (the handler refuses any other) and the
 * `/predictions/<name>/<version>/v1/` base. Each disagreement names the model's key.
 */
export function servingNameProblems(models: Array<{ index: number; model: ModelSettings }>, rendered: RenderedServing): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const fix =
        "a model's name must be the same in the archive, TorchServe and TensorZero; publish the archive as docs/model-store.md says";
    const loaded = new Map(
        rendered.loadModels
            .split(",")
            .filter((e) => e !== "")
            .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as const),
    );
    let perModel: Record<string, unknown> = {};
    try {
        perModel = record(JSON.parse(rendered.modelsJson));
    } catch {
        problems.push({ path: "models", message: "render as TorchServe's `models` JSON failed", fix });
    }
    const gatewayModels = record(rendered.gateway["models"]);
    const functions = record(rendered.gateway["functions"]);
    const served = new Set(models.flatMap(({ model }) => [model.name, ...TRACK_NAMES.map((t) => `${model.name}-${t}`)]));

    for (const { index, model } of models) {
        const at = `models[${index}].name`;
        const archive = `${model.name}.mar`;
        const add = (message: string) => problems.push({ path: at, message: `'${model.name}': ${message}`, fix });
        if (loaded.get(model.name) !== archive)
            add(`TorchServe's load_models loads '${loaded.get(model.name) ?? "nothing"}' under this name, not '${archive}'`);
        const version = record(record(perModel[model.name])[model.version]);
        if (version["marName"] !== archive)
            add(`TorchServe's models entry for version ${model.version} names archive '${String(version["marName"])}', not '${archive}'`);
        const source = `"models/${model.name}/${model.version}/${archive}"`;
        const fetch = rendered.syncScript.split("\n").find((line) => line.startsWith(`fetch ${source} `));
        if (fetch === undefined || !fetch.endsWith(`/${archive}"`))
            add(`the model-sync script does not copy ${source} into the model store as ${archive}`);
        if (!model.openai) {
            if (gatewayModels[model.name] !== undefined) add("TensorZero lists it, but it has no OpenAI-compatible API (openai: false)");
            continue;
        }
        const providers = Object.values(record(record(gatewayModels[model.name])["providers"])).map(record);
        if (providers.length === 0) add("TensorZero has no model of this name");
        for (const p of providers) {
            if (p["model_name"] !== model.name) add(`TensorZero's provider sends model_name '${String(p["model_name"])}'`);
            if (!String(p["api_base"]).includes(`/predictions/${model.name}/${model.version}/v1/`))
                add(`TensorZero's provider api_base '${String(p["api_base"])}' is not /predictions/${model.name}/${model.version}/v1/`);
        }
        const variants = Object.values(record(record(functions[model.name])["variants"])).map(record);
        if (variants.length === 0) add("TensorZero has no function of this name");
        const ownModels = [model.name, ...TRACK_NAMES.map((t) => `${model.name}-${t}`)];
        for (const v of variants)
            if (!ownModels.includes(String(v["model"]))) add(`TensorZero's function variant calls model '${String(v["model"])}'`);
        for (const t of TRACK_NAMES) {
            for (const p of Object.values(record(record(gatewayModels[`${model.name}-${t}`])["providers"])).map(record)) {
                if (p["model_name"] !== model.name)
                    add(`TensorZero's provider of track ${t} sends model_name '${String(p["model_name"])}'`);
            }
        }
    }
    for (const name of Object.keys(gatewayModels).filter((n) => !served.has(n))) {
        problems.push({ path: "models", message: `TensorZero lists model '${name}', which TorchServe does not serve in this region`, fix });
    }
    for (const name of [...loaded.keys()].filter((n) => !served.has(n))) {
        problems.push({ path: "models", message: `TorchServe loads model '${name}', which the stack does not list for this region`, fix });
    }
    return problems;
}
