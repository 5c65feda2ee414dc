/**
 * What the serving stack asks of each region, pinned by the exact problem: the TorchServe
 * release, models to serve, and pod requests against the serving nodes.
 */
import { formatProblem } from "../config";
import { MIN_TORCHSERVE_VERSION, TORCHSERVE_MAX_SURGE, torchserveVersion } from "../config/serving";
import { mutate, type Edits } from "./mocks";

const cases: Array<[string, "dev" | "prod", Edits, string[]]> = [
    [
        "a TorchServe image older than 0.12.0 is refused with the tag moved to 0.12.0",
        "dev",
        [["images.torchserve", "pytorch/torchserve:0.11.1-gpu"]],
        [
            "modelfleet:images.torchserve is 'pytorch/torchserve:0.11.1-gpu' (TorchServe 0.11.1) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'images.torchserve' pytorch/torchserve:0.12.0-gpu",
        ],
    ],
    [
        "a track's own old image is named by its key, its digest dropped from the fix",
        "prod",
        [["serving.tracks.green.torchserveImage", "registry.example.com/pytorch/torchserve:v0.11.0-cpu@sha256:abc"]],
        [
            "modelfleet:serving.tracks.green.torchserveImage is 'registry.example.com/pytorch/torchserve:v0.11.0-cpu@sha256:abc' (TorchServe 0.11.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'serving.tracks.green.torchserveImage' registry.example.com/pytorch/torchserve:0.12.0-cpu",
        ],
    ],
    [
        "both tracks on images.torchserve report it once",
        "prod",
        [
            ["serving.tracks", {}],
            ["images.torchserve", "pytorch/torchserve:0.9.0"],
        ],
        [
            "modelfleet:images.torchserve is 'pytorch/torchserve:0.9.0' (TorchServe 0.9.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'images.torchserve' pytorch/torchserve:0.12.0",
        ],
    ],
    [
        "a track on images.torchserve is still reported after another track's own old image",
        "prod",
        [
            ["serving.tracks", { blue: { torchserveImage: "pytorch/torchserve:0.11.0" } }],
            ["images.torchserve", "pytorch/torchserve:0.10.0"],
        ],
        [
            "modelfleet:serving.tracks.blue.torchserveImage is 'pytorch/torchserve:0.11.0' (TorchServe 0.11.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'serving.tracks.blue.torchserveImage' pytorch/torchserve:0.12.0",
            "modelfleet:images.torchserve is 'pytorch/torchserve:0.10.0' (TorchServe 0.10.0) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'images.torchserve' pytorch/torchserve:0.12.0",
        ],
    ],
    [
        "a multi-digit version part is replaced whole in the fix",
        "dev",
        [["images.torchserve", "pytorch/torchserve:0.9.10-gpu"]],
        [
            "modelfleet:images.torchserve is 'pytorch/torchserve:0.9.10-gpu' (TorchServe 0.9.10) but the rendered config needs TorchServe 0.12.0 or later (default_startup_timeout, per-model startupTimeout, the OpenAI-compatible route); fix: pulumi config set --path 'images.torchserve' pytorch/torchserve:0.12.0-gpu",
        ],
    ],
    [
        "traffic split between both tracks counts both at their shares",
        "prod",
        [
            ["serving.traffic", { blue: 50, green: 50 }],
            ["serving.torchserve.replicas", { min: 2, max: 8 }],
        ],
        [
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but use1 needs 13: both tracks at their shares (blue 50%, green 50%: 12 pods) and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 13, or pulumi config set --path 'serving.torchserve.replicas.max' 3",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 13: both tracks at their shares (blue 50%, green 50%: 12 pods) and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 13, or pulumi config set --path 'serving.torchserve.replicas.max' 3",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 13: both tracks at their shares (blue 50%, green 50%: 12 pods) and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 13, or pulumi config set --path 'serving.torchserve.replicas.max' 3",
        ],
    ],
    [
        "all traffic on green counts one track at replicas.max and the preview minimum",
        "prod",
        [
            ["serving.traffic", { blue: 0, green: 100 }],
            ["serving.torchserve.replicas", { min: 2, max: 8 }],
        ],
        [
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but use1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 10: serving.torchserve.replicas.max 8, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 10, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
        ],
    ],
    [
        "nodes with four GPUs hold four pods each, so fewer nodes are asked for",
        "prod",
        [
            ["regions[0].gpuPools[0].instanceTypes", ["g6.12xlarge"]],
            ["serving.torchserve.replicas", { min: 2, max: 40 }],
        ],
        [
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (32 TorchServe pod(s) at 4 per node) but use1 needs 42: serving.torchserve.replicas.max 40, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 11, or pulumi config set --path 'serving.torchserve.replicas.max' 30",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 42: serving.torchserve.replicas.max 40, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 42, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 42: serving.torchserve.replicas.max 40, previewMinReplicas 1 and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 42, or pulumi config set --path 'serving.torchserve.replicas.max' 6",
        ],
    ],
    ["0.12.1 passes", "dev", [["images.torchserve", "pytorch/torchserve:0.12.1-gpu"]], []],
    ["1.0.0 passes", "dev", [["images.torchserve", "pytorch/torchserve:1.0.0"]], []],
    ["0.13.0 passes", "dev", [["images.torchserve", "pytorch/torchserve:0.13.0"]], []],
    ["a digest-only image is not judged by version", "dev", [["images.torchserve", "pytorch/torchserve@sha256:abc"]], []],
    [
        "a tag that is not a version is refused by the schema, not here",
        "dev",
        [["images.torchserve", "pytorch/torchserve:latest"]],
        [
            "modelfleet:images.torchserve must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged; fix: pulumi config set --path 'images.torchserve' <value>",
        ],
    ],
    [
        "an empty model list serves nothing",
        "prod",
        [["regions[3].models", []]],
        [
            "modelfleet:regions[3].models is empty: the region would serve nothing; fix: list a model, or remove the key to serve every model: pulumi config rm --path 'regions[3].models'",
        ],
    ],
    [
        "a CPU request above the serving nodes names each short pool",
        "prod",
        [["serving.torchserve.cpu", "5"]],
        [
            "modelfleet:serving.torchserve.cpu is 5 but the serving nodes have fewer vCPUs: use1/l4 4 vCPUs, euw1/l4 4 vCPUs; fix: pulumi config set --path 'serving.torchserve.cpu' 3",
        ],
    ],
    ["a CPU request equal to the nodes' vCPUs passes", "prod", [["serving.torchserve.cpu", "4"]], []],
    [
        "one millicore above the nodes' vCPUs is refused",
        "prod",
        [["serving.torchserve.cpu", "4001m"]],
        [
            "modelfleet:serving.torchserve.cpu is 4001m but the serving nodes have fewer vCPUs: use1/l4 4 vCPUs, euw1/l4 4 vCPUs; fix: pulumi config set --path 'serving.torchserve.cpu' 3",
        ],
    ],
    [
        "a memory request above the serving nodes names each short pool",
        "prod",
        [["serving.torchserve.memory", "17Gi"]],
        [
            "modelfleet:serving.torchserve.memory is 17Gi but the serving nodes have less memory: use1/l4 16 GiB, euw1/l4 16 GiB; fix: pulumi config set --path 'serving.torchserve.memory' 12Gi",
        ],
    ],
    ["a memory request equal to the nodes' memory passes", "prod", [["serving.torchserve.memory", "16Gi"]], []],
    [
        "the fix sizes the pod for the smallest short node",
        "prod",
        [["serving.torchserve.memory", "40Gi"]],
        [
            "modelfleet:serving.torchserve.memory is 40Gi but the serving nodes have less memory: use1/l4 16 GiB, euw1/l4 16 GiB, usc1/l4 32 GiB; fix: pulumi config set --path 'serving.torchserve.memory' 12Gi",
        ],
    ],
];

describe("serving rules name the key and the fix", () => {
    test.each(cases)("%s", (_title, stack, edits, expected) => {
        expect(mutate(stack, edits).map(formatProblem)).toEqual(expected);
    });
});

describe("the TorchServe version an image states", () => {
    test("read from the tag, with or without a v and a variant suffix", () => {
        expect(torchserveVersion("pytorch/torchserve:0.12.0")).toEqual([0, 12, 0]);
        expect(torchserveVersion("pytorch/torchserve:0.12.0-gpu")).toEqual([0, 12, 0]);
        expect(torchserveVersion("registry.example.com:5000/ml/torchserve:v1.2.3-cpu.x_y@sha256:abc")).toEqual([1, 2, 3]);
        expect(torchserveVersion("torchserve:10.20.30")).toEqual([10, 20, 30]);
    });

    test("none for a digest only, an untagged name, or a tag in another form", () => {
        expect(torchserveVersion("pytorch/torchserve@sha256:abc")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:latest")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:0.12")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:x0.12.0")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:0.12.0-")).toBeUndefined();
        expect(torchserveVersion("pytorch/torchserve:0.12.0 gpu")).toBeUndefined();
        expect(torchserveVersion("")).toBeUndefined();
    });

    test("the minimum release and the rollout surge", () => {
        expect(MIN_TORCHSERVE_VERSION).toEqual([0, 12, 0]);
        expect(TORCHSERVE_MAX_SURGE).toBe(1);
    });
});
