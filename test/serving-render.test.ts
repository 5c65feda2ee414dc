import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "smol-toml";
import YAML from "yaml";
import type { FleetConfig } from "../config";
import type { RegionCluster } from "../components/types";
import { servingArgProblems } from "../components/k8s/validate";
import { buildContext, type ServingContext } from "../components/k8s/render/context";
import { renderGatewayConfig } from "../components/k8s/render/gatewayConfig";
import {
    renderGatewayBackendsSecret,
    renderGatewayConfigMap,
    renderGatewayDeployment,
    renderGatewayServiceAccount,
} from "../components/k8s/render/gatewayWorkload";
import {
    alertRules,
    dashboardJson,
    renderDashboardConfigMap,
    renderMonitoringObjects,
    renderPodMonitorings,
    renderPrometheusRule,
    renderRules,
    renderServiceMonitors,
    TRACK_TARGET_LABEL,
} from "../components/k8s/render/monitoring";
import { renderMetricsAdapter } from "../components/k8s/render/metricsAdapter";
import { imageVersion } from "../components/k8s/render/names";
import { renderNamespace } from "../components/k8s/render/namespace";
import { renderNetworkPolicies } from "../components/k8s/render/networkPolicies";
import { quotaTotals, renderHpas, renderLimitRange, renderPdbs, renderResourceQuota } from "../components/k8s/render/scaling";
import { checksum, renderConfigProperties, renderModelSyncScript } from "../components/k8s/render/torchserveConfig";
import {
    renderModelStoreCredentialsSecret,
    renderTorchServeConfigMap,
    renderTorchServeDeployment,
    renderTorchServeServiceAccount,
} from "../components/k8s/render/torchserveWorkload";
import {
    renderGatewayService,
    renderIngress,
    renderMetricsService,
    renderPreviewService,
    renderStableService,
    type IngressTls,
} from "../components/k8s/render/traffic";
import { fleetConfig, stackSettings } from "./mocks";
import { validateManifest } from "./k8s-schema";

// Pure rendering: no Pulumi engine, no mocks. Plain strings stand in for outputs.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const gpuToleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };
const placement = (name: string, gpusPerNode = 1) => ({
    name,
    nodeSelector: { "modelfleet.io/gpu-pool": name },
    tolerations: [gpuToleration],
    gpusPerNode,
    gpuModel: "nvidia-l4",
});

type Flavour = "aws" | "gcp" | "existing";
const regionOf: Record<Flavour, string> = { aws: "use1", gcp: "usc1", existing: "edge-muc" };

function clusterFor(
    flavour: Flavour,
): Pick<RegionCluster, "gpuPools" | "systemNodeSelector" | "workloadIdentity" | "ingress" | "monitoring"> {
    if (flavour === "aws") {
        return {
            gpuPools: { l4: placement("l4"), "a10g-spot": placement("a10g-spot") },
            systemNodeSelector: { "modelfleet.io/pool": "system" },
            workloadIdentity: { kind: "eks-pod-identity", clusterName: pulumi.output("modelfleet-use1") },
            ingress: { kind: "alb", className: "alb" },
            monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
        };
    }
    if (flavour === "gcp") {
        return {
            gpuPools: { l4: placement("l4") },
            systemNodeSelector: { "cloud.google.com/gke-nodepool": "system" },
            workloadIdentity: {
                kind: "gke-workload-identity",
                project: "modelfleet-prod",
                workloadPool: pulumi.output("modelfleet-prod.svc.id.goog"),
            },
            ingress: { kind: "gce", className: "gce" },
            monitoring: { kind: "gke-managed-prometheus", scraperNamespaces: ["gmp-system"] },
        };
    }
    return {
        gpuPools: { t4: placement("t4") },
        systemNodeSelector: {},
        workloadIdentity: { kind: "static-credentials" },
        ingress: { kind: "class", className: "nginx", certIssuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" } },
        monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
    };
}

function tlsFor(flavour: Flavour): IngressTls {
    const hosts = ["serve.modelfleet.example.com", `${regionOf[flavour]}.serve.modelfleet.example.com`];
    if (flavour === "aws") return { kind: "acm", hosts, certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc" };
    if (flavour === "gcp") return { kind: "gcp-managed", hosts, certificateMapName: "serving-usc1-map", staticIpName: "serving-usc1-ip" };
    return { kind: "cert-manager", hosts, secretName: "serving-tls" };
}

function ctxFor(flavour: Flavour, config: FleetConfig = fleetConfig(stackSettings("prod"))): ServingContext {
    const region = config.regions.find((r) => r.name === regionOf[flavour]);
    if (!region) throw new Error(`no region ${regionOf[flavour]}`);
    const kind = flavour === "gcp" ? "gcs" : "s3";
    const uri = flavour === "gcp" ? "gs://modelfleet-models-usc1" : "s3://modelfleet-models-use1";
    return buildContext(
        config,
        region,
        clusterFor(flavour),
        {
            kind,
            uri,
            bucketRegion: region.region,
            staticCredentials:
                flavour === "existing" ? { accessKeyId: pulumi.output("a"), secretAccessKey: pulumi.output("b") } : undefined,
        },
        {},
        { repository: LLM_REPOSITORY, pullSecret: flavour === "existing" ? '{"auths":{}}' : undefined },
    );
}

/** prod without OpenAI models: every region keeps the stock TorchServe image. */
function stockConfig(): FleetConfig {
    const raw = stackSettings("prod") as { models: Array<Record<string, unknown>> };
    raw.models = raw.models.map((m) => ({ ...m, openai: false }));
    return fleetConfig(raw);
}

const LLM_REPOSITORY = "111122223333.dkr.ecr.us-east-1.amazonaws.com/modelfleet-prod/torchserve-llm";
const PROD_LLM_DIGEST = "sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";

function properties(text: string): Record<string, string> {
    return Object.fromEntries(
        text
            .split("\n")
            .filter((l) => l.length > 0 && !l.startsWith("#"))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
}

const prod = fleetConfig(stackSettings("prod"));
const dev = fleetConfig(stackSettings("dev"));

describe("config.properties", () => {
    const ctx = ctxFor("aws");
    const props = properties(renderConfigProperties(ctx.models, ctx.serving.torchserve));

    test("binds inference and metrics to all interfaces and management to loopback only", () => {
        expect(props["inference_address"]).toBe("http://0.0.0.0:8080");
        expect(props["management_address"]).toBe("http://127.0.0.1:8081");
        expect(props["metrics_address"]).toBe("http://0.0.0.0:8082");
        expect(props["metrics_mode"]).toBe("prometheus");
    });

    test("turns token authorization off and the model API off, and env overrides off", () => {
        expect(props["disable_token_authorization"]).toBe("true");
        expect(props["enable_model_api"]).toBe("false");
        expect(props["enable_envvars_config"]).toBe("false");
    });

    test("loads the region's models from the pod's model store with server-wide settings", () => {
        expect(props["model_store"]).toBe("/home/model-server/model-store");
        expect(props["load_models"]).toBe("resnet50=resnet50.mar,llama3-8b-instruct=llama3-8b-instruct.mar");
        expect(props["job_queue_size"]).toBe("100");
        expect(props["default_response_timeout"]).toBe("120");
        expect(props["default_workers_per_model"]).toBe("1");
    });

    test("carries each model's batching and worker settings under its version", () => {
        const models = JSON.parse(props["models"]);
        expect(models["resnet50"]["1.0"]).toEqual({
            defaultVersion: true,
            marName: "resnet50.mar",
            minWorkers: 1,
            maxWorkers: 2,
            batchSize: 16,
            maxBatchDelay: 50,
            responseTimeout: 120,
            startupTimeout: 600,
        });
        expect(models["llama3-8b-instruct"]["2024-07-18"]).toMatchObject({ batchSize: 1, responseTimeout: 300 });
    });

    test("an edge region lists only the models it serves", () => {
        const edge = ctxFor("existing");
        const edgeProps = properties(renderConfigProperties(edge.models, edge.serving.torchserve));
        expect(edgeProps["load_models"]).toBe("resnet50=resnet50.mar");
        expect(Object.keys(JSON.parse(edgeProps["models"]))).toEqual(["resnet50"]);
    });
});

describe("tensorzero.toml", () => {
    const parsed = (ctx: ServingContext, backends: object = prod.secrets.gatewayBackends) =>
        parse(renderGatewayConfig(ctx.namespace, ctx.models, backends)) as Json;

    test("routes each OpenAI model to TorchServe's OpenAI path through the stable Service, with no API key", () => {
        const toml = parsed(ctxFor("aws"));
        expect(Object.keys(toml.models)).toEqual(["llama3-8b-instruct"]);
        const model = toml.models["llama3-8b-instruct"];
        expect(model.routing).toEqual(["torchserve"]);
        expect(model.providers.torchserve).toEqual({
            type: "openai",
            api_base: "http://torchserve.modelfleet.svc:8080/predictions/llama3-8b-instruct/2024-07-18/v1/",
            model_name: "llama3-8b-instruct",
            api_key_location: "none",
        });
        expect(toml.functions["llama3-8b-instruct"]).toEqual({
            type: "chat",
            variants: { torchserve: { type: "chat_completion", model: "llama3-8b-instruct" } },
        });
    });

    test("binds the gateway on port 3000 and turns observability on only with ClickHouse", () => {
        const withClickHouse = parsed(ctxFor("aws"));
        expect(withClickHouse.gateway.bind_address).toBe("0.0.0.0:3000");
        expect(withClickHouse.gateway.observability).toEqual({ enabled: true });
        expect(parsed(ctxFor("aws"), {}).gateway.observability).toEqual({ enabled: false });
    });

    test("never holds a backend URL", () => {
        const text = renderGatewayConfig("modelfleet", prod.models, { clickhouseUrl: "http://user:hunter2@clickhouse:8123/db" });
        expect(text).not.toContain("hunter2");
        expect(text).not.toContain("clickhouse:8123");
    });

    test("a region without OpenAI models has no models or functions", () => {
        const toml = parsed(ctxFor("existing"));
        expect(toml.models).toBeUndefined();
        expect(toml.functions).toBeUndefined();
    });
});

/**
 * A stub for `aws` and `gcloud`: logs each call; an existence check (head-object, objects
 * describe) fails as the real CLIs do for a missing object until that object has been
 * checked MISSING_CHECKS times. `sleep` and `ls` are stubs too, so no test waits.
 */
const CLI_STUB = `#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_DIR/calls"
case "$*" in
*head-object*|*"objects describe"*)
    counter="$STUB_DIR/checks-$(printf %s "$*" | tr -c 'a-zA-Z0-9' _)"
    echo x >> "$counter"
    if [ "$(wc -l < "$counter")" -le "$MISSING_CHECKS" ]; then
        echo "Not Found (404)" >&2
        exit 1
    fi
    ;;
esac
`;
const LOG_STUB = `#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_DIR/calls"
`;

interface SyncRun {
    status: number | null;
    stdout: string;
    stderr: string;
    /** Every stubbed command the script ran, in order. */
    calls: string[];
}

/** Runs a rendered sync script under `shell` with the stubs first on PATH. */
function runSync(shell: string, script: string, missingChecks: number, uri: string): SyncRun {
    const dir = mkdtempSync(path.join(tmpdir(), "model-sync-"));
    try {
        for (const [name, body] of [
            ["aws", CLI_STUB],
            ["gcloud", CLI_STUB],
            ["sleep", LOG_STUB],
            ["ls", LOG_STUB],
        ]) {
            writeFileSync(path.join(dir, name), body);
            chmodSync(path.join(dir, name), 0o755);
        }
        writeFileSync(path.join(dir, "calls"), "");
        const run = spawnSync(shell, ["-c", script], {
            encoding: "utf8",
            env: { PATH: `${dir}:${process.env.PATH}`, STUB_DIR: dir, MISSING_CHECKS: String(missingChecks), MODEL_STORE_URI: uri },
        });
        const calls = readFileSync(path.join(dir, "calls"), "utf8")
            .split("\n")
            .filter((l) => l.length > 0);
        return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("model sync script", () => {
    const resnet = { name: "resnet50", version: "1.0" };
    const llama = { name: "llama3-8b-instruct", version: "2024-07-18" };

    test("renders POSIX sh: waits for each archive with the AWS CLI, then copies it", () => {
        const script = renderModelSyncScript("s3", [resnet]);
        expect(script.startsWith("set -eu\n")).toBe(true);
        expect(script).toContain('base="${MODEL_STORE_URI%/}"');
        expect(script).toContain("attempts=60\ndelay=10\n");
        expect(script).toContain('aws s3api head-object --bucket "${object%%/*}" --key "${object#*/}" >/dev/null');
        expect(script).toContain('aws s3 cp "$1" "$2" --only-show-errors');
        expect(script).toContain('fetch "models/resnet50/1.0/resnet50.mar" "/home/model-server/model-store/resnet50.mar"');
        expect(script).not.toMatch(/\[\[|function |local |gcloud/);
    });

    test("renders the GCS variant with gcloud storage only", () => {
        const script = renderModelSyncScript("gcs", [llama]);
        expect(script).toContain('gcloud storage objects describe "$1" >/dev/null');
        expect(script).toContain('gcloud storage cp "$1" "$2" --no-user-output-enabled');
        expect(script).toContain(
            'fetch "models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar" "/home/model-server/model-store/llama3-8b-instruct.mar"',
        );
        expect(script).not.toContain("aws ");
    });

    // dash is /bin/sh in the google-cloud-cli image, bash in amazon/aws-cli.
    test.each(["dash", "bash"])("under %s, waits for an S3 archive that is not there yet, then copies it", (shell) => {
        const run = runSync(shell, renderModelSyncScript("s3", [resnet]), 2, "s3://modelfleet-models-use1/");
        expect(run.status).toBe(0);
        const src = "s3://modelfleet-models-use1/models/resnet50/1.0/resnet50.mar";
        expect(run.stdout.split("\n").filter((l) => l.startsWith("model-sync:"))).toEqual([
            `model-sync: waiting for ${src} (check 1 of 60: Not Found (404))`,
            `model-sync: waiting for ${src} (check 2 of 60: Not Found (404))`,
        ]);
        const check = "aws s3api head-object --bucket modelfleet-models-use1 --key models/resnet50/1.0/resnet50.mar";
        expect(run.calls).toEqual([
            check,
            "sleep 10",
            check,
            "sleep 10",
            check,
            `aws s3 cp ${src} /home/model-server/model-store/resnet50.mar --only-show-errors`,
            "ls -l /home/model-server/model-store",
        ]);
    });

    test.each(["dash", "bash"])("under %s, waits for each GCS archive in turn", (shell) => {
        const run = runSync(shell, renderModelSyncScript("gcs", [resnet, llama]), 1, "gs://modelfleet-models-usc1");
        expect(run.status).toBe(0);
        const first = "gs://modelfleet-models-usc1/models/resnet50/1.0/resnet50.mar";
        const second = "gs://modelfleet-models-usc1/models/llama3-8b-instruct/2024-07-18/llama3-8b-instruct.mar";
        expect(run.calls).toEqual([
            `gcloud storage objects describe ${first}`,
            "sleep 10",
            `gcloud storage objects describe ${first}`,
            `gcloud storage cp ${first} /home/model-server/model-store/resnet50.mar --no-user-output-enabled`,
            `gcloud storage objects describe ${second}`,
            "sleep 10",
            `gcloud storage objects describe ${second}`,
            `gcloud storage cp ${second} /home/model-server/model-store/llama3-8b-instruct.mar --no-user-output-enabled`,
            "ls -l /home/model-server/model-store",
        ]);
    });

    test("gives up after 60 checks ten seconds apart, naming the archive, and copies nothing", () => {
        const run = runSync("dash", renderModelSyncScript("s3", [resnet]), 1000, "s3://modelfleet-models-use1");
        expect(run.status).toBe(1);
        expect(run.calls.filter((c) => c.includes("head-object"))).toHaveLength(60);
        expect(run.calls.filter((c) => c === "sleep 10")).toHaveLength(59);
        expect(run.calls.some((c) => c.startsWith("aws s3 cp") || c.startsWith("ls"))).toBe(false);
        expect(run.stderr).toBe(
            "model-sync: s3://modelfleet-models-use1/models/resnet50/1.0/resnet50.mar is still missing after 60 checks 10s apart; " +
                "publish it to the primary bucket and let it reach this region (docs/model-store.md). Last check: Not Found (404)\n",
        );
    });
});

describe("TorchServe Deployments", () => {
    const ctx = ctxFor("aws");
    const config = renderConfigProperties(ctx.models, ctx.serving.torchserve);
    const blue = renderTorchServeDeployment(ctx, "blue", checksum(config)) as Json;
    const green = renderTorchServeDeployment(ctx, "green", checksum(config)) as Json;
    const pod = blue.spec.template.spec;
    const server = pod.containers[0];

    test("both tracks are schema-valid, each with its own image and selector", () => {
        validateManifest(blue);
        validateManifest(green);
        expect(blue.metadata.name).toBe("torchserve-blue");
        expect(green.metadata.name).toBe("torchserve-green");
        // use1 serves llama3-8b-instruct (openai): both tracks run the LLM-track image by digest.
        expect(server.image).toBe(`${LLM_REPOSITORY}@${PROD_LLM_DIGEST}`);
        expect(green.spec.template.spec.containers[0].image).toBe(`${LLM_REPOSITORY}@${PROD_LLM_DIGEST}`);
        expect(blue.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "torchserve", "modelfleet.io/track": "blue" });
        expect(green.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "torchserve", "modelfleet.io/track": "green" });
        expect(blue.spec.template.metadata.labels).toMatchObject({
            "app.kubernetes.io/version": "sha256-5b0c8e1f3a9d",
            "app.kubernetes.io/part-of": "modelfleet",
        });
        const split = fleetConfig(stackSettings("prod"));
        split.serving = { ...split.serving, tracks: { blue: {}, green: { torchserveLlmDigest: `sha256:${"c".repeat(64)}` } } };
        const splitCtx = ctxFor("aws", split);
        expect((renderTorchServeDeployment(splitCtx, "blue", "x") as Json).spec.template.spec.containers[0].image).toBe(
            `${LLM_REPOSITORY}@${PROD_LLM_DIGEST}`,
        );
        expect((renderTorchServeDeployment(splitCtx, "green", "x") as Json).spec.template.spec.containers[0].image).toBe(
            `${LLM_REPOSITORY}@sha256:${"c".repeat(64)}`,
        );
        // A region without OpenAI models keeps the stock image, per track.
        const stock = stockConfig();
        stock.serving = { ...stock.serving, tracks: { blue: {}, green: { torchserveImage: "pytorch/torchserve:0.12.0-cpu" } } };
        const stockCtx = ctxFor("aws", stock);
        expect((renderTorchServeDeployment(stockCtx, "blue", "x") as Json).spec.template.spec.containers[0].image).toBe(
            "pytorch/torchserve:0.12.0-gpu",
        );
        expect((renderTorchServeDeployment(stockCtx, "green", "x") as Json).spec.template.spec.containers[0].image).toBe(
            "pytorch/torchserve:0.12.0-cpu",
        );
        expect(blue.spec.template.spec.imagePullSecrets).toBeUndefined();
    });

    test("rolls without dropping capacity, leaves replicas to the HPA, and rolls on config change", () => {
        expect(blue.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        expect(blue.spec.replicas).toBeUndefined();
        expect(blue.spec.template.metadata.annotations["checksum/config"]).toBe(createHash("sha256").update(config).digest("hex"));
        const changed = renderTorchServeDeployment(
            ctx,
            "blue",
            checksum(config.replace("job_queue_size=100", "job_queue_size=200")),
        ) as Json;
        expect(changed.spec.template.metadata.annotations["checksum/config"]).not.toBe(
            blue.spec.template.metadata.annotations["checksum/config"],
        );
    });

    test("requests equal limits for CPU, memory and GPUs; lands on the serving GPU pool; spreads over zones", () => {
        expect(server.resources).toEqual({
            requests: { cpu: "3", memory: "12Gi", "nvidia.com/gpu": "1" },
            limits: { cpu: "3", memory: "12Gi", "nvidia.com/gpu": "1" },
        });
        expect(pod.nodeSelector).toEqual({ "modelfleet.io/gpu-pool": "l4" });
        expect(pod.tolerations).toEqual([gpuToleration]);
        expect(pod.topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: blue.spec.selector.matchLabels },
            },
        ]);
    });

    test("probes /ping, drains before stopping, and exposes only inference and metrics ports", () => {
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"])
            expect(server[probe].httpGet).toEqual({ path: "/ping", port: "http" });
        expect(server.startupProbe.failureThreshold * server.startupProbe.periodSeconds).toBeGreaterThanOrEqual(600);
        // The longest response timeout in prod is 300 s (llama3-8b-instruct): drain 315, grace 345.
        expect(server.lifecycle.preStop.exec.command).toEqual(["/bin/sh", "-c", "sleep 315"]);
        expect(pod.terminationGracePeriodSeconds).toBe(345);
        expect(server.ports.map((p: Json) => p.containerPort)).toEqual([8080, 8082]);
        expect(server.args).toBeUndefined();
        // use1 runs the LLM-track image: tini reaps vLLM's orphans and hands SIGTERM to the JVM.
        expect(server.command.slice(0, 4)).toEqual(["/usr/bin/tini", "--", "/bin/sh", "-c"]);
        expect(server.command[4]).toContain('exec "$java"');
        // The stock image has no tini: the shell execs the JVM, which is PID 1.
        const stock = renderTorchServeDeployment(ctxFor("aws", stockConfig()), "blue", "x") as Json;
        expect(stock.spec.template.spec.containers[0].command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    });

    test("runs restricted: non-root, no escalation, no capabilities, RuntimeDefault seccomp, read-only root with scratch volumes", () => {
        const restricted = {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        };
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
        expect(server.securityContext).toMatchObject(restricted);
        expect(pod.initContainers[0].securityContext).toMatchObject(restricted);
        expect(pod.automountServiceAccountToken).toBe(false);
        const mounts = Object.fromEntries(server.volumeMounts.map((m: Json) => [m.mountPath, m.name]));
        expect(mounts).toMatchObject({
            "/tmp": "tmp",
            "/home/model-server/logs": "logs",
            "/home/model-server/tmp": "scratch",
            "/home/model-server/model-store": "model-store",
        });
        const writable = pod.volumes.filter((v: Json) => v.emptyDir).map((v: Json) => v.name);
        expect(writable).toEqual(expect.arrayContaining(["tmp", "logs", "scratch", "model-store", "cache"]));
    });

    test("the init container syncs the region's archives with the pinned S3 client and the pod identity", () => {
        const init = pod.initContainers[0];
        expect(init.image).toBe("amazon/aws-cli:2.27.49");
        expect(init.command[2]).toContain("aws s3 cp");
        expect(init.env).toEqual(
            expect.arrayContaining([
                { name: "MODEL_STORE_URI", value: "s3://modelfleet-models-use1" },
                { name: "AWS_REGION", value: "us-east-1" },
            ]),
        );
        expect(init.env.some((e: Json) => e.name === "AWS_ACCESS_KEY_ID")).toBe(false);
        expect(pod.serviceAccountName).toBe("torchserve");
    });

    test("existing clusters read static keys from the Secret; GKE uses gcloud with workload identity", () => {
        const edge = renderTorchServeDeployment(ctxFor("existing"), "blue", "x") as Json;
        const edgeInit = edge.spec.template.spec.initContainers[0];
        expect(edgeInit.env).toEqual(
            expect.arrayContaining([
                { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "model-store-credentials", key: "AWS_ACCESS_KEY_ID" } } },
            ]),
        );
        expect(edge.spec.template.spec.nodeSelector).toEqual({ "modelfleet.io/gpu-pool": "t4" });
        const gke = renderTorchServeDeployment(ctxFor("gcp"), "blue", "x") as Json;
        const gkeInit = gke.spec.template.spec.initContainers[0];
        expect(gkeInit.image).toBe("gcr.io/google.com/cloudsdktool/google-cloud-cli:530.0.0-slim");
        expect(gkeInit.command[2]).toContain("gcloud storage cp");
        expect(gkeInit.env).toEqual(expect.arrayContaining([{ name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" }]));
        validateManifest(edge);
        validateManifest(gke);
    });

    test("the service account carries the model-store annotations; the credentials Secret holds the keys", () => {
        const sa = renderTorchServeServiceAccount(ctxFor("gcp"), {
            "iam.gke.io/gcp-service-account": "torchserve@modelfleet-prod.iam.gserviceaccount.com",
        }) as Json;
        validateManifest(sa);
        expect(sa.metadata).toMatchObject({
            name: "torchserve",
            namespace: "modelfleet",
            annotations: { "iam.gke.io/gcp-service-account": "torchserve@modelfleet-prod.iam.gserviceaccount.com" },
        });
        const secret = renderModelStoreCredentialsSecret(ctxFor("existing"), { accessKeyId: "AKIA", secretAccessKey: "s3cr3t" }) as Json;
        validateManifest(secret);
        expect(secret.stringData).toEqual({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s3cr3t" });
        validateManifest(renderTorchServeConfigMap(ctx, config));
    });
});

describe("gateway", () => {
    const ctx = ctxFor("aws");
    const toml = renderGatewayConfig(ctx.namespace, ctx.models, prod.secrets.gatewayBackends);
    const deployment = renderGatewayDeployment(ctx, checksum(toml)) as Json;
    const pod = deployment.spec.template.spec;
    const gateway = pod.containers[0];

    test("runs the pinned image with --config-file on the system nodes, schema-valid", () => {
        validateManifest(deployment);
        expect(gateway.image).toBe("tensorzero/gateway:2026.6.0");
        expect(gateway.args).toEqual(["--config-file", "/etc/tensorzero/tensorzero.toml"]);
        expect(pod.nodeSelector).toEqual({ "modelfleet.io/pool": "system" });
        expect(pod.tolerations).toBeUndefined();
        expect(deployment.spec.template.metadata.annotations["checksum/config"]).toBe(checksum(toml));
    });

    test("probes /status for liveness and /health for readiness, with the same resource and security rules", () => {
        expect(gateway.livenessProbe.httpGet.path).toBe("/status");
        expect(gateway.readinessProbe.httpGet.path).toBe("/health");
        expect(gateway.resources).toEqual({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } });
        expect(gateway.securityContext).toMatchObject({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    });

    test("takes the configured backend URLs from the Secret, and only those", () => {
        expect(gateway.env).toEqual([
            {
                name: "TENSORZERO_CLICKHOUSE_URL",
                valueFrom: { secretKeyRef: { name: "tensorzero-backends", key: "TENSORZERO_CLICKHOUSE_URL" } },
            },
        ]);
        const secret = renderGatewayBackendsSecret(ctx, { clickhouseUrl: "http://ch:8123" }) as Json;
        validateManifest(secret);
        expect(secret.stringData).toEqual({ TENSORZERO_CLICKHOUSE_URL: "http://ch:8123" });
        const bare = ctxFor("aws", dev);
        expect((renderGatewayDeployment(bare, "x") as Json).spec.template.spec.containers[0].env).toEqual([]);
        validateManifest(renderGatewayServiceAccount(ctx));
        validateManifest(renderGatewayConfigMap(ctx, toml));
    });
});

describe("Services and blue-green", () => {
    test("the stable Service selects the active track and the preview Service the other", () => {
        const ctx = ctxFor("aws");
        const stable = renderStableService(ctx) as Json;
        const preview = renderPreviewService(ctx) as Json;
        [stable, preview, renderMetricsService(ctx), renderGatewayService(ctx)].forEach(validateManifest);
        expect(stable.metadata.name).toBe("torchserve");
        expect(stable.spec.selector).toEqual({ "app.kubernetes.io/name": "torchserve", "modelfleet.io/track": "blue" });
        expect(preview.spec.selector).toEqual({ "app.kubernetes.io/name": "torchserve", "modelfleet.io/track": "green" });
        expect(stable.spec.ports).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
    });

    test("switching activeColor is the only change that moves traffic, and switching back restores it", () => {
        const raw = stackSettings("prod");
        (raw["serving"] as Json).activeColor = "green";
        const switched = ctxFor("aws", fleetConfig(raw));
        expect((renderStableService(switched) as Json).spec.selector["modelfleet.io/track"]).toBe("green");
        expect((renderPreviewService(switched) as Json).spec.selector["modelfleet.io/track"]).toBe("blue");
        expect(renderTorchServeDeployment(switched, "blue", "c")).toEqual(renderTorchServeDeployment(ctxFor("aws"), "blue", "c"));
    });

    test("the metrics Service is headless over both tracks; the management port is in no Service", () => {
        const ctx = ctxFor("aws");
        const metrics = renderMetricsService(ctx) as Json;
        expect(metrics.spec.clusterIP).toBe("None");
        expect(metrics.spec.selector).toEqual({ "app.kubernetes.io/name": "torchserve" });
        const allPorts = [renderStableService(ctx), renderPreviewService(ctx), metrics, renderGatewayService(ctx)].flatMap((s) =>
            (s as Json).spec.ports.map((p: Json) => p.port),
        );
        expect(allPorts).not.toContain(8081);
    });

    test("backend Services carry the cloud load balancer's health-check settings", () => {
        expect((renderStableService(ctxFor("aws")) as Json).metadata.annotations["alb.ingress.kubernetes.io/healthcheck-path"]).toBe(
            "/ping",
        );
        expect((renderGatewayService(ctxFor("aws")) as Json).metadata.annotations["alb.ingress.kubernetes.io/healthcheck-path"]).toBe(
            "/health",
        );
        // GKE's Gateway reads health checks from HealthCheckPolicy objects instead.
        expect((renderStableService(ctxFor("gcp")) as Json).metadata.annotations).toEqual({});
        expect((renderStableService(ctxFor("existing")) as Json).metadata.annotations).toEqual({});
    });
});

describe("Ingress", () => {
    const paths = (ingress: Json) =>
        ingress.spec.rules[0].http.paths.map((p: Json) => [p.path, p.pathType, p.backend.service.name, p.backend.service.port.number]);
    const routes = [
        ["/predictions", "Prefix", "torchserve", 8080],
        ["/ping", "Exact", "torchserve", 8080],
        ["/", "Prefix", "tensorzero-gateway", 3000],
    ];

    test("ALB: ACM certificate, TLS 1.2+ policy, HTTPS redirect, least outstanding requests, IP targets", () => {
        const ingress = renderIngress(ctxFor("aws"), tlsFor("aws")) as Json;
        validateManifest(ingress);
        expect(ingress.spec.ingressClassName).toBe("alb");
        expect(ingress.spec.tls).toEqual([{ hosts: ["serve.modelfleet.example.com", "use1.serve.modelfleet.example.com"] }]);
        expect(ingress.spec.rules.map((r: Json) => r.host)).toEqual(["serve.modelfleet.example.com", "use1.serve.modelfleet.example.com"]);
        // TorchServe's paths go to the weighted forward action over the two track Services.
        expect(paths(ingress)).toEqual([
            ["/predictions", "Prefix", "torchserve-weighted", undefined],
            ["/ping", "Exact", "torchserve-weighted", undefined],
            ["/", "Prefix", "tensorzero-gateway", 3000],
        ]);
        expect(ingress.spec.rules[0].http.paths[0].backend.service.port).toEqual({ name: "use-annotation" });
        const a = ingress.metadata.annotations;
        expect(JSON.parse(a["alb.ingress.kubernetes.io/actions.torchserve-weighted"])).toEqual({
            type: "forward",
            forwardConfig: {
                targetGroups: [
                    { serviceName: "torchserve-blue", servicePort: "8080", weight: 100 },
                    { serviceName: "torchserve-green", servicePort: "8080", weight: 0 },
                ],
            },
        });
        expect(a["alb.ingress.kubernetes.io/certificate-arn"]).toBe("arn:aws:acm:us-east-1:111122223333:certificate/abc");
        expect(a["alb.ingress.kubernetes.io/ssl-policy"]).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
        expect(JSON.parse(a["alb.ingress.kubernetes.io/listen-ports"])).toEqual([{ HTTP: 80 }, { HTTPS: 443 }]);
        expect(a["alb.ingress.kubernetes.io/ssl-redirect"]).toBe("443");
        expect(a["alb.ingress.kubernetes.io/target-type"]).toBe("ip");
        expect(a["alb.ingress.kubernetes.io/target-group-attributes"]).toBe(
            "load_balancing.algorithm.type=least_outstanding_requests,deregistration_delay.timeout_seconds=315",
        );
        // The longest model timeout is 300 s: the idle timeout must outlast it.
        expect(a["alb.ingress.kubernetes.io/load-balancer-attributes"]).toBe("idle_timeout.timeout_seconds=330");
    });

    test("GKE has no Ingress: the Gateway API serves it (see serving-traffic.test.ts)", () => {
        expect(() => renderIngress(ctxFor("gcp"), tlsFor("gcp"))).toThrow(
            "ingress flavour 'gce' cannot use TLS of kind 'gcp-managed' in an Ingress",
        );
    });

    test("existing clusters: the configured class, cert-manager issuer and TLS Secret", () => {
        const ingress = renderIngress(ctxFor("existing"), tlsFor("existing")) as Json;
        validateManifest(ingress);
        expect(ingress.spec.ingressClassName).toBe("nginx");
        expect(ingress.spec.tls).toEqual([
            { hosts: ["serve.modelfleet.example.com", "edge-muc.serve.modelfleet.example.com"], secretName: "serving-tls" },
        ]);
        expect(Object.keys(ingress.metadata.annotations).filter((k) => k.startsWith("cert-manager.io/"))).toEqual([]);
        expect(ingress.metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]).toBe("150");
        expect(paths(ingress)).toEqual(routes);
    });

    test("a certificate of the wrong kind for the flavour is refused", () => {
        expect(() => renderIngress(ctxFor("aws"), tlsFor("existing"))).toThrow(
            "ingress flavour 'alb' cannot use TLS of kind 'cert-manager'",
        );
    });
});

describe("NetworkPolicies", () => {
    test("deny everything by default, then allow each flow; schema-valid", () => {
        const policies = renderNetworkPolicies(ctxFor("aws"));
        Object.values(policies).forEach(validateManifest);
        expect(Object.keys(policies)).toEqual([
            "default-deny",
            "allow-ingress-controller",
            "allow-gateway-to-torchserve",
            "allow-prometheus-scrape",
            "torchserve-egress",
            "gateway-egress",
        ]);
        expect(policies["default-deny"].spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect((policies["allow-gateway-to-torchserve"].spec as Json).ingress).toEqual([
            {
                from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "tensorzero-gateway" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        expect((policies["allow-prometheus-scrape"].spec as Json).ingress).toEqual([
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                ports: [
                    { protocol: "TCP", port: 8082 },
                    { protocol: "TCP", port: 3000 },
                ],
            },
        ]);
    });

    test("the ingress controller's source follows the flavour: the ALB's public subnets, Google front ends, controller namespace", () => {
        const from = (f: Flavour) => (renderNetworkPolicies(ctxFor(f))["allow-ingress-controller"].spec as Json).ingress[0].from;
        // use1's VPC is 10.10.0.0/16 over 3 zones: only its public subnets, not the VPC (private subnets hold the nodes).
        expect(from("aws")).toEqual([
            { ipBlock: { cidr: "10.10.192.0/20" } },
            { ipBlock: { cidr: "10.10.208.0/20" } },
            { ipBlock: { cidr: "10.10.224.0/20" } },
        ]);
        expect(from("gcp")).toEqual([{ ipBlock: { cidr: "130.211.0.0/22" } }, { ipBlock: { cidr: "35.191.0.0/16" } }]);
        expect(from("existing")).toEqual([
            {
                namespaceSelector: {
                    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["ingress-nginx", "nginx"] }],
                },
            },
        ]);
    });

    test("egress is DNS and HTTPS, plus the identity endpoint the cluster's workload identity needs", () => {
        const egress = (f: Flavour) => (renderNetworkPolicies(ctxFor(f))["torchserve-egress"].spec as Json).egress;
        const dns = {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        };
        const https = { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] };
        expect(egress("aws")).toEqual([
            dns,
            https,
            { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
        ]);
        // GKE Workload Identity: the metadata server on 169.254.169.254:80 and its token endpoint on 169.254.169.252:988.
        expect(egress("gcp")).toEqual([
            dns,
            https,
            { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
            { to: [{ ipBlock: { cidr: "169.254.169.252/32" } }], ports: [{ protocol: "TCP", port: 988 }] },
        ]);
        expect(egress("existing")).toEqual([dns, https]);
        const gateway = (renderNetworkPolicies(ctxFor("aws"))["gateway-egress"].spec as Json).egress;
        expect(gateway).toContainEqual({
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "torchserve" } } }],
            ports: [{ protocol: "TCP", port: 8080 }],
        });
        expect(gateway).toContainEqual({
            to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
            ports: [
                { protocol: "TCP", port: 8123 },
                { protocol: "TCP", port: 8443 },
            ],
        });
    });
});

describe("NetworkPolicies for scrapers and the ACME solver", () => {
    const scrapeFrom = (c: ServingContext) =>
        (renderNetworkPolicies(c)["allow-prometheus-scrape"]?.spec as Json | undefined)?.ingress[0].from;
    const peer = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

    test("Prometheus is admitted from the cluster's scraper namespaces: GKE's collectors in gmp-system, the operator's elsewhere", () => {
        expect(scrapeFrom(ctxFor("gcp"))).toEqual([peer("gmp-system")]);
        expect(scrapeFrom(ctxFor("aws"))).toEqual([peer("monitoring")]);
        expect(scrapeFrom(ctxFor("existing"))).toEqual([peer("monitoring")]);
        Object.values(renderNetworkPolicies(ctxFor("gcp"))).forEach(validateManifest);
    });

    test("a caller's extra Prometheus namespace is added to the cluster's, once", () => {
        const config = fleetConfig(stackSettings("prod"));
        const region = config.regions[2];
        const store = { kind: "gcs" as const, uri: "gs://x", bucketRegion: "us-central1", staticCredentials: undefined };
        const withExtra = buildContext(config, region, clusterFor("gcp"), store, {
            namespace: "observability",
            labels: { release: "kps" },
        });
        expect(scrapeFrom(withExtra)).toEqual([peer("gmp-system"), peer("observability")]);
        expect(withExtra.monitoring).toEqual({
            kind: "gke-managed-prometheus",
            scraperNamespaces: ["gmp-system", "observability"],
            labels: { release: "kps" },
        });
        expect(buildContext(config, region, clusterFor("gcp"), store, { namespace: "gmp-system" }).monitoring.scraperNamespaces).toEqual([
            "gmp-system",
        ]);
    });

    test("no scraper namespaces means no scrape policy: an ingress rule without peers would admit every source", () => {
        const config = fleetConfig(stackSettings("prod"));
        const cluster = { ...clusterFor("aws"), monitoring: { kind: "prometheus-operator" as const, scraperNamespaces: [] } };
        const ctx = buildContext(config, config.regions[0], cluster, {
            kind: "s3",
            uri: "s3://x",
            bucketRegion: "us-east-1",
            staticCredentials: undefined,
        });
        const policies = renderNetworkPolicies(ctx);
        expect(Object.keys(policies)).not.toContain("allow-prometheus-scrape");
        for (const p of Object.values(policies))
            for (const rule of (p.spec as Json).ingress ?? []) expect(rule.from.length).toBeGreaterThan(0);
    });

    test("on ingress-class clusters the HTTP-01 solver pod takes TCP 8089 from the ingress controller; cloud ingresses need no such policy", () => {
        const policies = renderNetworkPolicies(ctxFor("existing"));
        const solver = policies["allow-acme-http01-solver"];
        validateManifest(solver);
        expect(solver.spec).toEqual({
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: {
                                matchExpressions: [
                                    { key: "kubernetes.io/metadata.name", operator: "In", values: ["ingress-nginx", "nginx"] },
                                ],
                            },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: 8089 }],
                },
            ],
        });
        expect((solver.spec as Json).ingress[0].from).toEqual((policies["allow-ingress-controller"].spec as Json).ingress[0].from);
        expect(Object.keys(renderNetworkPolicies(ctxFor("aws")))).not.toContain("allow-acme-http01-solver");
        expect(Object.keys(renderNetworkPolicies(ctxFor("gcp")))).not.toContain("allow-acme-http01-solver");
    });
});

describe("scaling, quota and limits", () => {
    const ctx = ctxFor("aws");

    test("one HPA per Deployment with the configured CPU target, bounds and scale-down stabilization", () => {
        const hpas = renderHpas(ctx);
        Object.values(hpas).forEach(validateManifest);
        expect(Object.keys(hpas)).toEqual(["torchserve-blue", "torchserve-green", "tensorzero-gateway"]);
        const blue = hpas["torchserve-blue"].spec as Json;
        expect(blue.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "torchserve-blue" });
        expect([blue.minReplicas, blue.maxReplicas]).toEqual([2, 4]);
        expect(blue.metrics[0]).toEqual({
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        });
        expect(blue.behavior.scaleDown.stabilizationWindowSeconds).toBe(900);
        expect((hpas["tensorzero-gateway"].spec as Json).metrics).toEqual([
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        ]);
        expect((hpas["tensorzero-gateway"].spec as Json).behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
        expect([(hpas["tensorzero-gateway"].spec as Json).minReplicas, (hpas["tensorzero-gateway"].spec as Json).maxReplicas]).toEqual([
            3, 10,
        ]);
    });

    test("the preview track's HPA keeps one pod warm, not replicas.min GPUs; switching the color moves the minimum", () => {
        const bounds = (c: ServingContext) =>
            Object.fromEntries(
                Object.entries(renderHpas(c))
                    .filter(([name]) => name.startsWith("torchserve-"))
                    .map(([name, h]) => [name, [(h.spec as Json).minReplicas, (h.spec as Json).maxReplicas]]),
            );
        expect(bounds(ctx)).toEqual({ "torchserve-blue": [2, 4], "torchserve-green": [1, 4] });
        const switched = fleetConfig(stackSettings("prod"));
        switched.serving = { ...switched.serving, activeColor: "green" };
        expect(bounds(ctxFor("aws", switched))).toEqual({ "torchserve-blue": [1, 4], "torchserve-green": [2, 4] });
    });

    test("the preview track's HPA keeps previewMinReplicas warm; raised to replicas.min, a switch leaves both HPAs as they are", () => {
        const bounds = (previewMinReplicas: number, activeColor: "blue" | "green") => {
            const config = fleetConfig(stackSettings("prod"));
            config.serving = { ...config.serving, activeColor, torchserve: { ...config.serving.torchserve, previewMinReplicas } };
            const hpas = renderHpas(ctxFor("aws", config));
            Object.values(hpas).forEach(validateManifest);
            return ["torchserve-blue", "torchserve-green"].map((n) => [
                (hpas[n].spec as Json).minReplicas,
                (hpas[n].spec as Json).maxReplicas,
            ]);
        };
        expect(bounds(3, "blue")).toEqual([
            [2, 4],
            [3, 4],
        ]);
        expect(bounds(3, "green")).toEqual([
            [3, 4],
            [2, 4],
        ]);
        // Warmed up before the switch: the track taking traffic already has replicas.min pods.
        expect(bounds(2, "blue")).toEqual([
            [2, 4],
            [2, 4],
        ]);
        expect(bounds(2, "green")).toEqual(bounds(2, "blue"));
    });

    test("one PDB per Deployment over its own pods", () => {
        const pdbs = renderPdbs(ctx);
        Object.values(pdbs).forEach(validateManifest);
        expect(pdbs["torchserve-green"].spec as Json).toEqual({
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "torchserve", "modelfleet.io/track": "green" } },
        });
        expect((pdbs["tensorzero-gateway"].spec as Json).selector.matchLabels).toEqual({ "app.kubernetes.io/name": "tensorzero-gateway" });
    });

    test("the quota fits both tracks and the gateway at their maximum plus a surge pod each", () => {
        // TorchServe: 2 tracks x (4 + 1) pods x 3 CPU / 12Gi / 1 GPU; gateway: (10 + 1) x 1 CPU / 1Gi; 2 pods of headroom at 500m / 512Mi.
        expect(quotaTotals(ctx)).toEqual({ milliCpu: 30000 + 11000 + 1000, bytes: (120 + 11 + 1) * 2 ** 30, gpus: 10, pods: 23 });
        const quota = renderResourceQuota(ctx) as Json;
        validateManifest(quota);
        expect(quota.spec.hard).toEqual({
            "requests.cpu": "42",
            "limits.cpu": "42",
            "requests.memory": "132Gi",
            "limits.memory": "132Gi",
            "requests.nvidia.com/gpu": "10",
            pods: "23",
        });
    });

    test("the limit range gives containers defaults and caps them at the largest serving container", () => {
        const limits = renderLimitRange(ctx) as Json;
        validateManifest(limits);
        expect(limits.spec.limits).toEqual([
            {
                type: "Container",
                default: { cpu: "500m", memory: "512Mi" },
                defaultRequest: { cpu: "100m", memory: "128Mi" },
                max: { cpu: "3", memory: "12Gi" },
            },
        ]);
    });

    test("the namespace enforces the restricted Pod Security Standard", () => {
        const ns = renderNamespace(ctx) as Json;
        validateManifest(ns);
        expect(ns.metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "restricted",
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "modelfleet",
        });
    });
});

describe("monitoring", () => {
    const ctx = ctxFor("aws");

    test("ServiceMonitors scrape TorchServe's metrics port and the gateway's /metrics", () => {
        const monitors = renderServiceMonitors(ctx);
        expect(monitors["torchserve"]).toMatchObject({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "torchserve", namespace: "modelfleet" },
        });
        expect(monitors["torchserve"].spec).toMatchObject({
            selector: { matchLabels: { "modelfleet.io/metrics": "torchserve" } },
            endpoints: [{ port: "metrics", path: "/metrics" }],
        });
        expect(monitors["tensorzero-gateway"].spec).toMatchObject({
            selector: { matchLabels: { "modelfleet.io/metrics": "gateway" } },
            endpoints: [{ port: "http", path: "/metrics" }],
        });
        // The selectors match the labels of the Services they are meant for.
        expect((renderMetricsService(ctx) as Json).metadata.labels["modelfleet.io/metrics"]).toBe("torchserve");
        expect((renderGatewayService(ctx) as Json).metadata.labels["modelfleet.io/metrics"]).toBe("gateway");
    });

    test("the PrometheusRule alerts on availability, errors, p95 latency, queue latency and restarts with TorchServe's metric names", () => {
        const rule = renderPrometheusRule(ctx);
        expect(rule).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" });
        const rules = alertRules(ctx);
        const byName = (n: string) => rules.filter((r) => r.alert === n);
        expect(byName("ModelfleetTorchServeDown")[0].expr).toBe('absent(up{namespace="modelfleet",job="torchserve-metrics"} == 1)');
        expect(byName("ModelfleetActiveTrackUnavailable")[0].expr).toContain('deployment="torchserve-blue"');
        expect(byName("ModelfleetTorchServeErrorRatio")[0].expr).toContain("Requests5XX");
        expect(byName("ModelfleetModelLatencyP95High").map((r) => r.expr)).toEqual([
            'max(quantile_over_time(0.95, PredictionTime{namespace="modelfleet",ModelName="resnet50"}[10m])) > 96000',
            'max(quantile_over_time(0.95, PredictionTime{namespace="modelfleet",ModelName="llama3-8b-instruct"}[10m])) > 240000',
        ]);
        expect(byName("ModelfleetModelQueueLatencyHigh")[0].expr).toContain(
            'rate(ts_queue_latency_microseconds{namespace="modelfleet",model_name="resnet50"}[5m])',
        );
        expect(byName("ModelfleetPodRestarting")[0].expr).toContain("kube_pod_container_status_restarts_total");
        for (const r of rules) {
            expect(["critical", "warning"]).toContain(r.labels.severity);
            expect(r.for).toMatch(/^[0-9]+m$/);
        }
    });

    test("the dashboard is a Grafana ConfigMap of valid JSON with a panel per signal", () => {
        const cm = renderDashboardConfigMap(ctx) as Json;
        validateManifest(cm);
        expect(cm.metadata.labels.grafana_dashboard).toBe("1");
        const dashboard = JSON.parse(cm.data["modelfleet-serving.json"]);
        expect(dashboard).toEqual(JSON.parse(JSON.stringify(dashboardJson(ctx))));
        expect(dashboard.uid).toBe("modelfleet-serving-use1");
        expect(dashboard.panels.length).toBe(8);
        expect(dashboard.panels.flatMap((p: Json) => p.targets.map((t: Json) => t.expr)).join("\n")).toContain(
            "ts_inference_requests_total",
        );
    });

    test("each cluster gets the CRDs its Prometheus reads: the operator's on EKS and edge, Managed Prometheus' on GKE", () => {
        expect(Object.keys(renderMonitoringObjects(ctxFor("aws")))).toEqual([
            "servicemonitor-torchserve",
            "servicemonitor-tensorzero-gateway",
            "prometheus-rule",
        ]);
        expect(Object.keys(renderMonitoringObjects(ctxFor("existing")))).toEqual(Object.keys(renderMonitoringObjects(ctxFor("aws"))));
        const gke = renderMonitoringObjects(ctxFor("gcp"));
        expect(Object.keys(gke)).toEqual(["podmonitoring-torchserve-metrics", "podmonitoring-tensorzero-gateway", "rules"]);
        expect(Object.values(gke).map((o) => `${o.apiVersion}/${o.kind}`)).toEqual([
            "monitoring.googleapis.com/v1/PodMonitoring",
            "monitoring.googleapis.com/v1/PodMonitoring",
            "monitoring.googleapis.com/v1/Rules",
        ]);
    });

    test("PodMonitorings select the pods and named container ports the Deployments have, and carry the track as the operator does", () => {
        const gcp = ctxFor("gcp");
        const monitors = renderPodMonitorings(gcp);
        expect(Object.keys(monitors)).toEqual(["torchserve-metrics", "tensorzero-gateway"]);
        const podOf = (d: object) => (d as Json).spec.template;
        const pods: Record<string, Json> = {
            "torchserve-metrics": podOf(renderTorchServeDeployment(gcp, "blue", "x")),
            "tensorzero-gateway": podOf(renderGatewayDeployment(gcp, "x")),
        };
        for (const [job, monitor] of Object.entries(monitors)) {
            // GKE labels series with job = the PodMonitoring's name: the job the rules match on.
            expect(monitor.metadata.name).toBe(job);
            expect(monitor.metadata.namespace).toBe("modelfleet");
            const spec = monitor.spec as Json;
            expect(pods[job].metadata.labels).toMatchObject(spec.selector.matchLabels);
            const portNamesOfPod = pods[job].spec.containers.flatMap((c: Json) => (c.ports ?? []).map((p: Json) => p.name));
            expect(portNamesOfPod).toContain(spec.endpoints[0].port);
            expect(spec.endpoints[0]).toEqual({ port: spec.endpoints[0].port, path: "/metrics", interval: "30s", timeout: "10s" });
            expect(spec.targetLabels).toEqual({ fromPod: [{ from: "modelfleet.io/track", to: TRACK_TARGET_LABEL }] });
        }
        expect(TRACK_TARGET_LABEL).toBe("modelfleet_io_track");
        expect(alertRules(gcp).find((r) => r.alert === "ModelfleetGatewayDown")?.expr).toContain('job="tensorzero-gateway"');
    });

    test("Rules carry the same alert rules as the PrometheusRule, in one evaluated group", () => {
        const gcp = ctxFor("gcp");
        const rules = renderRules(gcp);
        expect(rules).toMatchObject({
            apiVersion: "monitoring.googleapis.com/v1",
            kind: "Rules",
            metadata: { name: "modelfleet-serving", namespace: "modelfleet" },
        });
        expect((rules.spec as Json).groups[0]).toEqual({ name: "modelfleet-serving", interval: "1m", rules: alertRules(gcp) });
        expect((rules.spec as Json).groups.map((g: Json) => [g.name, g.interval])).toEqual([
            ["modelfleet-serving", "1m"],
            ["modelfleet-records", "1m"],
            ["modelfleet-slo", "1m"],
        ]);
        expect((renderPrometheusRule(gcp).spec as Json).groups[0].rules).toEqual(alertRules(gcp));
    });
});

describe("argument checks", () => {
    const base = () => {
        const config = fleetConfig(stackSettings("prod"));
        const region = config.regions[0];
        return {
            config,
            region,
            cluster: clusterFor("aws"),
            modelStore: { kind: "s3" as const },
            tls: { kind: "acm" as const, hosts: ["serve.modelfleet.example.com"] },
            llmImage: {},
        };
    };

    test("the committed prod regions pass", () => {
        expect(servingArgProblems(base())).toEqual([]);
    });

    test("a region serving an OpenAI model needs the LLM image's source (the digest is config validation's: serving-config-rules)", () => {
        const input = { ...base(), llmImage: undefined };
        expect(servingArgProblems(input)).toEqual([
            "llmImage is missing but region use1 serves llama3-8b-instruct (openai: true), which needs the vLLM image: pass the ImageRegistry's source for the region",
        ]);
    });

    test("a split needs weighted routing: nginx canaries on edge clusters, refused on other classes", () => {
        const config = fleetConfig(stackSettings("prod"));
        config.serving = { ...config.serving, traffic: { blue: 90, green: 10 } };
        const edge = inputFor(config, "edge-muc");
        expect(servingArgProblems(edge)).toEqual([]);
        const traefik = {
            ...edge,
            cluster: {
                ...edge.cluster,
                ingress: {
                    kind: "class" as const,
                    className: "traefik",
                    certIssuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" as const },
                },
            },
        };
        expect(servingArgProblems(traefik)).toEqual([
            "serving.traffic splits requests (blue 90%, green 10%) but region edge-muc's ingress class 'traefik' has no weighted routing (ingress-nginx canary annotations are what edge clusters use); set regions[3].ingressClass to an nginx class, or give one track 100",
        ]);
    });

    /** The check input of a committed region, with the cluster, store and TLS its flavour yields. */
    const inputFor = (config: FleetConfig, regionName: string) => {
        const region = config.regions.find((r) => r.name === regionName);
        if (!region) throw new Error(`no region ${regionName}`);
        const flavour: Flavour = region.cloud === "aws" ? "aws" : region.cloud === "gcp" ? "gcp" : "existing";
        return {
            config,
            region,
            cluster: { ...clusterFor(flavour), gpuPools: { [region.servingPool]: placement(region.servingPool) } },
            modelStore:
                flavour === "existing"
                    ? { kind: "s3" as const, staticCredentials: { accessKeyId: pulumi.output("a"), secretAccessKey: pulumi.output("b") } }
                    : { kind: flavour === "gcp" ? ("gcs" as const) : ("s3" as const) },
            tls: tlsFor(flavour),
            llmImage: flavour === "existing" ? { pullSecret: pulumi.output("{}") } : {},
        };
    };

    test("every committed region of both stacks passes with the cluster, store and TLS its flavour yields", () => {
        for (const config of [prod, dev]) {
            for (const region of config.regions)
                expect([region.name, servingArgProblems(inputFor(config, region.name))]).toEqual([region.name, []]);
        }
    });

    test("a pool the cluster lacks, a TLS kind that does not fit, and missing edge keys", () => {
        const input = base();
        input.region = { ...input.region, servingPool: "h100" };
        const edge = {
            ...input,
            tls: { kind: "cert-manager" as const, hosts: [] },
            cluster: { ...clusterFor("aws"), workloadIdentity: { kind: "static-credentials" as const } },
        };
        expect(servingArgProblems(edge)).toEqual([
            "cluster.gpuPools has no 'h100' (region use1's serving pool; the cluster has: l4, a10g-spot)",
            "tls is of kind 'cert-manager' but the cluster's 'alb' ingress needs 'acm'",
            "tls.hosts is empty: the Ingress needs at least one host",
            "modelStore.staticCredentials is missing: the cluster of region use1 has no workload identity",
        ]);
    });

    test("each TLS kind fits exactly one ingress flavour", () => {
        const input = base();
        const kinds = ["acm", "gcp-managed", "cert-manager"] as const;
        const flavours: RegionCluster["ingress"][] = [
            { kind: "alb", className: "alb" },
            { kind: "gce", className: "gce" },
            { kind: "class", className: "nginx", certIssuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" } },
        ];
        const fits = flavours.map((ingress) =>
            kinds.filter(
                (kind) =>
                    servingArgProblems({ ...input, cluster: { ...input.cluster, ingress }, tls: { kind, hosts: ["a.example.com"] } })
                        .length === 0,
            ),
        );
        expect(fits).toEqual([["acm"], ["gcp-managed"], ["cert-manager"]]);
    });
});

test("image versions become valid label values", () => {
    expect(imageVersion("pytorch/torchserve:0.12.0-gpu")).toBe("0.12.0-gpu");
    expect(imageVersion(`repo/x@sha256:${"a".repeat(64)}`)).toBe("sha256-aaaaaaaaaaaa");
    expect(imageVersion("registry:5000/team/image:1.2.3")).toBe("1.2.3");
});

describe("inference-pressure autoscaling", () => {
    test("the adapters: prometheus-adapter's rule over TorchServe's counters; the Stackdriver adapter on GKE; pinned, on the kubelet port", () => {
        const prom = renderMetricsAdapter({
            kind: "prometheus-operator",
            image: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
            prometheusUrl: "http://prometheus-operated.monitoring.svc:9090",
            nodeSelector: { "modelfleet.io/pool": "system" },
        });
        const container = (prom.deployment.spec as Json).template.spec.containers[0];
        expect(container.args).toEqual([
            "--cert-dir=/tmp",
            "--config=/etc/adapter/config.yaml",
            "--metrics-relist-interval=1m",
            "--prometheus-url=http://prometheus-operated.monitoring.svc:9090",
            "--secure-port=10250",
        ]);
        expect(YAML.parse((prom.configMaps[0].data as Json)["config.yaml"])).toEqual({
            rules: [
                {
                    seriesQuery: 'ts_queue_latency_microseconds{namespace!="",pod!="",model_name!=""}',
                    resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
                    name: { matches: "^ts_queue_latency_microseconds$", as: "ts_queue_latency_ms_per_request" },
                    metricsQuery:
                        "sum by (<<.GroupBy>>) (rate(ts_queue_latency_microseconds{<<.LabelMatchers>>}[2m])) / clamp_min(sum by (<<.GroupBy>>) (rate(ts_inference_requests_total{<<.LabelMatchers>>}[2m])), 1e-9) / 1000",
                },
            ],
        });
        const gke = renderMetricsAdapter({
            kind: "gke-managed-prometheus",
            image: "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0",
            prometheusUrl: "unused",
            nodeSelector: {},
            serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": "prod-usc1-metrics@modelfleet-prod.iam.gserviceaccount.com" },
        });
        expect((gke.deployment.spec as Json).template.spec.containers[0].command).toEqual([
            "/adapter",
            "--use-new-resource-model=true",
            "--fallback-for-container-metrics=true",
            "--secure-port=10250",
            "--cert-dir=/tmp",
        ]);
        expect(gke.configMaps).toEqual([]);
        expect((gke.serviceAccount.metadata as Json).annotations).toEqual({
            "iam.gke.io/gcp-service-account": "prod-usc1-metrics@modelfleet-prod.iam.gserviceaccount.com",
        });
        for (const a of [prom, gke]) {
            for (const object of [
                a.serviceAccount,
                ...a.clusterRoles,
                ...a.clusterRoleBindings,
                ...a.roleBindings,
                ...a.configMaps,
                a.deployment,
                a.podDisruptionBudget,
                a.service,
                a.apiService,
            ])
                validateManifest(object);
            expect(a.apiService.spec).toMatchObject({ group: "custom.metrics.k8s.io", version: "v1beta1" });
        }
    });

    test("EKS and edge: each model's queue wait through prometheus-adapter, CPU as the floor, no DCGM", () => {
        const blue = renderHpas(ctxFor("aws"))["torchserve-blue"].spec as Json;
        expect(blue.metrics.map((m: Json) => [m.type, m.resource?.name ?? m.pods?.metric.name])).toEqual([
            ["Resource", "cpu"],
            ...ctxFor("aws").models.map(() => ["Pods", "ts_queue_latency_ms_per_request"]),
        ]);
        expect(blue.metrics[1].pods.metric.selector).toEqual({ matchLabels: { model_name: ctxFor("aws").models[0].name } });
        expect(blue.metrics[1].pods.target).toEqual({ type: "AverageValue", averageValue: "200" });
    });

    test("GKE: the recorded queue wait and DCGM GPU utilisation through the Stackdriver adapter", () => {
        const ctx = ctxFor("gcp");
        const blue = renderHpas(ctx)["torchserve-blue"].spec as Json;
        const names = blue.metrics.map((m: Json) => m.pods?.metric.name).filter((n: string | undefined) => n !== undefined);
        expect(names).toContain("prometheus.googleapis.com|modelfleet_ts_queue_latency_ms|gauge");
        expect(names[names.length - 1]).toBe("prometheus.googleapis.com|DCGM_FI_DEV_GPU_UTIL|gauge");
        expect(blue.metrics[1].pods.metric.selector).toEqual({ matchLabels: { "metric.labels.model_name": ctx.models[0].name } });
        expect(blue.metrics[blue.metrics.length - 1].pods.target).toEqual({ type: "AverageValue", averageValue: "80" });
        const records = (renderRules(ctx).spec as Json).groups[1].rules.map((r: Json) => r.record);
        expect(records).toContain("modelfleet_ts_queue_latency_ms");
    });

    test("a model's own targets replace the defaults; fractions become milli-quantities", () => {
        const config = fleetConfig(stackSettings("prod"));
        config.models = config.models.map((m, i) => (i === 0 ? { ...m, scaling: { queueLatencyMs: 12.5, gpuUtilizationPercent: 60 } } : m));
        const hpa = renderHpas(ctxFor("gcp", config))["torchserve-blue"].spec as Json;
        expect(hpa.metrics[1].pods.target.averageValue).toBe("12500m");
        expect(hpa.metrics[hpa.metrics.length - 1].pods.target.averageValue).toBe("60");
    });

    test("GPU tracks scale up at most 2 pods or 50% per 2 minutes and down one pod per 5 minutes after 15 quiet minutes", () => {
        const blue = renderHpas(ctxFor("aws"))["torchserve-blue"].spec as Json;
        expect(blue.behavior).toEqual({
            scaleUp: {
                stabilizationWindowSeconds: 60,
                selectPolicy: "Max",
                policies: [
                    { type: "Pods", value: 2, periodSeconds: 120 },
                    { type: "Percent", value: 50, periodSeconds: 120 },
                ],
            },
            scaleDown: { stabilizationWindowSeconds: 900, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
        });
    });

    test("the SLO alerts compare each track's recorded figures with serving.slo", () => {
        const rules = (renderPrometheusRule(ctxFor("aws")).spec as Json).groups[2].rules as Json[];
        expect(rules.map((r) => [r.alert, r.labels.track, r.labels.severity, r.expr])).toEqual([
            [
                "ModelfleetTrackErrorRateAboveSlo",
                "blue",
                "critical",
                'modelfleet_track_error_rate_percent{namespace="modelfleet",modelfleet_io_track="blue"} > 1',
            ],
            [
                "ModelfleetTrackLatencyP95AboveSlo",
                "blue",
                "critical",
                'modelfleet_track_latency_p95_ms{namespace="modelfleet",modelfleet_io_track="blue"} > 2000',
            ],
            [
                "ModelfleetTrackErrorRateAboveSlo",
                "green",
                "warning",
                'modelfleet_track_error_rate_percent{namespace="modelfleet",modelfleet_io_track="green"} > 1',
            ],
            [
                "ModelfleetTrackLatencyP95AboveSlo",
                "green",
                "warning",
                'modelfleet_track_latency_p95_ms{namespace="modelfleet",modelfleet_io_track="green"} > 2000',
            ],
        ]);
    });
});
