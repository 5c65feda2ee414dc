/**
 * What the serving stack asks of each region is checked with the stack file, before any
 * resource exists: models to serve, the TorchServe release, pod size against the serving
 * nodes and the serving pool's room for both tracks and a rollout.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, formatProblem, validateSettings } from "../config";
import { torchserveVersion } from "../config/serving";
import { main as plan } from "../tools/plan";
import { checkStackFile } from "../tools/stackfile";
import { stackSettings } from "./mocks";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every problem line for a changed committed stack; [] when it passes. */
function problems(stack: "dev" | "prod", change: (raw: Json) => void): string[] {
    const raw = stackSettings(stack) as Json;
    change(raw);
    try {
        validateSettings(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map(formatProblem);
        throw e;
    }
    return [];
}

describe("serving capacity", () => {
    test("the committed stacks pass", () => {
        expect(problems("prod", () => undefined)).toEqual([]);
        expect(problems("dev", () => undefined)).toEqual([]);
    });

    test("a replicas.max the cloud pools cannot hold names each pool's maxNodes and both ways out", () => {
        // prod: 8 one-GPU nodes in use1, euw1 and usc1; 8 active + 1 warm preview + 1 surge = 10.
        expect(problems("prod", (raw) => (raw.serving.torchserve.replicas = { min: 2, max: 8 }))).toEqual([
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but use1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
        ]);
        // Exactly full is fine: 6 + 1 + 1 = 8.
        expect(problems("prod", (raw) => (raw.serving.torchserve.replicas = { min: 2, max: 6 }))).toEqual([]);
        // An existing cluster's pool states no maximum: nothing to check it against.
        expect(problems("prod", (raw) => (raw.regions[3].gpuPools[0].gpusPerNode = 1))).toEqual([]);
    });

    test("the preview track's previewMinReplicas counts, and replicas.max cannot be lowered below it", () => {
        expect(
            problems("prod", (raw) => {
                raw.regions[1].gpuPools[0].maxNodes = 6;
                raw.serving.torchserve.previewMinReplicas = 2;
            }),
        ).toEqual([
            "modelfleet:regions[1].gpuPools[0].maxNodes is 6 (6 TorchServe pod(s) at 1 per node) but euw1 needs 7: serving.torchserve.replicas.max 4, previewMinReplicas 2 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 7, or pulumi config set --path 'serving.torchserve.replicas.max' 3",
        ]);
        expect(problems("prod", (raw) => (raw.serving.torchserve.previewMinReplicas = 4))).toEqual([
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but use1 needs 9: serving.torchserve.replicas.max 4, previewMinReplicas 4 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 9",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 9: serving.torchserve.replicas.max 4, previewMinReplicas 4 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 9",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 9: serving.torchserve.replicas.max 4, previewMinReplicas 4 and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 9",
        ]);
    });

    test("pods per node are whole: two 2-GPU pods on a 4-GPU node, one 3-GPU pod", () => {
        const fourGpuPool = (raw: Json) => {
            raw.regions = [raw.regions[0], raw.regions[3]];
            raw.regions[0].gpuPools = [{ name: "l4x4", instanceTypes: ["g6.12xlarge"], minNodes: 0, maxNodes: 3 }];
            raw.regions[1].gpuPools[0].gpusPerNode = 4;
            raw.regions[1].modelStoreSource = "use1";
        };
        // 3 nodes x 2 pods = 6 = 4 + 1 + 1.
        expect(
            problems("prod", (raw) => {
                fourGpuPool(raw);
                raw.serving.torchserve.gpus = 2;
            }),
        ).toEqual([]);
        // 3 nodes x 1 pod = 3 < 6.
        expect(
            problems("prod", (raw) => {
                fourGpuPool(raw);
                raw.serving.torchserve.gpus = 3;
            }),
        ).toEqual([
            "modelfleet:regions[0].gpuPools[0].maxNodes is 3 (3 TorchServe pod(s) at 1 per node) but use1 needs 6: serving.torchserve.replicas.max 4, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 6",
        ]);
    });

    test("a pod larger than the serving nodes is one problem per key, naming every pool it does not fit", () => {
        expect(
            problems("prod", (raw) => {
                raw.serving.torchserve.cpu = "6";
                raw.serving.torchserve.memory = "20Gi";
            }),
        ).toEqual([
            "modelfleet:serving.torchserve.cpu is 6 but the serving nodes have fewer vCPUs: use1/l4 4 vCPUs, euw1/l4 4 vCPUs; fix: pulumi config set --path 'serving.torchserve.cpu' 3",
            "modelfleet:serving.torchserve.memory is 20Gi but the serving nodes have less memory: use1/l4 16 GiB, euw1/l4 16 GiB; fix: pulumi config set --path 'serving.torchserve.memory' 12Gi",
        ]);
        // Exactly a node's size passes (4 vCPUs = 4000m, 16Gi).
        expect(
            problems("prod", (raw) => {
                raw.serving.torchserve.cpu = "4000m";
                raw.serving.torchserve.memory = "16Gi";
            }),
        ).toEqual([]);
    });

    test("the README's add-region example, pasted into prod, passes config validation; with its pool shrunk to 4 nodes it stops at the config with the pool it must grow", async () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const example = /```yaml\n( {4}- name: apne1\n[\s\S]*?)```/.exec(readme)?.[1] ?? "";
        expect(example).toContain("maxNodes: 8 }");
        const prod = fs.readFileSync(path.join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
        const asWritten = prod.replace("    - name: edge-muc\n", `${example}    - name: edge-muc\n`);
        const withRegion = asWritten.replace("maxNodes: 8 }", "maxNodes: 4 }");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-config-"));
        try {
            const file = path.join(dir, "Pulumi.apne1.yaml");
            fs.writeFileSync(file, asWritten);
            expect(checkStackFile(file)).toMatchObject({ ok: true });
            fs.writeFileSync(file, withRegion);
            const stderr: string[] = [];
            const code = await plan(["--config-file", file, "--out", path.join(dir, "out")], {
                stdout: () => undefined,
                stderr: (line) => stderr.push(line),
            });
            expect(code).toBe(2);
            expect(stderr).toEqual([
                "modelfleet:regions[3].gpuPools[0].maxNodes is 4 (4 TorchServe pod(s) at 1 per node) but apne1 needs 6: serving.torchserve.replicas.max 4, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[3].gpuPools[0].maxNodes' 6, or pulumi config set --path 'serving.torchserve.replicas.max' 2",
            ]);
            expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("models and TorchServe release", () => {
    test("a region whose models list is empty would serve nothing", () => {
        expect(problems("prod", (raw) => (raw.regions[1].models = []))).toEqual([
            "modelfleet:regions[1].models is empty: the region would serve nothing; fix: list a model, or remove the key to serve every model: pulumi config rm --path 'regions[1].models'",
        ]);
    });

    test("TorchServe versions are read from tags; digests and custom tags carry none", () => {
        expect(torchserveVersion("pytorch/torchserve:0.11.1-gpu")).toEqual([0, 11, 1]);
        expect(torchserveVersion("pytorch/torchserve:0.12.0")).toEqual([0, 12, 0]);
        expect(torchserveVersion("registry.example.com:5000/ml/torchserve:v0.9.0-cpu")).toEqual([0, 9, 0]);
        expect(torchserveVersion(`pytorch/torchserve:0.10.0-gpu@sha256:${"a".repeat(64)}`)).toEqual([0, 10, 0]);
        expect(torchserveVersion(`pytorch/torchserve@sha256:${"a".repeat(64)}`)).toBeUndefined();
        expect(torchserveVersion("acme/llm-server:build-20250101")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:0.11.0.dev20240620")).toBeUndefined();
    });

    test("a TorchServe before 0.12.0 is refused naming the key that sets it; 0.12+, 1.x, digests and custom tags pass", () => {
        const digest = `pytorch/torchserve:0.11.1-gpu@sha256:${"b".repeat(64)}`;
        expect(
            problems("prod", (raw) => {
                raw.serving.tracks = {
                    blue: { torchserveImage: "registry.example.com:5000/ml/torchserve:v0.9.0-cpu" },
                    green: { torchserveImage: digest },
                };
            }),
        ).toEqual([
            "modelfleet:serving.tracks.blue.torchserveImage is 'registry.example.com:5000/ml/torchserve:v0.9.0-cpu' (TorchServe 0.9.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'serving.tracks.blue.torchserveImage' registry.example.com:5000/ml/torchserve:0.12.0-cpu",
            `modelfleet:serving.tracks.green.torchserveImage is '${digest}' (TorchServe 0.11.1) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'serving.tracks.green.torchserveImage' pytorch/torchserve:0.12.0-gpu`,
        ]);
        for (const image of [
            "pytorch/torchserve:0.12.0-gpu",
            "pytorch/torchserve:1.0.0",
            `pytorch/torchserve@sha256:${"c".repeat(64)}`,
            "acme/llm-server:build-20250101",
        ]) {
            expect([image, problems("prod", (raw) => (raw.serving.tracks = { blue: { torchserveImage: image } }))]).toEqual([image, []]);
        }
        // Tracks without their own image run images.torchserve: that key, once.
        const untracked = (raw: Json) => {
            raw.serving.tracks = {};
            raw.images = { ...raw.images, torchserve: "pytorch/torchserve:0.10.0-gpu" };
        };
        expect(problems("prod", untracked)).toEqual([
            "modelfleet:images.torchserve is 'pytorch/torchserve:0.10.0-gpu' (TorchServe 0.10.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'images.torchserve' pytorch/torchserve:0.12.0-gpu",
        ]);
    });
});

describe("system pools", () => {
    test("maxNodes below minNodes, and an EKS desiredNodes outside them, are named with the fix", () => {
        expect(
            problems("prod", (raw) => {
                raw.regions[0].systemPool = { minNodes: 3, maxNodes: 2, desiredNodes: 5 };
                raw.regions[2].systemPool = { minNodes: 4, maxNodes: 2 };
            }),
        ).toEqual([
            "modelfleet:regions[0].systemPool.maxNodes must be >= minNodes (3); fix: pulumi config set --path 'regions[0].systemPool.maxNodes' 3",
            "modelfleet:regions[0].systemPool.desiredNodes must be between minNodes (3) and maxNodes (2); fix: pulumi config set --path 'regions[0].systemPool.desiredNodes' 3",
            "modelfleet:regions[2].systemPool.maxNodes must be >= minNodes (4); fix: pulumi config set --path 'regions[2].systemPool.maxNodes' 4",
        ]);
        // The bounds are inclusive.
        expect(problems("prod", (raw) => (raw.regions[0].systemPool = { minNodes: 2, maxNodes: 2, desiredNodes: 2 }))).toEqual([]);
        expect(problems("prod", (raw) => (raw.regions[0].systemPool = { minNodes: 2, maxNodes: 4, desiredNodes: 4 }))).toEqual([]);
        expect(problems("prod", (raw) => (raw.regions[0].systemPool = { minNodes: 2, maxNodes: 4, desiredNodes: 1 }))).toEqual([
            "modelfleet:regions[0].systemPool.desiredNodes must be between minNodes (2) and maxNodes (4); fix: pulumi config set --path 'regions[0].systemPool.desiredNodes' 2",
        ]);
    });
});

describe("global entry", () => {
    test("Route 53 needs at least 3 health-checker regions: 3 pass, 2 do not", () => {
        const checkers = (regions: string[]) => (raw: Json) => (raw.globalEntry.healthCheck = { ...raw.globalEntry.healthCheck, regions });
        expect(problems("prod", checkers(["us-east-1", "eu-west-1", "ap-southeast-1"]))).toEqual([]);
        expect(problems("prod", checkers(["us-east-1", "eu-west-1"]))).toEqual([
            "modelfleet:globalEntry.healthCheck.regions must list at least 3 checker regions (Route 53's minimum); fix: pulumi config set --path 'globalEntry.healthCheck.regions[2]' ap-southeast-1",
        ]);
    });
});

describe("one home per rule", () => {
    /** Wording of rules about the stack file, which config/ owns and no component may repeat. */
    const configOwned = [
        "must be >= minNodes",
        "must be between minNodes",
        "TorchServe pod(s)",
        "rollout surge pod",
        "the rendered config needs TorchServe",
        "the region would serve nothing",
        "but the nodes of",
        "but the serving nodes have",
        "is not a known GPU",
        "must be >= minWorkers",
        "must be >= replicas.min",
        "would never wait to fill a batch",
    ];

    function sources(dir: string): string[] {
        return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) return sources(full);
            return entry.name.endsWith(".ts") ? [full] : [];
        });
    }

    test("config/ states each of them", () => {
        const config = sources(path.join(__dirname, "..", "config"))
            .map((f) => fs.readFileSync(f, "utf8"))
            .join("\n");
        expect(configOwned.filter((rule) => !config.includes(rule))).toEqual([]);
    });

    test("no component repeats them", () => {
        const found: string[] = [];
        for (const file of sources(path.join(__dirname, "..", "components"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const rule of configOwned)
                if (text.includes(rule)) found.push(`${path.relative(path.join(__dirname, ".."), file)}: ${rule}`);
        }
        expect(found).toEqual([]);
    });
});
