import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigProblem, fleetSchema, formatProblem, resolveConfig, validateSettings } from "../config";
import { defaults } from "../config/defaults";
import { mutate, problemsOf, setPath, stackSettings, type Edits } from "./mocks";
import { parseStackFile, StackFileError } from "../tools/stackfile";

function expectProblem(problems: ConfigProblem[], path: string, message: RegExp | string): void {
    const match = problems.find((p) => p.path === path);
    expect(match).toBeDefined();
    if (typeof message === "string") expect(match?.message).toBe(message);
    else expect(match?.message).toMatch(message);
    expect(match?.fix.length).toBeGreaterThan(0);
}

describe("committed stacks", () => {
    it.each(["dev", "prod"] as const)("%s validates with no problems", (stack) => {
        expect(problemsOf(stackSettings(stack))).toEqual([]);
    });

    it("prod resolves serving pools, model subsets and routed regions", () => {
        const raw = stackSettings("prod");
        const config = resolveConfig(validateSettings(raw), raw, { project: "modelfleet", stack: "prod" });
        expect(config.protect).toBe(true);
        expect(config.regions.map((r) => [r.name, r.servingPool])).toEqual([
            ["use1", "l4"],
            ["euw1", "l4"],
            ["usc1", "l4"],
            ["edge-muc", "t4"],
        ]);
        expect(config.regions.find((r) => r.name === "edge-muc")?.modelNames).toEqual(["resnet50"]);
        expect(config.regions[0].poolShapes["a10g-spot"]).toEqual({
            gpusPerNode: 1,
            gpuModel: "nvidia-a10g",
            nodeVcpus: 4,
            nodeMemoryGiB: 16,
        });
        expect(config.routedRegions).toEqual(["use1", "euw1", "usc1", "edge-muc"]);
        expect(Object.keys(config.secrets.kubeconfigs)).toEqual(["edge-muc"]);
    });

    it("keeps a region with globalRouting off out of the routed regions", () => {
        const raw = stackSettings("prod");
        setPath(raw, "regions[1].globalRouting", false);
        const config = resolveConfig(validateSettings(raw), raw, { project: "modelfleet", stack: "prod" });
        expect(config.routedRegions).toEqual(["use1", "usc1", "edge-muc"]);
        expect(
            problemsOf({ ...raw, globalEntry: { hostedZoneName: "modelfleet.example.com", routing: "failover", failoverPrimary: "euw1" } }),
        ).toEqual([
            expect.objectContaining({
                path: "globalEntry.failoverPrimary",
                message: "must name a routed region (one of: use1, usc1, edge-muc), got 'euw1'",
            }),
        ]);
    });

    it("dev fills defaults from one place", () => {
        const raw = stackSettings("dev");
        const settings = validateSettings(raw);
        const region = settings.regions[0];
        expect(region.cloud === "aws" && region.azCount).toBe(defaults.aws.azCount);
        expect(settings.images.gateway).toBe(defaults.images.gateway);
        expect(settings.serving.torchserve.cpuTargetPercent).toBe(70);
        expect(settings.globalEntry.healthCheck.requestIntervalSeconds).toBe(10);
    });
});

describe("bad input names the key and the fix", () => {
    const cases: Array<[string, "dev" | "prod", Edits, string, RegExp | string]> = [
        ["unknown cloud", "dev", [["regions[0].cloud", "azure"]], "regions[0].cloud", "must be one of aws, gcp, existing"],
        ["duplicate region name", "prod", [["regions[1].name", "use1"]], "regions[1].name", "duplicates region name 'use1'"],
        ["non-DNS region name", "dev", [["regions[0].name", "US_East"]], "regions[0].name", /must be a DNS label/],
        ["empty regions", "dev", [["regions", []]], "regions", "must list at least one region"],
        [
            "min above max",
            "dev",
            [
                ["regions[0].gpuPools[0].minNodes", 5],
                ["regions[0].gpuPools[0].desiredNodes", 5],
            ],
            "regions[0].gpuPools[0].maxNodes",
            "must be >= minNodes (5)",
        ],
        [
            "zero GPUs per existing node",
            "prod",
            [["regions[3].gpuPools[0].gpusPerNode", 0]],
            "regions[3].gpuPools[0].gpusPerNode",
            "must be 1 or more",
        ],
        ["negative GPU request", "dev", [["serving.torchserve", { gpus: -1 }]], "serving.torchserve.gpus", "must be 1 or more"],
        ["malformed VPC CIDR", "dev", [["regions[0].vpcCidr", "10.40.0.0/33"]], "regions[0].vpcCidr", /IPv4 CIDR/],
        [
            "malformed public access CIDR",
            "dev",
            [["regions[0].endpointPublicAccessCidrs", ["198.51.100.0"]]],
            "regions[0].endpointPublicAccessCidrs[0]",
            /IPv4 CIDR/,
        ],
        ["unknown model referenced", "prod", [["regions[3].models", ["gpt-9"]]], "regions[3].models[0]", /names unknown model 'gpt-9'/],
        ["required key missing", "dev", [["regions[0].adminRoleArn", undefined]], "regions[0].adminRoleArn", /is required/],
        [
            "wrong type",
            "dev",
            [["regions[0].gpuPools[0].maxNodes", "two"]],
            "regions[0].gpuPools[0].maxNodes",
            /must be a number, got string "two"/,
        ],
        [
            "unknown instance type",
            "dev",
            [["regions[0].gpuPools[0].instanceTypes", ["g9.huge"]]],
            "regions[0].gpuPools[0].instanceTypes[0]",
            /'g9.huge' is not a known GPU instance type/,
        ],
        [
            "GPU count the machine cannot have",
            "prod",
            [["regions[2].gpuPools[0].acceleratorCount", 4]],
            "regions[2].gpuPools[0].acceleratorCount",
            "is 4 but g2-standard-8 takes 1 GPU(s)",
        ],
        [
            "AZ count the region cannot give",
            "prod",
            [["regions[1].azCount", 4]],
            "regions[1].azCount",
            "is 4 but eu-west-1 has 3 availability zones",
        ],
        [
            "unknown AWS region",
            "dev",
            [["regions[0].region", "us-east-9"]],
            "regions[0].region",
            /'us-east-9' is not a supported AWS region/,
        ],
        [
            "primary store region not AWS",
            "prod",
            [["modelStore.primaryRegion", "usc1"]],
            "modelStore.primaryRegion",
            /must name an AWS region entry \(one of: use1, euw1\), got 'usc1'/,
        ],
        [
            "retention of zero days",
            "dev",
            [["modelStore.noncurrentVersionDays", 0]],
            "modelStore.noncurrentVersionDays",
            "must be at least 1 day",
        ],
        [
            "latest image tag",
            "prod",
            [["serving.tracks.green.torchserveImage", "pytorch/torchserve:latest"]],
            "serving.tracks.green.torchserveImage",
            /must be pinned by version tag or digest/,
        ],
        ["untagged image", "dev", [["images", { gateway: "tensorzero/gateway" }]], "images.gateway", /must be pinned/],
        [
            "active color not a track",
            "dev",
            [["serving.activeColor", "red"]],
            "serving.activeColor",
            "must be blue or green (a track name)",
        ],
        [
            "GPU request above the pool's nodes",
            "dev",
            [["serving.torchserve.gpus", 2]],
            "serving.torchserve.gpus",
            "is 2 but the nodes of use1/l4 have 1 GPU(s)",
        ],
        ["workers that make no sense", "dev", [["models[0].minWorkers", 3]], "models[0].maxWorkers", "must be >= minWorkers (3)"],
        [
            "batch without delay",
            "dev",
            [["models[0].maxBatchDelayMs", 0]],
            "models[0].maxBatchDelayMs",
            /TorchServe would never wait to fill a batch/,
        ],
        ["duplicate model", "prod", [["models[1].name", "resnet50"]], "models[1].name", "duplicates model name 'resnet50'"],
        [
            "domain outside the zone",
            "dev",
            [["serving.domain", "serve.other.org"]],
            "serving.domain",
            "'serve.other.org' is not inside hosted zone 'modelfleet.example.com'",
        ],
        [
            "failover primary not a region",
            "prod",
            [
                ["globalEntry.routing", "failover"],
                ["globalEntry.failoverPrimary", "apse1"],
            ],
            "globalEntry.failoverPrimary",
            /must name a routed region/,
        ],
        [
            "health-check interval Route 53 does not offer",
            "dev",
            [["globalEntry.healthCheck", { requestIntervalSeconds: 15 }]],
            "globalEntry.healthCheck.requestIntervalSeconds",
            "must be 10 or 30 (the intervals Route 53 offers)",
        ],
        [
            "too few checker regions",
            "dev",
            [["globalEntry.healthCheck", { regions: ["us-east-1"] }]],
            "globalEntry.healthCheck.regions",
            /at least 3 checker regions/,
        ],
        [
            "misspelt key",
            "dev",
            [["regions[0].gpuPool", []]],
            "regions[0].gpuPool",
            "is not a known key (did you mean regions[0].gpuPools?)",
        ],
        ["unknown top-level key", "dev", [["regionz", []]], "regionz", "is not a known key (did you mean regions?)"],
        [
            "edge cluster without kubeconfig",
            "prod",
            [["kubeconfigs.edge-muc", undefined]],
            "kubeconfigs.edge-muc",
            /is missing: region edge-muc is an existing cluster/,
        ],
        [
            "edge credentials incomplete",
            "prod",
            [["edgeStoreCredentials.edge-muc.secretAccessKey", undefined]],
            "edgeStoreCredentials.edge-muc.secretAccessKey",
            "is required",
        ],
        [
            "edge store source not AWS",
            "prod",
            [["regions[3].modelStoreSource", "usc1"]],
            "regions[3].modelStoreSource",
            /must name an AWS region entry/,
        ],
        [
            "serving pool that does not exist",
            "prod",
            [["regions[0].servingPool", "h100"]],
            "regions[0].servingPool",
            /names unknown GPU pool 'h100'/,
        ],
        ["zero workers", "dev", [["models[0].minWorkers", 0]], "models[0].minWorkers", "must be 1 or more (TorchServe treats 0 as unset)"],
        [
            "alarm topic outside us-east-1",
            "prod",
            [["globalEntry.alarmTopicArns", ["arn:aws:sns:eu-west-1:444455556666:oncall"]]],
            "globalEntry.alarmTopicArns[0]",
            "must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live",
        ],
        [
            "replica range inverted",
            "dev",
            [["serving.gateway", { replicas: { min: 4, max: 2 } }]],
            "serving.gateway.replicas.max",
            "must be >= replicas.min (4)",
        ],
        [
            "preview minimum above the track's maximum",
            "prod",
            [["serving.torchserve.previewMinReplicas", 5]],
            "serving.torchserve.previewMinReplicas",
            "is 5 but must be <= replicas.max (4): the preview track's HPA shares that maximum",
        ],
    ];

    it.each(cases)("%s", (_title, stack, change, keyPath, message) => {
        expectProblem(mutate(stack, change), keyPath, message);
    });

    it("covers at least 20 distinct mistakes", () => {
        expect(new Set(cases.map((c) => c[3])).size).toBeGreaterThanOrEqual(20);
    });

    it("reports every cross-field problem at once", () => {
        const problems = mutate("prod", [
            ["regions[1].name", "use1"],
            ["models[1].name", "resnet50"],
            ["serving.activeColor", "green"],
            ["modelStore.primaryRegion", "nowhere"],
        ]);
        // Renaming euw1 also orphans the edge cluster's model-store source, and the edge
        // cluster's resnet50 is now the OpenAI model, pulled from a private registry.
        expect(problems.map((p) => p.path).sort()).toEqual([
            "edgeImagePullSecrets.edge-muc",
            "modelStore.primaryRegion",
            "models[1].name",
            "regions[1].name",
            "regions[3].modelStoreSource",
        ]);
    });

    it("reports every shape problem at once, each on one line with a fix", () => {
        const problems = mutate("prod", [
            ["regions[1].vpcCidr", "nope"],
            ["modelStore.noncurrentVersionDays", 0],
        ]);
        expect(problems.map((p) => p.path).sort()).toEqual(["modelStore.noncurrentVersionDays", "regions[1].vpcCidr"]);
        const lines = problems.map(formatProblem);
        expect(lines.every((l) => !l.includes("\n"))).toBe(true);
        expect(lines.find((l) => l.startsWith("modelfleet:modelStore.noncurrentVersionDays"))).toBe(
            "modelfleet:modelStore.noncurrentVersionDays must be at least 1 day; fix: pulumi config set --path 'modelStore.noncurrentVersionDays' 1",
        );
    });

    it("suggests the value that fixes min above max", () => {
        const [problem] = mutate("dev", [["regions[0].gpuPools[0].maxNodes", 0]]).filter((p) => p.path.endsWith("maxNodes"));
        expect(problem.fix).toBe("pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 1");
        const [inverted] = mutate("dev", [
            ["regions[0].gpuPools[0].minNodes", 5],
            ["regions[0].gpuPools[0].desiredNodes", undefined],
        ]);
        expect(inverted.fix).toBe("pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 5");
    });
});

describe("stack files", () => {
    it("redacts secure values and lists the keys that hold them", () => {
        const file = parseStackFile(
            "config:\n  modelfleet:kubeconfigs:\n    edge:\n      secure: v1:abc\n  aws:region: us-east-1\n",
            "Pulumi.x.yaml",
        );
        expect(file.config["modelfleet:kubeconfigs"]).toEqual({ edge: "[secret]" });
        expect(file.secretKeys).toEqual(["modelfleet:kubeconfigs"]);
    });

    it("gives the line of a YAML syntax error", () => {
        const text = "config:\n  modelfleet:environment: dev\n  modelfleet:regions: [\n    - name: a\n";
        expect(() => parseStackFile(text, "Pulumi.bad.yaml")).toThrow(StackFileError);
        try {
            parseStackFile(text, "Pulumi.bad.yaml");
        } catch (err) {
            expect((err as StackFileError).line).toBeGreaterThanOrEqual(3);
            expect((err as Error).message).toMatch(/^Pulumi\.bad\.yaml:\d+: YAML syntax error/);
        }
    });

    it("rejects a config that is not a mapping", () => {
        expect(() => parseStackFile("config: [1, 2]\n", "Pulumi.list.yaml")).toThrow("`config:` must be a mapping of keys to values");
    });
});

describe("Pulumi.yaml", () => {
    const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<string, { description?: string }>;
    };

    it("declares every config key with a description", () => {
        const declared = Object.keys(project.config).map((k) => k.replace(/^modelfleet:/, ""));
        const expected = [
            ...Object.keys(fleetSchema.shape),
            "kubeconfigs",
            "edgeStoreCredentials",
            "gatewayBackends",
            "edgeImagePullSecrets",
        ];
        expect(declared.sort()).toEqual(expected.sort());
        for (const decl of Object.values(project.config)) expect(decl.description?.length).toBeGreaterThan(10);
        expect(project.name).toBe("modelfleet");
    });

    it("declares the environment default that config/defaults.ts uses", () => {
        expect((project.config["modelfleet:environment"] as { default?: string }).default).toBe(defaults.environment);
    });
});

describe("temporary stack files", () => {
    it("round-trip through the YAML library", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-config-"));
        const file = path.join(dir, "Pulumi.tmp.yaml");
        fs.writeFileSync(
            file,
            YAML.stringify({ config: Object.fromEntries(Object.entries(stackSettings("dev")).map(([k, v]) => [`modelfleet:${k}`, v])) }),
        );
        const parsed = parseStackFile(fs.readFileSync(file, "utf8"), file);
        expect(problemsOf(Object.fromEntries(Object.entries(parsed.config).map(([k, v]) => [k.replace("modelfleet:", ""), v])))).toEqual(
            [],
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
