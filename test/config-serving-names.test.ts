/**
 * A model's name must agree across the archive, TorchServe's config, the model-sync script
 * and TensorZero's tables; each disagreement is named by the model's key.
 */
import { validateSettings } from "../config";
import { RenderedServing, servingNameProblems } from "../config/servingNames";
import { stackSettings } from "./mocks";

const FIX = "a model's name must be the same in the archive, TorchServe and TensorZero; publish the archive as docs/model-store.md says";
// prod: resnet50 1.0 (no OpenAI API) and llama3-8b-instruct 2024-07-18 (openai: true).
// Parsed in each test, not when the file loads, so the config code it runs counts as that
// test's (a mutation run cannot tie code run at load time to any test).
const prodModels = () => validateSettings(stackSettings("prod")).models.map((model, index) => ({ index, model }));

const provider = (modelName: string, base: string) => ({ type: "openai", api_base: base, model_name: modelName, api_key_location: "none" });
const LLAMA_BASE = "http://torchserve.modelfleet.svc:8080/predictions/llama3-8b-instruct/2024-07-18/v1/";

/** A TensorZero model or function table entry. */
type Entry = { type?: string; routing?: string[]; providers?: Record<string, unknown>; variants?: Record<string, unknown> };

/** The configs as the renderers write them for prod, as literal text. */
function rendered(): RenderedServing & { gateway: { models: Record<string, Entry>; functions: Record<string, Entry> } } {
    return {
        loadModels: "resnet50=resnet50.mar,llama3-8b-instruct=llama3-8b-instruct.mar",
        modelsJson: JSON.stringify({
            resnet50: { "1.0": { defaultVersion: true, marName: "resnet50.mar" } },
            "llama3-8b-instruct": { "2024-07-18": { defaultVersion: true, marName: "llama3-8b-instruct.mar" } },
        }),
        gateway: {
            models: {
                "llama3-8b-instruct": { routing: ["torchserve"], providers: { torchserve: provider("llama3-8b-instruct", LLAMA_BASE) } },
            },
            functions: {
                "llama3-8b-instruct": { type: "chat", variants: { torchserve: { type: "chat_completion", model: "llama3-8b-instruct" } } },
            },
        },
        syncScript: [
            "set -eu",
            'fetch "models/resnet50/1.0/resnet50.mar" "/home/model-server/model-store/resnet50.mar"',
            'fetch "models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar" "/home/model-server/model-store/llama3-8b-instruct.mar"',
            'ls -l "/home/model-server/model-store"',
        ].join("\n"),
    };
}

const messages = (r: RenderedServing) => servingNameProblems(prodModels(), r).map((p) => `${p.path}: ${p.message}`);

describe("serving names", () => {
    test("configs that agree pass, and every problem carries the same fix", () => {
        expect(servingNameProblems(prodModels(), rendered())).toEqual([]);
        const r = rendered();
        r.loadModels = "";
        expect(servingNameProblems(prodModels(), r).map((p) => p.fix)).toEqual([FIX, FIX]);
    });

    test("nothing loaded names each model once, and no empty name is invented", () => {
        const r = rendered();
        r.loadModels = "";
        expect(messages(r)).toEqual([
            "models[0].name: 'resnet50': TorchServe's load_models loads 'nothing' under this name, not 'resnet50.mar'",
            "models[1].name: 'llama3-8b-instruct': TorchServe's load_models loads 'nothing' under this name, not 'llama3-8b-instruct.mar'",
        ]);
    });

    test("a load_models entry is split at its first '='; an entry for a model the stack lacks is named", () => {
        const r = rendered();
        r.loadModels = "resnet50=resnet50.mar,llama3-8b-instruct=llama3-8b-instruct.mar,mistral=mistral.mar";
        expect(messages(r)).toEqual(["models: TorchServe loads model 'mistral', which the stack does not list for this region"]);
        r.loadModels = "resnet50=resnet50.mar=x,llama3-8b-instruct=llama3-8b-instruct.mar";
        expect(messages(r)).toEqual([
            "models[0].name: 'resnet50': TorchServe's load_models loads 'resnet50.mar=x' under this name, not 'resnet50.mar'",
        ]);
    });

    test("a models JSON that does not parse is one problem, and each model's entry is then missing", () => {
        const r = rendered();
        r.modelsJson = "{not json";
        expect(servingNameProblems(prodModels(), r)[0]).toEqual({
            path: "models",
            message: "render as TorchServe's `models` JSON failed",
            fix: FIX,
        });
        expect(messages(r)).toEqual([
            "models: render as TorchServe's `models` JSON failed",
            "models[0].name: 'resnet50': TorchServe's models entry for version 1.0 names archive 'undefined', not 'resnet50.mar'",
            "models[1].name: 'llama3-8b-instruct': TorchServe's models entry for version 2024-07-18 names archive 'undefined', not 'llama3-8b-instruct.mar'",
        ]);
    });

    test("a models JSON that is a list, or an entry that is not an object, counts as no entry", () => {
        const r = rendered();
        r.modelsJson = JSON.stringify([{ resnet50: { "1.0": { marName: "resnet50.mar" } } }]);
        expect(messages(r)).toEqual([
            "models[0].name: 'resnet50': TorchServe's models entry for version 1.0 names archive 'undefined', not 'resnet50.mar'",
            "models[1].name: 'llama3-8b-instruct': TorchServe's models entry for version 2024-07-18 names archive 'undefined', not 'llama3-8b-instruct.mar'",
        ]);
        r.modelsJson = JSON.stringify({
            resnet50: null,
            "llama3-8b-instruct": { "2024-07-18": { marName: "llama3.mar" } },
        });
        expect(messages(r)).toEqual([
            "models[0].name: 'resnet50': TorchServe's models entry for version 1.0 names archive 'undefined', not 'resnet50.mar'",
            "models[1].name: 'llama3-8b-instruct': TorchServe's models entry for version 2024-07-18 names archive 'llama3.mar', not 'llama3-8b-instruct.mar'",
        ]);
    });

    test("the sync script must fetch the model's own object into a file of the archive's name", () => {
        const r = rendered();
        r.syncScript = [
            'fetch "models/resnet50/1.0/resnet50.mar" "/home/model-server/model-store/resnet50.mar.tmp"',
            ' fetch "models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar" "/home/model-server/model-store/llama3-8b-instruct.mar"',
        ].join("\n");
        expect(messages(r)).toEqual([
            `models[0].name: 'resnet50': the model-sync script does not copy "models/resnet50/1.0/resnet50.mar" into the model store as resnet50.mar`,
            `models[1].name: 'llama3-8b-instruct': the model-sync script does not copy "models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar" into the model store as llama3-8b-instruct.mar`,
        ]);
        r.syncScript =
            'fetch "models/resnet50/1.0/resnet50.mar"\nfetch "models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar" "/x/llama3-8b-instruct.mar"';
        expect(messages(r)).toEqual([
            `models[0].name: 'resnet50': the model-sync script does not copy "models/resnet50/1.0/resnet50.mar" into the model store as resnet50.mar`,
        ]);
    });

    test("a model without an OpenAI API must not be in TensorZero", () => {
        const r = rendered();
        r.gateway.models["resnet50"] = { routing: ["torchserve"], providers: {} };
        expect(messages(r)).toEqual([
            "models[0].name: 'resnet50': TensorZero lists it, but it has no OpenAI-compatible API (openai: false)",
        ]);
    });

    test("an OpenAI model needs a TensorZero model and function of its name", () => {
        const r = rendered();
        r.gateway.models = {};
        r.gateway.functions = {};
        expect(messages(r)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero has no model of this name",
            "models[1].name: 'llama3-8b-instruct': TensorZero has no function of this name",
        ]);
        const tables = rendered();
        (tables as RenderedServing).gateway = { models: [], functions: "x" };
        expect(messages(tables)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero has no model of this name",
            "models[1].name: 'llama3-8b-instruct': TensorZero has no function of this name",
        ]);
    });

    test("each provider must send the TorchServe name to the model's own versioned route", () => {
        const r = rendered();
        r.gateway.models["llama3-8b-instruct"].providers = {
            a: provider("llama3", LLAMA_BASE),
            b: provider("llama3-8b-instruct", "http://torchserve.modelfleet.svc:8080/predictions/llama3-8b-instruct/2024-07-17/v1/"),
            c: provider("llama3-8b-instruct", "http://torchserve:8080/x/predictions/llama3-8b-instruct/2024-07-18/v1/chat"),
        };
        expect(messages(r)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero's provider sends model_name 'llama3'",
            "models[1].name: 'llama3-8b-instruct': TensorZero's provider api_base 'http://torchserve.modelfleet.svc:8080/predictions/llama3-8b-instruct/2024-07-17/v1/' is not /predictions/llama3-8b-instruct/2024-07-18/v1/",
        ]);
    });

    test("function variants may call the model or its track models, nothing else", () => {
        const r = rendered();
        r.gateway.functions["llama3-8b-instruct"].variants = {
            blue: { type: "chat_completion", model: "llama3-8b-instruct-blue" },
            green: { type: "chat_completion", model: "llama3-8b-instruct-green" },
            other: { type: "chat_completion", model: "resnet50" },
            red: { type: "chat_completion", model: "llama3-8b-instruct-red" },
        };
        r.gateway.models["llama3-8b-instruct-blue"] = { providers: { torchserve: provider("llama3-8b-instruct", LLAMA_BASE) } };
        r.gateway.models["llama3-8b-instruct-green"] = { providers: { torchserve: provider("llama3-8b-instruct", LLAMA_BASE) } };
        expect(messages(r)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero's function variant calls model 'resnet50'",
            "models[1].name: 'llama3-8b-instruct': TensorZero's function variant calls model 'llama3-8b-instruct-red'",
        ]);
    });

    test("a track model's providers must send the TorchServe name too", () => {
        const r = rendered();
        r.gateway.models["llama3-8b-instruct-blue"] = { providers: { torchserve: provider("llama3-blue", LLAMA_BASE) } };
        r.gateway.models["llama3-8b-instruct-green"] = { providers: { torchserve: provider("llama3-green", LLAMA_BASE) } };
        expect(messages(r)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero's provider of track blue sends model_name 'llama3-blue'",
            "models[1].name: 'llama3-8b-instruct': TensorZero's provider of track green sends model_name 'llama3-green'",
        ]);
    });

    test("a TensorZero model for no served model or track is named", () => {
        const r = rendered();
        r.gateway.models["resnet50-blue"] = { providers: {} };
        r.gateway.models["llama3-8b-instruct-red"] = { providers: {} };
        r.gateway.models["mistral"] = { providers: {} };
        expect(servingNameProblems(prodModels(), r)).toEqual([
            {
                path: "models",
                message: "TensorZero lists model 'llama3-8b-instruct-red', which TorchServe does not serve in this region",
                fix: FIX,
            },
            { path: "models", message: "TensorZero lists model 'mistral', which TorchServe does not serve in this region", fix: FIX },
        ]);
    });

    test("only the region's own models are checked", () => {
        const r = rendered();
        r.loadModels = "resnet50=resnet50.mar";
        r.gateway.models = {};
        r.gateway.functions = {};
        expect(servingNameProblems([prodModels()[0]], r)).toEqual([]);
        expect(servingNameProblems([], { loadModels: "", modelsJson: "{}", gateway: {}, syncScript: "" })).toEqual([]);
    });
});
