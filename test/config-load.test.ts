/**
 * validateSettings and loadConfig around the schema: unknown top-level keys, where secret
 * values are stored, the shape of the secret keys, the stack's environment, what
 * resolveConfig adds, and what loadConfig reads from the engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatProblem, loadConfig, resolveConfig, settingsWarnings, validateSettings, type ValidateOptions } from "../config";
import { promiseOf, stackSettings, useMocks } from "./mocks";

/** The problem lines of raw settings under options; [] when they validate. */
function lines(raw: Record<string, unknown>, options: ValidateOptions = {}): string[] {
    try {
        validateSettings(raw, options);
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems.map(formatProblem);
        throw err;
    }
}

const prod = (edit: (raw: Record<string, unknown>) => void = () => undefined) => {
    const raw = stackSettings("prod");
    edit(raw);
    return raw;
};
const dev = (edit: (raw: Record<string, unknown>) => void = () => undefined) => {
    const raw = stackSettings("dev");
    edit(raw);
    return raw;
};

describe("top-level keys", () => {
    test("an unknown key is named with the nearest known key, or without one", () => {
        expect(lines(dev((raw) => (raw["servng"] = { domain: "x" })))).toEqual([
            "modelfleet:servng is not a known key (did you mean serving?); fix: rename it to serving, or remove it: pulumi config rm 'modelfleet:servng'",
        ]);
        expect(lines(dev((raw) => (raw["kubeconfig"] = {})))).toEqual([
            "modelfleet:kubeconfig is not a known key (did you mean kubeconfigs?); fix: rename it to kubeconfigs, or remove it: pulumi config rm 'modelfleet:kubeconfig'",
        ]);
        expect(lines(dev((raw) => (raw["zzzzzzzzzzzz"] = 1)))).toEqual([
            "modelfleet:zzzzzzzzzzzz is not a known key; fix: check the spelling, or remove it: pulumi config rm 'modelfleet:zzzzzzzzzzzz'",
        ]);
    });

    test("shape problems stop before the cross-field rules, after the key and secret problems", () => {
        expect(
            lines(
                dev((raw) => {
                    raw["extra"] = true;
                    raw["kubeconfigs"] = "text";
                    (raw["models"] as Array<Record<string, unknown>>)[0]["batchSize"] = "many";
                    (raw["models"] as Array<Record<string, unknown>>)[1]["name"] = "resnet50";
                }),
            ),
        ).toEqual([
            "modelfleet:extra is not a known key; fix: check the spelling, or remove it: pulumi config rm 'modelfleet:extra'",
            "modelfleet:kubeconfigs must be an object keyed by region name; fix: pulumi config set --secret --path 'kubeconfigs.<region>' <value>",
            `modelfleet:models[0].batchSize must be a number, got string "many"; fix: pulumi config set --path 'models[0].batchSize' <value>`,
        ]);
    });
});

describe("where values are stored", () => {
    const secretPaths = (paths: string[]) => (path: string) => paths.some((p) => path === p || path.startsWith(`${p}.`));

    test("every text under a secret key must be encrypted; encrypted ones pass", () => {
        expect(lines(prod(), { isSecure: secretPaths(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends"]) })).toEqual([]);
        expect(lines(prod(), { isSecure: secretPaths(["kubeconfigs.edge-muc", "gatewayBackends"]) })).toEqual([
            "modelfleet:edgeStoreCredentials.edge-muc.accessKeyId is stored in plain text, and would be committed with the stack file; it must be encrypted; fix: pulumi config set --secret --path 'edgeStoreCredentials.edge-muc.accessKeyId' <value>",
            "modelfleet:edgeStoreCredentials.edge-muc.secretAccessKey is stored in plain text, and would be committed with the stack file; it must be encrypted; fix: pulumi config set --secret --path 'edgeStoreCredentials.edge-muc.secretAccessKey' <value>",
        ]);
    });

    test("plain settings may be stored in plain text", () => {
        expect(
            lines(prod(), { isSecure: secretPaths(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends"]), cannotDecrypt: true }),
        ).toEqual([]);
    });

    test("without a secrets provider an encrypted plain setting is reported once, at the encrypted key", () => {
        expect(
            lines(prod(), {
                isSecure: secretPaths(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends", "serving.domain", "regions[3]"]),
                cannotDecrypt: true,
            }),
        ).toEqual([
            "modelfleet:regions[3] is encrypted, and the offline plan has no secrets provider to read it (pulumi preview and up read it and keep it secret); fix: plan a copy of the stack file that holds the value of 'pulumi config get --path regions[3]' in plain text",
            "modelfleet:serving.domain is encrypted, and the offline plan has no secrets provider to read it (pulumi preview and up read it and keep it secret); fix: plan a copy of the stack file that holds the value of 'pulumi config get --path serving.domain' in plain text",
        ]);
        // With the secrets provider the same stack loads.
        expect(
            lines(prod(), { isSecure: secretPaths(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends", "serving.domain"]) }),
        ).toEqual([]);
    });

    test("a secret key's number or list entries are walked, and only text must be encrypted", () => {
        expect(
            lines(
                prod((raw) => (raw["gatewayBackends"] = { clickhouseUrl: "[secret]", postgresUrl: 5432 })),
                { isSecure: secretPaths(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends.clickhouseUrl"]) },
            ),
        ).toEqual([
            "modelfleet:gatewayBackends.postgresUrl must be a URL string; fix: pulumi config set --secret --path 'gatewayBackends.postgresUrl' <url>",
        ]);
        expect(
            lines(
                prod((raw) => (raw["kubeconfigs"] = ["a"])),
                { isSecure: secretPaths(["edgeStoreCredentials", "gatewayBackends"]) },
            ),
        ).toEqual([
            "modelfleet:kubeconfigs[0] is stored in plain text, and would be committed with the stack file; it must be encrypted; fix: pulumi config set --secret --path 'kubeconfigs[0]' <value>",
            "modelfleet:kubeconfigs must be an object keyed by region name; fix: pulumi config set --secret --path 'kubeconfigs.<region>' <value>",
            "modelfleet:kubeconfigs.edge-muc is missing: region edge-muc is an existing cluster and needs its kubeconfig; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' \"$(cat kubeconfig.yaml)\"",
        ]);
    });
});

describe("the shape of the secret keys", () => {
    test("each secret key must be an object keyed by region name", () => {
        for (const bad of ["text", null, ["a"], 3]) {
            expect(
                lines(
                    dev((raw) => {
                        raw["kubeconfigs"] = bad;
                        raw["edgeStoreCredentials"] = bad;
                        raw["edgeImagePullSecrets"] = bad;
                        raw["gatewayBackends"] = bad;
                    }),
                ),
            ).toEqual([
                "modelfleet:kubeconfigs must be an object keyed by region name; fix: pulumi config set --secret --path 'kubeconfigs.<region>' <value>",
                "modelfleet:edgeImagePullSecrets must be an object keyed by region name; fix: pulumi config set --secret --path 'edgeImagePullSecrets.<region>' <value>",
                "modelfleet:edgeStoreCredentials must be an object keyed by region name; fix: pulumi config set --secret --path 'edgeStoreCredentials.<region>' <value>",
                "modelfleet:gatewayBackends must be an object keyed by region name; fix: pulumi config set --secret --path 'gatewayBackends.<region>' <value>",
            ]);
        }
    });

    test("a kubeconfig is non-empty text", () => {
        expect(lines(prod((raw) => (raw["kubeconfigs"] = { "edge-muc": "", "g6.x": 1 })))).toEqual([
            `modelfleet:kubeconfigs.edge-muc must be the kubeconfig text; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' "$(cat kubeconfig.yaml)"`,
            `modelfleet:kubeconfigs["g6.x"] must be the kubeconfig text; fix: pulumi config set --secret --path 'kubeconfigs.g6.x' "$(cat kubeconfig.yaml)"`,
            `modelfleet:kubeconfigs.edge-muc is missing: region edge-muc is an existing cluster and needs its kubeconfig; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' "$(cat kubeconfig.yaml)"`,
        ]);
        expect(lines(prod((raw) => (raw["kubeconfigs"] = { "edge-muc": "a" })))).toEqual([]);
        // A list of lines is not the text, even though it has a length.
        expect(lines(prod((raw) => (raw["kubeconfigs"] = { "edge-muc": ["apiVersion: v1"] })))).toEqual([
            `modelfleet:kubeconfigs.edge-muc must be the kubeconfig text; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' "$(cat kubeconfig.yaml)"`,
            `modelfleet:kubeconfigs.edge-muc is missing: region edge-muc is an existing cluster and needs its kubeconfig; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' "$(cat kubeconfig.yaml)"`,
        ]);
    });

    test("a pull secret is the JSON of a .dockerconfigjson with an auths object", () => {
        const withLlmAtEdge = (secret: unknown) =>
            prod((raw) => {
                ((raw["regions"] as Array<Record<string, unknown>>)[3] as Record<string, unknown>)["models"] = [
                    "resnet50",
                    "llama3-8b-instruct",
                ];
                raw["edgeImagePullSecrets"] = { "edge-muc": secret };
            });
        expect(lines(withLlmAtEdge('{"auths":{}}'))).toEqual([]);
        const refused = [
            `modelfleet:edgeImagePullSecrets.edge-muc must be the JSON of a .dockerconfigjson ({"auths": {...}}); fix: pulumi config set --secret --path 'edgeImagePullSecrets.edge-muc' "$(cat dockerconfig.json)"`,
            `modelfleet:edgeImagePullSecrets.edge-muc is missing: region edge-muc serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM, and the cluster pulls the LLM-track image from a private registry with a read-only identity; fix: pulumi config set --secret --path 'edgeImagePullSecrets.edge-muc' "$(cat dockerconfig.json)" (docs/serving.md)`,
        ];
        for (const bad of ["not json", '{"auths":[]}', '{"auths":null}', '{"auths":"x"}', "null", '{"other":{}}', { auths: {} }]) {
            expect(lines(withLlmAtEdge(bad))).toEqual(refused);
        }
    });

    test("edge store credentials need both keys as text", () => {
        expect(lines(prod((raw) => (raw["edgeStoreCredentials"] = { "edge-muc": { accessKeyId: "a", secretAccessKey: 1 } })))).toEqual([
            "modelfleet:edgeStoreCredentials.edge-muc.secretAccessKey is required; fix: pulumi config set --secret --path 'edgeStoreCredentials.edge-muc.secretAccessKey' <value>",
            'modelfleet:edgeStoreCredentials.edge-muc is missing: region edge-muc pulls models with read-only keys; fix: pulumi config set --secret --path \'edgeStoreCredentials.edge-muc\' \'{"accessKeyId":"...","secretAccessKey":"..."}\'',
        ]);
        expect(lines(prod((raw) => (raw["edgeStoreCredentials"] = { "edge-muc": "text" })))).toEqual([
            "modelfleet:edgeStoreCredentials.edge-muc.accessKeyId is required; fix: pulumi config set --secret --path 'edgeStoreCredentials.edge-muc.accessKeyId' <value>",
            "modelfleet:edgeStoreCredentials.edge-muc.secretAccessKey is required; fix: pulumi config set --secret --path 'edgeStoreCredentials.edge-muc.secretAccessKey' <value>",
            'modelfleet:edgeStoreCredentials.edge-muc is missing: region edge-muc pulls models with read-only keys; fix: pulumi config set --secret --path \'edgeStoreCredentials.edge-muc\' \'{"accessKeyId":"...","secretAccessKey":"..."}\'',
        ]);
        expect(lines(prod((raw) => (raw["edgeStoreCredentials"] = { "edge-muc": null })))).toHaveLength(3);
    });

    test("gateway backends are the three known URLs, as text", () => {
        expect(
            lines(
                dev((raw) => (raw["gatewayBackends"] = { clickhouseUrl: "a", postgresUrl: "b", valkeyUrl: "c", redisUrl: "d", valkey: 1 })),
            ),
        ).toEqual([
            "modelfleet:gatewayBackends.redisUrl is not a known backend (clickhouseUrl, postgresUrl, valkeyUrl); fix: pulumi config rm --path 'gatewayBackends.redisUrl'",
            "modelfleet:gatewayBackends.valkey is not a known backend (clickhouseUrl, postgresUrl, valkeyUrl); fix: pulumi config rm --path 'gatewayBackends.valkey'",
        ]);
        expect(lines(dev((raw) => (raw["gatewayBackends"] = { valkeyUrl: 6379 })))).toEqual([
            "modelfleet:gatewayBackends.valkeyUrl must be a URL string; fix: pulumi config set --secret --path 'gatewayBackends.valkeyUrl' <url>",
        ]);
    });
});

describe("the stack's environment", () => {
    test("a stack named after an environment must declare it", () => {
        expect(lines(dev(), { stack: "prod" })).toEqual([
            "modelfleet:environment is 'dev' but the stack is named 'prod'; protection and the policy config follow environment, so they must agree; fix: pulumi config set environment prod --stack prod",
        ]);
        expect(lines(dev(), { stack: "dev" })).toEqual([]);
        expect(lines(dev(), { stack: "feature-x" })).toEqual([]);
        expect(lines(dev())).toEqual([]);
    });
});

describe("resolved settings", () => {
    test("an unset drain is the longest timeout plus the margin; a set one is kept", () => {
        expect(validateSettings(dev()).serving.torchserve.drainSeconds).toBe(315);
        expect(
            validateSettings(
                dev((raw) => ((raw["serving"] as Record<string, Record<string, unknown>>)["torchserve"]["drainSeconds"] = 400)),
            ).serving.torchserve.drainSeconds,
        ).toBe(400);
    });

    test("protect follows the region's own setting, then decommission, then the environment", () => {
        const raw = prod((r) => {
            const regions = r["regions"] as Array<Record<string, unknown>>;
            regions[0]["protect"] = false;
            regions[1]["decommission"] = true;
            regions[1]["globalRouting"] = false;
            regions[3]["modelStoreSource"] = "use1";
        });
        const config = resolveConfig(validateSettings(raw), raw, { project: "p", stack: "s" });
        expect(config.regions.map((r) => [r.name, r.protect])).toEqual([
            ["use1", false],
            ["euw1", false],
            ["usc1", true],
            ["edge-muc", true],
        ]);
        expect([config.project, config.stack, config.protect]).toEqual(["p", "s", true]);
        const devRaw = dev();
        const devConfig = resolveConfig(validateSettings(devRaw), devRaw, { project: "p", stack: "dev" });
        expect(devConfig.protect).toBe(false);
        expect(devConfig.regions.map((r) => r.protect)).toEqual([false]);
    });

    test("serving pool, model names and pool shapes per region", () => {
        const raw = prod((r) => ((r["regions"] as Array<Record<string, unknown>>)[0]["servingPool"] = "a10g-spot"));
        const config = resolveConfig(validateSettings(raw), raw, { project: "p", stack: "prod" });
        expect(config.regions.map((r) => [r.servingPool, r.modelNames])).toEqual([
            ["a10g-spot", ["resnet50", "llama3-8b-instruct"]],
            ["l4", ["resnet50", "llama3-8b-instruct"]],
            ["l4", ["resnet50", "llama3-8b-instruct"]],
            ["t4", ["resnet50"]],
        ]);
        expect(config.regions.map((r) => r.poolShapes)).toEqual([
            {
                l4: { gpusPerNode: 1, gpuModel: "nvidia-l4", nodeVcpus: 4, nodeMemoryGiB: 16 },
                "a10g-spot": { gpusPerNode: 1, gpuModel: "nvidia-a10g", nodeVcpus: 4, nodeMemoryGiB: 16 },
            },
            { l4: { gpusPerNode: 1, gpuModel: "nvidia-l4", nodeVcpus: 4, nodeMemoryGiB: 16 } },
            { l4: { gpusPerNode: 1, gpuModel: "nvidia-l4", nodeVcpus: 8, nodeMemoryGiB: 32 } },
            { t4: { gpusPerNode: 1, gpuModel: "nvidia-t4" } },
        ]);
        expect(config.routedRegions).toEqual(["use1", "euw1", "usc1", "edge-muc"]);
    });

    test("secret values are wrapped as secrets, and only the known backends that are set are kept", async () => {
        const raw = prod((r) => {
            r["kubeconfigs"] = { "edge-muc": "kube-text" };
            r["edgeStoreCredentials"] = { "edge-muc": { accessKeyId: "AKID", secretAccessKey: "SECRET" } };
            r["edgeImagePullSecrets"] = { "edge-muc": '{"auths":{}}' };
            r["gatewayBackends"] = { postgresUrl: "postgres://db", valkeyUrl: "valkey://cache" };
        });
        const { secrets } = resolveConfig(validateSettings(raw), raw, { project: "p", stack: "prod" });
        const revealed = async (o: pulumi.Output<string>) => [await pulumi.isSecret(o), await promiseOf(o)];
        expect(await revealed(secrets.kubeconfigs["edge-muc"])).toEqual([true, "kube-text"]);
        expect(await revealed(secrets.edgeStoreCredentials["edge-muc"].accessKeyId)).toEqual([true, "AKID"]);
        expect(await revealed(secrets.edgeStoreCredentials["edge-muc"].secretAccessKey)).toEqual([true, "SECRET"]);
        expect(await revealed(secrets.edgeImagePullSecrets["edge-muc"])).toEqual([true, '{"auths":{}}']);
        expect(Object.keys(secrets.gatewayBackends)).toEqual(["postgresUrl", "valkeyUrl"]);
        expect(await revealed(secrets.gatewayBackends.postgresUrl as pulumi.Output<string>)).toEqual([true, "postgres://db"]);
        const bare = dev();
        const none = resolveConfig(validateSettings(bare), bare, { project: "p", stack: "dev" }).secrets;
        expect([none.kubeconfigs, none.edgeStoreCredentials, none.edgeImagePullSecrets, none.gatewayBackends]).toEqual([{}, {}, {}, {}]);
    });

    test("warnings read the calendar for the day given", () => {
        const settings = validateSettings(dev(), { today: new Date("2027-02-01T00:00:00Z") });
        expect(settingsWarnings(settings, { today: new Date("2027-02-01T00:00:00Z") })).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.35' leaves EKS standard support on 2027-03-27, in 54 day(s); plan the upgrade: pulumi config set --path 'regions[0].kubernetesVersion' 1.35",
        ]);
    });
});

describe("loadConfig reads the engine's config", () => {
    /** Sets the engine's config as the CLI passes it: structured values as JSON text. */
    const engine = (settings: Record<string, unknown>, secretKeys: string[], extra: Record<string, string> = {}) =>
        pulumi.runtime.setAllConfig(
            {
                ...Object.fromEntries(
                    Object.entries(settings).map(([k, v]) => [`modelfleet:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
                ),
                ...extra,
            },
            secretKeys,
        );
    afterAll(() => pulumi.runtime.setAllConfig({}, []));

    test("only the modelfleet namespace is read; plain text stays text; the stack and project come from the engine", async () => {
        await useMocks("dev", true);
        engine(dev(), [], { "aws:region": "us-east-1", "modelfleetx:other": "1", "modelfleet:environment": "dev" });
        const config = loadConfig();
        expect([config.project, config.stack, config.environment, config.serving.domain]).toEqual([
            "modelfleet",
            "dev",
            "dev",
            "dev.serve.modelfleet.example.com",
        ]);
        expect(config.secretSettings).toEqual([]);
    });

    test("the stack name is checked against the environment", async () => {
        await useMocks("prod", true);
        engine(dev(), []);
        expect(() => loadConfig()).toThrow(
            "stack config has 1 problem(s):\nmodelfleet:environment is 'dev' but the stack is named 'prod'; protection and the policy config follow environment, so they must agree; fix: pulumi config set environment prod --stack prod",
        );
    });

    test("a key set with --secret marks every non-empty text under it, down to list entries", async () => {
        await useMocks("dev", true);
        const raw = dev((r) => ((r["modelStore"] as Record<string, unknown>)["primaryRegion"] = "use1"));
        engine(raw, ["modelfleet:modelStore", "modelfleet:models"]);
        const config = loadConfig();
        expect(config.secretSettings).toEqual([
            { path: "models[0].name", value: "resnet50" },
            { path: "models[0].version", value: "1.0" },
            { path: "models[1].name", value: "llama3-8b-instruct" },
            { path: "models[1].version", value: "2024-07-18" },
            { path: "modelStore.primaryRegion", value: "use1" },
        ]);
    });

    test("a secret key set in plain text is refused, by the key path the engine knows", async () => {
        await useMocks("prod", true);
        engine(
            prod((r) => (r["kubeconfigs"] = { "edge-muc": "kube" })),
            ["modelfleet:edgeStoreCredentials", "modelfleet:gatewayBackends"],
        );
        expect(() => loadConfig()).toThrow(
            "stack config has 1 problem(s):\nmodelfleet:kubeconfigs.edge-muc is stored in plain text, and would be committed with the stack file; it must be encrypted; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' <value>",
        );
    });

    test("the read-only Kubernetes identity loads in a preview and is refused in an update", async () => {
        const raw = dev((r) => (r["kubernetesIdentity"] = "preview"));
        await useMocks("dev", true);
        engine(raw, []);
        expect(loadConfig().kubernetesIdentity).toBe("preview");
        await useMocks("dev", false);
        engine(raw, []);
        expect(() => loadConfig()).toThrow(
            "stack config has 1 problem(s):\nmodelfleet:kubernetesIdentity is preview, which only pulumi preview may use (the read-only identity cannot apply Kubernetes objects); fix: pulumi config rm kubernetesIdentity",
        );
        engine(dev(), []);
        expect(loadConfig().kubernetesIdentity).toBe("admin");
    });
});
