/**
 * Cross-field rules of the stack config, each pinned by the exact problem line (key path,
 * message and fix) on an edited committed stack, with the value on the passing side of
 * each boundary.
 */
import { formatProblem } from "../config";
import { mutate, problemsOf, stackSettings, type Edits } from "./mocks";

const cases: Array<[string, "dev" | "prod", Edits, string[]]> = [
    [
        "a pool name repeated in a region is renamed",
        "prod",
        [["regions[0].gpuPools[1].name", "l4"]],
        [
            "modelfleet:regions[0].gpuPools[1].name duplicates pool name 'l4' in region use1; fix: pulumi config set --path 'regions[0].gpuPools[1].name' l4-2",
        ],
    ],
    [
        "a batch above 512 is refused, 512 is not",
        "dev",
        [["models[0].batchSize", 513]],
        ["modelfleet:models[0].batchSize must be at most 512; fix: pulumi config set --path 'models[0].batchSize' 32"],
    ],
    ["a batch of exactly 512 passes", "dev", [["models[0].batchSize", 512]], []],
    [
        "a region name repeated is renamed",
        "prod",
        [["regions[1].name", "use1"]],
        [
            "modelfleet:regions[1].name duplicates region name 'use1'; fix: pulumi config set --path 'regions[1].name' use1-2",
            "modelfleet:regions[3].modelStoreSource must name an AWS region entry holding a model-store copy (one of: use1, use1); fix: pulumi config set --path 'regions[3].modelStoreSource' use1",
        ],
    ],
    [
        "an EKS pool with minNodes, maxNodes and desiredNodes all equal passes",
        "prod",
        [
            ["regions[0].gpuPools[0].minNodes", 8],
            ["regions[0].gpuPools[0].desiredNodes", 8],
        ],
        [],
    ],
    ["desiredNodes equal to minNodes passes", "prod", [["regions[0].gpuPools[0].desiredNodes", 1]], []],
    ["a GKE pool with minNodes equal to maxNodes passes", "prod", [["regions[2].gpuPools[0].minNodes", 8]], []],
    [
        "a GKE pool with minNodes above maxNodes is refused",
        "prod",
        [["regions[2].gpuPools[0].minNodes", 9]],
        [
            "modelfleet:regions[2].gpuPools[0].maxNodes must be >= minNodes (9); fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 9",
        ],
    ],
    ["TorchServe replicas.min equal to replicas.max passes", "prod", [["serving.torchserve.replicas.min", 4]], []],
    ["gateway replicas.min equal to replicas.max passes", "prod", [["serving.gateway.replicas.min", 10]], []],
    [
        "an accelerator count the machine does not take lists the counts it does",
        "prod",
        [
            ["regions[2].gpuPools[0].machineType", "n1-standard-8"],
            ["regions[2].gpuPools[0].acceleratorCount", 3],
        ],
        [
            "modelfleet:regions[2].gpuPools[0].acceleratorCount is 3 but n1-standard-8 takes 1 or 2 or 4 GPU(s); fix: pulumi config set --path 'regions[2].gpuPools[0].acceleratorCount' 1",
        ],
    ],
    [
        "batching with no delay never fills a batch",
        "dev",
        [
            ["models[0].batchSize", 2],
            ["models[0].maxBatchDelayMs", 0],
        ],
        [
            "modelfleet:models[0].maxBatchDelayMs is 0 with batchSize 2: TorchServe would never wait to fill a batch; fix: pulumi config set --path 'models[0].maxBatchDelayMs' 50",
        ],
    ],
    [
        "maxWorkers below minWorkers is raised to it, equal is fine",
        "dev",
        [["models[0].minWorkers", 3]],
        ["modelfleet:models[0].maxWorkers must be >= minWorkers (3); fix: pulumi config set --path 'models[0].maxWorkers' 3"],
    ],
    ["maxWorkers equal to minWorkers passes", "dev", [["models[0].minWorkers", 2]], []],
    [
        "more than 16 workers per GPU is refused, 16 is not",
        "dev",
        [["models[0].maxWorkers", 17]],
        [
            "modelfleet:models[0].maxWorkers is 17 for 1 GPU(s) per pod; more than 16 workers per GPU thrash GPU memory; fix: pulumi config set --path 'models[0].maxWorkers' 4",
        ],
    ],
    ["16 workers per GPU passes", "dev", [["models[0].maxWorkers", 16]], []],
    [
        "the serving domain needs a hosted zone, by name or id",
        "dev",
        [["globalEntry.hostedZoneName", undefined]],
        [
            "modelfleet:globalEntry.hostedZoneName is required (or hostedZoneId): the Route 53 zone that holds the serving domain; fix: pulumi config set --path 'globalEntry.hostedZoneName' example.com",
        ],
    ],
    [
        "a hosted zone id without a name passes",
        "dev",
        [
            ["globalEntry.hostedZoneName", undefined],
            ["globalEntry.hostedZoneId", "Z123456789ABC"],
        ],
        [],
    ],
    [
        "the serving domain must lie inside the hosted zone",
        "dev",
        [["serving.domain", "serve.other.com"]],
        [
            "modelfleet:serving.domain 'serve.other.com' is not inside hosted zone 'modelfleet.example.com'; fix: pulumi config set --path 'serving.domain' serve.modelfleet.example.com",
        ],
    ],
    [
        "a trailing dot is refused by the schema first",
        "dev",
        [["serving.domain", "Modelfleet.Example.com."]],
        [
            "modelfleet:serving.domain must not end with '.': Ingress hosts and certificates refuse a trailing dot; fix: pulumi config set --path 'serving.domain' <value>",
        ],
    ],
    [
        "a domain that only ends with the zone's text is outside it",
        "dev",
        [["serving.domain", "xmodelfleet.example.com"]],
        [
            "modelfleet:serving.domain 'xmodelfleet.example.com' is not inside hosted zone 'modelfleet.example.com'; fix: pulumi config set --path 'serving.domain' serve.modelfleet.example.com",
        ],
    ],
    [
        "failover routing needs a failover primary",
        "prod",
        [["globalEntry.routing", "failover"]],
        [
            "modelfleet:globalEntry.failoverPrimary is required when routing is failover; fix: pulumi config set --path 'globalEntry.failoverPrimary' use1",
        ],
    ],
    [
        "failover to a routed region passes",
        "prod",
        [
            ["globalEntry.routing", "failover"],
            ["globalEntry.failoverPrimary", "euw1"],
        ],
        [],
    ],
    [
        "the failover primary must be a routed region",
        "prod",
        [
            ["globalEntry.routing", "failover"],
            ["globalEntry.failoverPrimary", "nope"],
        ],
        [
            "modelfleet:globalEntry.failoverPrimary must name a routed region (one of: use1, euw1, usc1, edge-muc), got 'nope'; fix: pulumi config set --path 'globalEntry.failoverPrimary' use1",
        ],
    ],
    [
        "a failover primary without failover routing is refused",
        "prod",
        [["globalEntry.failoverPrimary", "euw1"]],
        [
            "modelfleet:globalEntry.failoverPrimary is only used when routing is failover; fix: pulumi config rm --path 'globalEntry.failoverPrimary', or set routing: pulumi config set --path 'globalEntry.routing' failover",
        ],
    ],
    [
        "health checks run only from Route 53's checker regions",
        "prod",
        [["globalEntry.healthCheck.regions", ["us-east-1", "mars-1", "eu-west-1"]]],
        [
            "modelfleet:globalEntry.healthCheck.regions[1] 'mars-1' is not a Route 53 health-checker region (us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1); fix: pulumi config set --path 'globalEntry.healthCheck.regions[1]' us-east-1",
        ],
    ],
    [
        "fewer than three checker regions is refused",
        "prod",
        [["globalEntry.healthCheck.regions", ["us-east-1", "eu-west-1"]]],
        [
            "modelfleet:globalEntry.healthCheck.regions must list at least 3 checker regions (Route 53's minimum); fix: pulumi config set --path 'globalEntry.healthCheck.regions[2]' ap-southeast-1",
        ],
    ],
    [
        "an unknown GCP region is named with the supported list",
        "prod",
        [["regions[2].region", "mars-central1"]],
        [
            "modelfleet:regions[2].region 'mars-central1' is not a supported GCP region (us-central1, us-east1, us-east4, us-west1, us-west4, europe-west1, europe-west4, asia-east1, asia-southeast1); fix: pulumi config set --path 'regions[2].region' us-central1",
        ],
    ],
    [
        "an unknown GCP machine type is named with the known list",
        "prod",
        [["regions[2].gpuPools[0].machineType", "n1-standard-4"]],
        [
            "modelfleet:regions[2].gpuPools[0].machineType 'n1-standard-4' is not a known GPU machine type (g2-standard-4, g2-standard-8, g2-standard-12, g2-standard-16, g2-standard-24, g2-standard-48, g2-standard-96, a2-highgpu-1g, a2-highgpu-2g, a2-highgpu-4g, a2-highgpu-8g, a2-ultragpu-1g, a2-ultragpu-8g, a3-highgpu-8g, n1-standard-8, n1-standard-16); fix: pulumi config set --path 'regions[2].gpuPools[0].machineType' g2-standard-8",
        ],
    ],
    [
        "a zone outside the GCP region is named by its index",
        "prod",
        [["regions[2].gpuPools[0].zones", ["us-central1-a", "us-east1-b"]]],
        [
            "modelfleet:regions[2].gpuPools[0].zones[1] 'us-east1-b' is not a zone of us-central1 (us-central1-a, us-central1-b, us-central1-c, us-central1-f); fix: pulumi config set --path 'regions[2].gpuPools[0].zones[1]' us-central1-a",
        ],
    ],
    ["an accelerator count the machine takes passes", "prod", [["regions[2].gpuPools[0].acceleratorCount", 1]], []],
    [
        "an AWS pool mixing GPU counts must be split",
        "prod",
        [["regions[0].gpuPools[0].instanceTypes", ["g6.xlarge", "g6.12xlarge"]]],
        [
            "modelfleet:regions[0].gpuPools[0].instanceTypes mixes instance types with 1 and 4 GPUs; a pool's nodes must all have the same GPU count; fix: split them into separate pools",
        ],
    ],
    ["all three zones of eu-west-1 pass", "prod", [["regions[1].azCount", 3]], []],
    [
        "a serving pool the region does not have is named with its pools",
        "prod",
        [["regions[0].servingPool", "h100"]],
        [
            "modelfleet:regions[0].servingPool names unknown GPU pool 'h100' (pools: l4, a10g-spot); fix: pulumi config set --path 'regions[0].servingPool' l4",
        ],
    ],
    ["a region's second pool may serve", "prod", [["regions[0].servingPool", "a10g-spot"]], []],
    [
        "GPUs per pod above a serving node's count are named per region",
        "prod",
        [["serving.torchserve.gpus", 2]],
        [
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of use1/l4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of euw1/l4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of usc1/l4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of edge-muc/t4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
        ],
    ],
    [
        "an existing cluster needs its kubeconfig",
        "prod",
        [["kubeconfigs", {}]],
        [
            "modelfleet:kubeconfigs.edge-muc is missing: region edge-muc is an existing cluster and needs its kubeconfig; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' \"$(cat kubeconfig.yaml)\"",
        ],
    ],
    [
        "an existing cluster reads the copy of an AWS region",
        "prod",
        [["regions[3].modelStoreSource", "usc1"]],
        [
            "modelfleet:regions[3].modelStoreSource must name an AWS region entry holding a model-store copy (one of: use1, euw1); fix: pulumi config set --path 'regions[3].modelStoreSource' use1",
        ],
    ],
    [
        "an existing cluster needs read-only store keys",
        "prod",
        [["edgeStoreCredentials", {}]],
        [
            'modelfleet:edgeStoreCredentials.edge-muc is missing: region edge-muc pulls models with read-only keys; fix: pulumi config set --secret --path \'edgeStoreCredentials.edge-muc\' \'{"accessKeyId":"...","secretAccessKey":"..."}\'',
        ],
    ],
    [
        "replicas.max below replicas.min for either deployment",
        "prod",
        [
            ["serving.torchserve.replicas", { min: 5, max: 4 }],
            ["serving.gateway.replicas", { min: 11, max: 10 }],
        ],
        [
            "modelfleet:serving.torchserve.replicas.max must be >= replicas.min (5); fix: pulumi config set --path 'serving.torchserve.replicas.max' 5",
            "modelfleet:serving.gateway.replicas.max must be >= replicas.min (11); fix: pulumi config set --path 'serving.gateway.replicas.max' 11",
        ],
    ],
    [
        "previewMinReplicas above replicas.max",
        "prod",
        [["serving.torchserve.previewMinReplicas", 5]],
        [
            "modelfleet:serving.torchserve.previewMinReplicas is 5 but must be <= replicas.max (4): the preview track's HPA shares that maximum; fix: pulumi config set --path 'serving.torchserve.previewMinReplicas' 2",
            "modelfleet:regions[0].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but use1 needs 10: serving.torchserve.replicas.max 4, previewMinReplicas 5 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 10",
            "modelfleet:regions[1].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but euw1 needs 10: serving.torchserve.replicas.max 4, previewMinReplicas 5 and 1 rollout surge pod; fix: pulumi config set --path 'regions[1].gpuPools[0].maxNodes' 10",
            "modelfleet:regions[2].gpuPools[0].maxNodes is 8 (8 TorchServe pod(s) at 1 per node) but usc1 needs 10: serving.torchserve.replicas.max 4, previewMinReplicas 5 and 1 rollout surge pod; fix: pulumi config set --path 'regions[2].gpuPools[0].maxNodes' 10",
        ],
    ],
    [
        "previewMinReplicas equal to replicas.max is allowed; only the pool is short of room",
        "dev",
        [["serving.torchserve.previewMinReplicas", 2]],
        [
            "modelfleet:regions[0].gpuPools[0].maxNodes is 4 (4 TorchServe pod(s) at 1 per node) but use1 needs 5: serving.torchserve.replicas.max 2, previewMinReplicas 2 and 1 rollout surge pod; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 5",
        ],
    ],
    [
        "the store's primary must be an AWS region",
        "prod",
        [["modelStore.primaryRegion", "usc1"]],
        [
            "modelfleet:modelStore.primaryRegion must name an AWS region entry (one of: use1, euw1), got 'usc1'; fix: pulumi config set --path 'modelStore.primaryRegion' use1",
        ],
    ],
    [
        "a drain shorter than the longest timeout plus margin, one second short",
        "prod",
        [["serving.torchserve.drainSeconds", 314]],
        [
            "modelfleet:serving.torchserve.drainSeconds is 314 but models[1].responseTimeoutSeconds (llama3-8b-instruct) is 300: a rollout would cut answers still running; it must be at least 315 (the timeout plus 15 s); fix: pulumi config set --path 'serving.torchserve.drainSeconds' 315, or remove it to derive it: pulumi config rm --path 'serving.torchserve.drainSeconds'",
        ],
    ],
    ["a drain of exactly the timeout plus margin passes", "prod", [["serving.torchserve.drainSeconds", 315]], []],
    [
        "a region serving an OpenAI model needs the LLM image digest",
        "prod",
        [["images.torchserveLlmDigest", undefined]],
        [
            "modelfleet:images.torchserveLlmDigest is not set but region use1 serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track blue would run without it; fix: build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md), then pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>",
            "modelfleet:images.torchserveLlmDigest is not set but region euw1 serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track blue would run without it; fix: build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md), then pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>",
            "modelfleet:images.torchserveLlmDigest is not set but region usc1 serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track blue would run without it; fix: build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md), then pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>",
        ],
    ],
    [
        "an edge cluster serving an OpenAI model needs a pull secret",
        "prod",
        [["regions[3].models", ["resnet50", "llama3-8b-instruct"]]],
        [
            "modelfleet:edgeImagePullSecrets.edge-muc is missing: region edge-muc serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM, and the cluster pulls the LLM-track image from a private registry with a read-only identity; fix: pulumi config set --secret --path 'edgeImagePullSecrets.edge-muc' \"$(cat dockerconfig.json)\" (docs/serving.md)",
        ],
    ],
    [
        "a model name repeated is refused",
        "dev",
        [["models[1].name", "resnet50"]],
        [
            "modelfleet:models[1].name duplicates model name 'resnet50'; fix: give each model a unique name, or bump models[1].version instead",
        ],
    ],
    [
        "desiredNodes above maxNodes",
        "prod",
        [["regions[0].gpuPools[0].desiredNodes", 9]],
        [
            "modelfleet:regions[0].gpuPools[0].desiredNodes must be between minNodes (1) and maxNodes (8); fix: pulumi config set --path 'regions[0].gpuPools[0].desiredNodes' 1",
        ],
    ],
    [
        "desiredNodes below minNodes",
        "prod",
        [["regions[0].gpuPools[0].desiredNodes", 0]],
        [
            "modelfleet:regions[0].gpuPools[0].desiredNodes must be between minNodes (1) and maxNodes (8); fix: pulumi config set --path 'regions[0].gpuPools[0].desiredNodes' 1",
        ],
    ],
    ["desiredNodes equal to maxNodes passes", "prod", [["regions[0].gpuPools[0].desiredNodes", 8]], []],
    ["a domain equal to the zone is inside it", "dev", [["serving.domain", "modelfleet.example.com"]], []],
    ["the domain is compared without regard to case", "dev", [["serving.domain", "Serve.ModelFleet.Example.com"]], []],
    [
        "a trailing dot on the zone is refused by the schema first",
        "dev",
        [["globalEntry.hostedZoneName", "modelfleet.example.com."]],
        [
            "modelfleet:globalEntry.hostedZoneName must not end with '.': Ingress hosts and certificates refuse a trailing dot; fix: pulumi config set --path 'globalEntry.hostedZoneName' <value>",
        ],
    ],
    ["the zone is compared without regard to case", "dev", [["globalEntry.hostedZoneName", "ModelFleet.Example.COM"]], []],
    [
        "an edge cluster without a public endpoint is not routed, so it cannot be the failover primary",
        "prod",
        [
            ["globalEntry.routing", "failover"],
            ["globalEntry.failoverPrimary", "edge-muc"],
            ["regions[3].publicEndpoint", undefined],
        ],
        [
            "modelfleet:globalEntry.failoverPrimary must name a routed region (one of: use1, euw1, usc1), got 'edge-muc'; fix: pulumi config set --path 'globalEntry.failoverPrimary' use1",
        ],
    ],
    [
        "with no routed region the failover fix has a placeholder",
        "dev",
        [
            ["globalEntry.routing", "failover"],
            ["globalEntry.failoverPrimary", "use1"],
            ["regions[0].globalRouting", false],
        ],
        [
            "modelfleet:globalEntry.failoverPrimary must name a routed region (one of: ), got 'use1'; fix: pulumi config set --path 'globalEntry.failoverPrimary' <region>",
        ],
    ],
    [
        "the failover fix suggests the first region",
        "dev",
        [["globalEntry.routing", "failover"]],
        [
            "modelfleet:globalEntry.failoverPrimary is required when routing is failover; fix: pulumi config set --path 'globalEntry.failoverPrimary' use1",
        ],
    ],
    [
        "a digest on one track leaves the other track's image without vLLM",
        "dev",
        [
            ["images.torchserveLlmDigest", undefined],
            [
                "serving.tracks",
                { blue: { torchserveLlmDigest: "sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e" } },
            ],
        ],
        [
            "modelfleet:images.torchserveLlmDigest is not set but region use1 serves models[1] (llama3-8b-instruct, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track green would run without it; fix: build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md), then pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>",
        ],
    ],
    [
        "a digest on both tracks is enough",
        "dev",
        [
            ["images.torchserveLlmDigest", undefined],
            [
                "serving.tracks",
                {
                    blue: { torchserveLlmDigest: "sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e" },
                    green: { torchserveLlmDigest: "sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e" },
                },
            ],
        ],
        [],
    ],
    [
        "a region not serving the OpenAI model needs no LLM image",
        "dev",
        [
            ["images.torchserveLlmDigest", undefined],
            ["regions[0].models", ["resnet50"]],
        ],
        [],
    ],
    [
        "the first OpenAI model the region serves is named",
        "dev",
        [
            ["images.torchserveLlmDigest", undefined],
            ["models[0].openai", true],
        ],
        [
            "modelfleet:images.torchserveLlmDigest is not set but region use1 serves models[0] (resnet50, openai: true), which needs vLLM; the stock image (pytorch/torchserve:0.12.0-gpu) has none, so track blue would run without it; fix: build serving/llm/Dockerfile (the main workflow pushes it and prints the digest; docs/serving.md), then pulumi config set --path 'images.torchserveLlmDigest' sha256:<digest>",
        ],
    ],
    [
        "the worker cap scales with GPUs per pod",
        "prod",
        [
            ["serving.torchserve.gpus", 2],
            ["regions[0].gpuPools[0].instanceTypes", ["g6.12xlarge"]],
            ["models[0].maxWorkers", 33],
        ],
        [
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of euw1/l4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of usc1/l4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:serving.torchserve.gpus is 2 but the nodes of edge-muc/t4 have 1 GPU(s); fix: pulumi config set --path 'serving.torchserve.gpus' 1",
            "modelfleet:models[0].maxWorkers is 33 for 2 GPU(s) per pod; more than 16 workers per GPU thrash GPU memory; fix: pulumi config set --path 'models[0].maxWorkers' 8",
        ],
    ],
    [
        "an edge cluster with a pull secret may serve an OpenAI model",
        "prod",
        [
            ["regions[3].models", ["resnet50", "llama3-8b-instruct"]],
            ["edgeImagePullSecrets", { "edge-muc": '{"auths":{}}' }],
        ],
        [],
    ],
    [
        "an unknown model in a region's list names the known models",
        "dev",
        [["regions[0].models", ["resnet50", "gpt-9"]]],
        [
            "modelfleet:regions[0].models[1] names unknown model 'gpt-9' (known: resnet50, llama3-8b-instruct); fix: add it under models, or remove it: pulumi config rm --path 'regions[0].models[1]'",
        ],
    ],
    [
        "a GCP region's unknown serving pool suggests its first pool",
        "prod",
        [["regions[2].servingPool", "x"]],
        [
            "modelfleet:regions[2].servingPool names unknown GPU pool 'x' (pools: l4); fix: pulumi config set --path 'regions[2].servingPool' l4",
        ],
    ],
    [
        "an unknown instance type is named by its index",
        "dev",
        [["regions[0].gpuPools[0].instanceTypes", ["g6.xlarge", "g9.huge"]]],
        [
            "modelfleet:regions[0].gpuPools[0].instanceTypes[1] 'g9.huge' is not a known GPU instance type (g5.xlarge, g5.2xlarge, g5.4xlarge, g5.12xlarge, g5.48xlarge, g6.xlarge, g6.2xlarge, g6.4xlarge, g6.12xlarge, g6.48xlarge, g6e.xlarge, g6e.2xlarge, g6e.12xlarge, g6e.48xlarge, p4d.24xlarge, p4de.24xlarge, p5.48xlarge); fix: pulumi config set --path 'regions[0].gpuPools[0].instanceTypes[1]' g6.xlarge",
        ],
    ],
    [
        "an unknown AWS region is named with the supported list",
        "dev",
        [["regions[0].region", "us-east-9"]],
        [
            "modelfleet:regions[0].region 'us-east-9' is not a supported AWS region (us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, eu-west-1, eu-west-2, eu-west-3, eu-central-1, eu-north-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, sa-east-1); fix: pulumi config set --path 'regions[0].region' us-east-1",
        ],
    ],
    [
        "an AZ count above the region's zones suggests three",
        "dev",
        [["regions[0].azCount", 7]],
        ["modelfleet:regions[0].azCount is 7 but us-east-1 has 6 availability zones; fix: pulumi config set --path 'regions[0].azCount' 3"],
    ],
    [
        "an accelerator count the machine does not take suggests the one it does",
        "prod",
        [
            ["regions[2].gpuPools[0].machineType", "a2-highgpu-2g"],
            ["regions[2].gpuPools[0].acceleratorCount", 1],
        ],
        [
            "modelfleet:regions[2].gpuPools[0].acceleratorCount is 1 but a2-highgpu-2g takes 2 GPU(s); fix: pulumi config set --path 'regions[2].gpuPools[0].acceleratorCount' 2",
        ],
    ],
    [
        "zones are not checked against an unknown GCP region",
        "prod",
        [
            ["regions[2].region", "mars-central1"],
            ["regions[2].gpuPools[0].zones", ["x-a"]],
        ],
        [
            "modelfleet:regions[2].region 'mars-central1' is not a supported GCP region (us-central1, us-east1, us-east4, us-west1, us-west4, europe-west1, europe-west4, asia-east1, asia-southeast1); fix: pulumi config set --path 'regions[2].region' us-central1",
        ],
    ],
    [
        "the drain is judged against the longest timeout, wherever it is",
        "prod",
        [
            ["serving.torchserve.drainSeconds", 18],
            ["models[1].responseTimeoutSeconds", 3],
            ["models[0].responseTimeoutSeconds", 4],
        ],
        [
            "modelfleet:serving.torchserve.drainSeconds is 18 but models[0].responseTimeoutSeconds (resnet50) is 4: a rollout would cut answers still running; it must be at least 19 (the timeout plus 15 s); fix: pulumi config set --path 'serving.torchserve.drainSeconds' 19, or remove it to derive it: pulumi config rm --path 'serving.torchserve.drainSeconds'",
        ],
    ],
    [
        "of equal timeouts the first model is named",
        "prod",
        [
            ["serving.torchserve.drainSeconds", 20],
            ["models[1].responseTimeoutSeconds", 7],
            ["models[0].responseTimeoutSeconds", 7],
        ],
        [
            "modelfleet:serving.torchserve.drainSeconds is 20 but models[0].responseTimeoutSeconds (resnet50) is 7: a rollout would cut answers still running; it must be at least 22 (the timeout plus 15 s); fix: pulumi config set --path 'serving.torchserve.drainSeconds' 22, or remove it to derive it: pulumi config rm --path 'serving.torchserve.drainSeconds'",
        ],
    ],
];

describe("cross-field rules name the key and the fix", () => {
    test.each(cases)("%s", (_title, stack, edits, expected) => {
        expect(mutate(stack, edits).map(formatProblem)).toEqual(expected);
    });
});

describe("a stack without an AWS region", () => {
    test("has no model-store copy to read or to be the primary, and says so", () => {
        const raw = stackSettings("prod");
        const regions = raw["regions"] as unknown[];
        raw["regions"] = [regions[2], regions[3]];
        expect(problemsOf(raw).map(formatProblem)).toEqual([
            "modelfleet:regions[1].modelStoreSource must name an AWS region entry holding a model-store copy (one of: none configured); fix: pulumi config set --path 'regions[1].modelStoreSource' <aws-region-name>",
            "modelfleet:modelStore.primaryRegion must name an AWS region entry (one of: none configured), got 'use1'; fix: pulumi config set --path 'modelStore.primaryRegion' <aws-region-name>",
        ]);
    });
});
