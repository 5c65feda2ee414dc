import { ConfigProblem, validateSettings } from "../config";
import { servingNameProblems } from "../config/servingNames";
import { gatewayConfigTable } from "../components/k8s/render/gatewayConfig";
import { configPropertiesEntries, renderModelSyncScript } from "../components/k8s/render/torchserveConfig";
import { fleetConfig, problemsOf, stackSettings } from "./mocks";

type Raw = Record<string, unknown>;

function prodWith(edit: (raw: Raw & { serving: Raw; images: Raw; models: Raw[]; regions: Raw[] }) => void): ConfigProblem[] {
    const raw = stackSettings("prod") as Raw & { serving: Raw; images: Raw; models: Raw[]; regions: Raw[] };
    edit(raw);
    return problemsOf(raw);
}

describe("drain against the longest response timeout", () => {
    test("unset, the drain is the longest responseTimeoutSeconds plus 15 s", () => {
        expect(validateSettings(stackSettings("prod")).serving.torchserve.drainSeconds).toBe(315);
        const shortTimeouts = stackSettings("dev") as Raw & { models: Raw[] };
        shortTimeouts.models = shortTimeouts.models.map((m) => ({ ...m, responseTimeoutSeconds: 120 }));
        expect(validateSettings(shortTimeouts).serving.torchserve.drainSeconds).toBe(135);
    });

    test("a drain shorter than a response timeout plus the margin exits naming the key, the model and the fix", () => {
        const problems = prodWith((raw) => {
            (raw.serving["torchserve"] as Raw)["drainSeconds"] = 60;
        });
        expect(problems).toEqual([
            {
                path: "serving.torchserve.drainSeconds",
                message:
                    "is 60 but models[1].responseTimeoutSeconds (llama3-8b-instruct) is 300: a rollout would cut answers still running; it must be at least 315 (the timeout plus 15 s)",
                fix: "pulumi config set --path 'serving.torchserve.drainSeconds' 315, or remove it to derive it: pulumi config rm --path 'serving.torchserve.drainSeconds'",
            },
        ]);
    });

    test("a drain of exactly the timeout plus the margin, or longer, passes and is kept", () => {
        for (const drain of [315, 400]) {
            const raw = stackSettings("prod") as Raw & { serving: Raw };
            (raw.serving["torchserve"] as Raw)["drainSeconds"] = drain;
            expect(validateSettings(raw).serving.torchserve.drainSeconds).toBe(drain);
        }
    });
});

describe("OpenAI models need the vLLM image", () => {
    test("an OpenAI model without the LLM image digest exits naming images.torchserveLlmDigest", () => {
        const problems = prodWith((raw) => {
            delete raw.images["torchserveLlmDigest"];
        });
        expect(problems.map((p) => p.path)).toEqual([
            "images.torchserveLlmDigest",
            "images.torchserveLlmDigest",
            "images.torchserveLlmDigest",
        ]);
        expect(problems[0].message).toBe(
            "is not set but region use1 serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track blue would run without it",
        );
        expect(problems[0].fix).toMatch(/serving\/llm\/Dockerfile.*pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>$/);
    });

    test("a per-track digest on only one track still refuses the other track", () => {
        const problems = prodWith((raw) => {
            delete raw.images["torchserveLlmDigest"];
            raw.serving["tracks"] = { blue: { torchserveLlmDigest: `sha256:${"a".repeat(64)}` }, green: {} };
        });
        expect(problems[0].message).toMatch(/track green would run without it$/);
    });

    test("without OpenAI models no digest is needed", () => {
        const problems = prodWith((raw) => {
            delete raw.images["torchserveLlmDigest"];
            raw.models = raw.models.map((m) => ({ ...m, openai: false }));
        });
        expect(problems).toEqual([]);
    });

    test("a digest that is not sha256:<64 hex> is refused by shape", () => {
        const problems = prodWith((raw) => {
            raw.images["torchserveLlmDigest"] = "latest";
        });
        expect(problems.map((p) => p.path)).toEqual(["images.torchserveLlmDigest"]);
    });

    test("an edge cluster serving an OpenAI model needs a pull secret, and passes with one", () => {
        const edgeServesLlm = (raw: Raw & { regions: Raw[] }) => {
            raw.regions[3]["models"] = ["resnet50", "llama3-8b-instruct"];
        };
        expect(prodWith(edgeServesLlm).map((p) => p.path)).toEqual(["edgeImagePullSecrets.edge-muc"]);
        expect(
            prodWith((raw) => {
                edgeServesLlm(raw);
                raw["edgeImagePullSecrets"] = { "edge-muc": '{"auths":{"111122223333.dkr.ecr.eu-west-1.amazonaws.com":{"auth":"x"}}}' };
            }),
        ).toEqual([]);
        expect(
            prodWith((raw) => {
                edgeServesLlm(raw);
                raw["edgeImagePullSecrets"] = { "edge-muc": "not json" };
            }).map((p) => p.path),
        ).toEqual(["edgeImagePullSecrets.edge-muc", "edgeImagePullSecrets.edge-muc"]);
    });
});

describe("names line up across archive, TorchServe and TensorZero", () => {
    // Built in each test, not while the file loads: a mutation run ties the config code this
    // runs to the test that ran it only then.
    const prodConfig = () => fleetConfig(stackSettings("prod"));
    const servedModels = () => prodConfig().models.map((model, index) => ({ index, model }));
    const rendered = () => {
        const prod = prodConfig();
        const props = new Map(configPropertiesEntries(prod.models, prod.serving.torchserve));
        return {
            loadModels: String(props.get("load_models")),
            modelsJson: String(props.get("models")),
            gateway: gatewayConfigTable("modelfleet", prod.models, {}),
            syncScript: renderModelSyncScript("s3", prod.models),
        };
    };

    test("the rendered configs of the committed stack agree", () => {
        expect(servingNameProblems(servedModels(), rendered())).toEqual([]);
    });

    test("a provider model_name other than the TorchServe name is named by the model's key", () => {
        const r = rendered();
        const models = r.gateway["models"] as Record<string, { providers: Record<string, Record<string, unknown>> }>;
        models["llama3-8b-instruct"].providers["torchserve"]["model_name"] = "llama3";
        expect(servingNameProblems(servedModels(), r).map((p) => `${p.path}: ${p.message}`)).toEqual([
            "models[1].name: 'llama3-8b-instruct': TensorZero's provider sends model_name 'llama3'",
        ]);
    });

    test("an archive loaded under another name, and a sync to another file, are each named", () => {
        const r = rendered();
        r.loadModels = r.loadModels.replace("resnet50=resnet50.mar", "resnet50=resnet.mar");
        r.syncScript = r.syncScript.replace("/model-store/resnet50.mar", "/model-store/resnet.mar");
        expect(servingNameProblems(servedModels(), r).map((p) => `${p.path}: ${p.message}`)).toEqual([
            "models[0].name: 'resnet50': TorchServe's load_models loads 'resnet.mar' under this name, not 'resnet50.mar'",
            `models[0].name: 'resnet50': the model-sync script does not copy "models/resnet50/1.0/resnet50.mar" into the model store as resnet50.mar`,
        ]);
    });

    test("a gateway model TorchServe does not serve is reported", () => {
        const r = rendered();
        (r.gateway["models"] as Record<string, unknown>)["mistral-7b"] = { routing: [], providers: {} };
        expect(servingNameProblems(servedModels(), r).map((p) => p.message)).toEqual([
            "TensorZero lists model 'mistral-7b', which TorchServe does not serve in this region",
        ]);
    });
});
