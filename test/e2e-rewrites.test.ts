import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { readRenderedRegion } from "../e2e/rendered";
import { REWRITES, applyRewrites, rewritePodValue } from "../e2e/rewrites";

const RENDERED_PROPERTIES = [
    "inference_address=http://0.0.0.0:8080",
    "management_address=http://127.0.0.1:8081",
    "metrics_address=http://0.0.0.0:8082",
    "metrics_mode=prometheus",
    "model_store=/home/model-server/model-store",
    "load_models=resnet50=resnet50.mar",
    'models={"resnet50":{"1.0":{"batchSize":8,"minWorkers":1}}}',
].join("\n");

describe("e2e rewrites", () => {
    test("config.properties: only addresses, ports and paths change", () => {
        expect(applyRewrites("config.properties", RENDERED_PROPERTIES, "/run")).toBe(
            [
                "inference_address=http://127.0.0.1:18080",
                "management_address=http://127.0.0.1:18081",
                "metrics_address=http://127.0.0.1:18082",
                "metrics_mode=prometheus",
                "model_store=/run/model-store",
                "load_models=resnet50=resnet50.mar",
                'models={"resnet50":{"1.0":{"batchSize":8,"minWorkers":1}}}',
            ].join("\n"),
        );
    });

    test("tensorzero.toml: bind address and the TorchServe Service address", () => {
        const toml = [
            "[gateway]",
            'bind_address = "0.0.0.0:3000"',
            "[models.m.providers.torchserve]",
            'api_base = "http://torchserve.modelfleet.svc:8080/predictions/m/1/v1/"',
            'model_name = "m"',
        ].join("\n");
        expect(applyRewrites("tensorzero.toml", toml, "/run")).toBe(
            [
                "[gateway]",
                'bind_address = "127.0.0.1:18030"',
                "[models.m.providers.torchserve]",
                'api_base = "http://127.0.0.1:18080/predictions/m/1/v1/"',
                'model_name = "m"',
            ].join("\n"),
        );
    });

    test("the TorchServe start script: the config file and the pod's directories", () => {
        const script =
            'exec "$java" -Djava.io.tmpdir=/home/model-server/tmp -f /etc/torchserve/config.properties -s /home/model-server/model-store -ncs';
        expect(applyRewrites("TorchServe start script", script, "/run")).toBe(
            'exec "$java" -Djava.io.tmpdir=/run/tmp -f /run/config.properties -s /run/model-store -ncs',
        );
    });

    test("a rendered file that no longer matches a rewrite is refused, naming the rewrite", () => {
        expect(() => applyRewrites("config.properties", RENDERED_PROPERTIES.replace("0.0.0.0:8080", "0.0.0.0:9080"), "/run")).toThrow(
            "e2e rewrite for config.properties does not match: 'inference_address=http://0.0.0.0:8080' is not in the rendered text (e2e/rewrites.ts)",
        );
    });

    test("pod values: the longest rewritten path prefix wins, other values pass unchanged", () => {
        expect(rewritePodValue("/etc/torchserve/config.properties", "/run")).toBe("/run/config.properties");
        expect(rewritePodValue("/home/model-server/logs", "/run")).toBe("/run/logs");
        expect(rewritePodValue("/home/model-server", "/run")).toBe("/run");
        expect(rewritePodValue("/tmp", "/run")).toBe("/run/tmp");
        expect(rewritePodValue("/tmpfoo", "/run")).toBe("/tmpfoo");
        expect(rewritePodValue("--foreground", "/run")).toBe("--foreground");
        expect(rewritePodValue("s3://bucket", "/run")).toBe("s3://bucket");
    });

    test("every rewrite stays on 127.0.0.1 ports 18000-18999 or under the run's directory", () => {
        for (const rewrite of REWRITES) {
            const ports = [...rewrite.to.matchAll(/:(\d{2,5})\b/g)].map((m) => Number(m[1]));
            for (const port of ports) expect(port >= 18000 && port <= 18999).toBe(true);
            expect(rewrite.to.includes("127.0.0.1") || rewrite.to.startsWith("{dir}") || rewrite.to.includes("={dir}")).toBe(true);
        }
    });
});

describe("e2e reads the region from the manifests", () => {
    test("config, track, containers, models and gateway functions", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-rendered-"));
        const write = (file: string, doc: unknown): void => fs.writeFileSync(path.join(dir, file), stringify(doc));
        write("configmap-modelfleet-torchserve-config.yaml", {
            data: {
                "config.properties":
                    'load_models=a=a.mar,chat=chat.mar\nmodels={"a":{"1.0":{"batchSize":4,"minWorkers":2}},"chat":{"7":{"batchSize":1,"minWorkers":1}}}\n',
            },
        });
        write("configmap-modelfleet-tensorzero-config.yaml", {
            data: {
                "tensorzero.toml": [
                    "[models.chat]",
                    'routing = ["torchserve"]',
                    "[models.chat.providers.torchserve]",
                    'type = "openai"',
                    'model_name = "chat"',
                    "[functions.talk]",
                    'type = "chat"',
                    "[functions.talk.variants.torchserve]",
                    'type = "chat_completion"',
                    'model = "chat"',
                ].join("\n"),
            },
        });
        write("service-modelfleet-torchserve.yaml", { spec: { selector: { "modelfleet.io/track": "green" } } });
        write("deployment-modelfleet-torchserve-green.yaml", {
            spec: {
                template: {
                    spec: {
                        containers: [
                            {
                                name: "torchserve",
                                command: ["torchserve"],
                                args: ["--start"],
                                env: [{ name: "HOME", value: "/home/model-server" }],
                            },
                        ],
                        initContainers: [
                            {
                                name: "model-sync",
                                command: ["/bin/sh", "-c", "echo sync"],
                                env: [
                                    { name: "MODEL_STORE_URI", value: "s3://b" },
                                    { name: "SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                                ],
                            },
                        ],
                    },
                },
            },
        });
        const region = readRenderedRegion(dir);
        expect(region.models).toEqual([
            { name: "a", version: "1.0", batchSize: 4, minWorkers: 2, openai: false },
            { name: "chat", version: "7", batchSize: 1, minWorkers: 1, openai: true },
        ]);
        expect(region.gatewayFunctions).toEqual({ chat: "talk" });
        expect(region.torchserve).toEqual({ command: ["torchserve"], args: ["--start"], env: { HOME: "/home/model-server" } });
        expect(region.modelSync.env).toEqual({ MODEL_STORE_URI: "s3://b" });
        expect(region.modelSyncScript).toBe("echo sync");
    });

    test("a missing manifest names the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-rendered-"));
        expect(() => readRenderedRegion(dir)).toThrow(`the plan wrote no ${path.join(dir, "configmap-modelfleet-torchserve-config.yaml")}`);
    });
});
