import { ConfigProblem, formatProblem } from "../config";
import { networkAddressIfHostBits, quantityBytes, quantityMilliCpu, reservedNamespaceReason } from "../config/bounds";
import { mutate, problemsOf, stackSettings, type Edits } from "./mocks";

type Raw = Record<string, unknown>;

function only(problems: ConfigProblem[], path: string): ConfigProblem {
    const found = problems.filter((p) => p.path === path);
    expect(found.map((p) => p.path)).toEqual([path]);
    return found[0];
}

describe("reserved namespaces are refused", () => {
    it.each(["kube-system", "kube-public", "kube-node-lease", "default", "gke-managed-system", "gmp-system", "amazon-cloudwatch"])(
        "serving.namespace: %s",
        (namespace) => {
            const problem = only(mutate("prod", [["serving.namespace", namespace]]), "serving.namespace");
            expect(problem.message).toContain(`is '${namespace}'`);
            expect(problem.message).toContain("default-deny network policy");
            expect(problem.fix).toBe("pulumi config set --path 'serving.namespace' modelfleet");
        },
    );

    it("accepts a namespace of its own", () => {
        expect(mutate("prod", [["serving.namespace", "inference"]])).toEqual([]);
    });
});

describe("serving containers have minimum requests", () => {
    it.each([
        ["serving.torchserve.cpu", "0", "is 0; torchserve needs at least 1 CPU to start and keep up (see config/bounds.ts)"],
        ["serving.torchserve.cpu", "500m", "is 500m; torchserve needs at least 1 CPU to start and keep up (see config/bounds.ts)"],
        ["serving.torchserve.memory", "1", "is 1; torchserve needs at least 2Gi of memory or it is OOM-killed (see config/bounds.ts)"],
        ["serving.gateway.cpu", "0", "is 0; gateway needs at least 100m CPU to start and keep up (see config/bounds.ts)"],
        ["serving.gateway.memory", "64Mi", "is 64Mi; gateway needs at least 256Mi of memory or it is OOM-killed (see config/bounds.ts)"],
    ])("%s: %s is refused", (path, value, message) => {
        expect(only(mutate("dev", [[path, value]]), path).message).toBe(message);
    });

    it("refuses a memory quantity given as CPU", () => {
        expect(only(mutate("dev", [["serving.gateway.cpu", "1Gi"]]), "serving.gateway.cpu").message).toBe(
            "'1Gi' is a memory quantity, not CPU",
        );
    });

    it("accepts exactly the minimums", () => {
        expect(
            mutate("dev", [
                ["serving.torchserve.cpu", "1"],
                ["serving.torchserve.memory", "2Gi"],
                ["serving.gateway.cpu", "100m"],
                ["serving.gateway.memory", "256Mi"],
            ]),
        ).toEqual([]);
    });
});

describe("DNS names have no trailing dot", () => {
    it.each([
        ["dev", "serving.domain", "dev.serve.modelfleet.example.com."],
        ["dev", "globalEntry.hostedZoneName", "modelfleet.example.com."],
        ["prod", "regions[3].publicEndpoint", "ingress.muc.edge.modelfleet.example.com."],
    ] as const)("%s %s", (stack, path, value) => {
        const problem = only(mutate(stack, [[path, value]]), path);
        expect(problem.message).toBe("must not end with '.': Ingress hosts and certificates refuse a trailing dot");
    });
});

describe("upper bounds from documented limits", () => {
    it.each([
        ["ALB idle timeout 4000 s: model response timeout", "models[0].responseTimeoutSeconds", 3971, 3970],
        ["ALB idle timeout 4000 s: TorchServe default response timeout", "serving.torchserve.defaultResponseTimeoutSeconds", 4000, 3970],
        ["retention days", "modelStore.noncurrentVersionDays", 36500, 3650],
        ["abort incomplete uploads", "modelStore.abortIncompleteUploadDays", 365, 30],
        ["Storage Transfer interval", "modelStore.transferIntervalMinutes", 100000, 10080],
        ["Kubernetes 5000 nodes: TorchServe replicas", "serving.torchserve.replicas.max", 5001, 5000],
        ["Kubernetes 5000 nodes: gateway replicas", "serving.gateway.replicas.max", 10000, 5000],
        ["EKS 450 nodes per managed node group", "regions[0].gpuPools[0].maxNodes", 451, 450],
    ])("%s", (_why, path, tooBig, largest) => {
        const problem = only(mutate("dev", [[path, tooBig]]), path);
        expect(problem.fix).toBe(`pulumi config set --path '${path}' ${largest}`);
        expect(mutate("dev", [[path, largest]]).filter((p) => p.path === path)).toEqual([]);
    });

    it("GKE 1000 nodes per node pool", () => {
        expect(only(mutate("prod", [["regions[2].gpuPools[0].maxNodes", 1001]]), "regions[2].gpuPools[0].maxNodes").message).toBe(
            "must be at most 1000 (GKE nodes per node pool and zone)",
        );
    });

    it("S3's 1024-byte key limit bounds the version string", () => {
        // models/resnet50/<version>/resnet50.mar: 29 bytes around the version.
        const fits = "v".repeat(1024 - 29);
        expect(mutate("dev", [["models[0].version", fits]])).toEqual([]);
        const problem = only(mutate("dev", [["models[0].version", `${fits}x`]]), "models[0].version");
        expect(problem.message).toBe(
            "makes the archive key models/<name>/<version>/<name>.mar 1025 bytes long; S3 and GCS keys stop at 1024 bytes",
        );
    });

    it("refuses a repeated Route 53 health-checker region", () => {
        const problem = only(
            mutate("dev", [["globalEntry.healthCheck.regions", ["us-east-1", "eu-west-1", "us-east-1"]]]),
            "globalEntry.healthCheck.regions[2]",
        );
        expect(problem.message).toBe(
            "repeats 'us-east-1'; Route 53 needs distinct checker regions (a repeat adds no independent vantage point)",
        );
    });

    it.each([
        ["prod", "regions[2].masterAuthorizedNetworks[0].name", "", "must not be empty"],
        ["prod", "regions[2].masterAuthorizedNetworks[0].name", "n".repeat(10000), "must be at most 63 characters"],
        ["prod", "regions[3].certIssuer.name", "i".repeat(10000), "must be at most 253 characters"],
        ["prod", "regions[3].ingressClass", "", "must not be empty"],
        ["prod", "regions[3].region", "r".repeat(10000), "must be at most 63 characters"],
        ["dev", "regions[0].gpuPools[0].instanceTypes[0]", "g".repeat(10000), "must be at most 63 characters"],
    ] as const)("bounds name lengths: %s %s", (stack, path, value, message) => {
        expect(only(mutate(stack, [[path, value]]), path).message).toBe(message);
    });
});

describe("host bits are treated the same in every CIDR list", () => {
    it("refuses them in endpointPublicAccessCidrs as in masterAuthorizedNetworks", () => {
        const eks = only(
            mutate("prod", [["regions[0].endpointPublicAccessCidrs[0]", "203.0.113.7/24"]]),
            "regions[0].endpointPublicAccessCidrs[0]",
        );
        const gke = only(
            mutate("prod", [["regions[2].masterAuthorizedNetworks[0].cidr", "203.0.113.7/24"]]),
            "regions[2].masterAuthorizedNetworks[0].cidr",
        );
        expect(eks.message).toBe("'203.0.113.7/24' has host bits set; use the network address 203.0.113.0/24");
        expect(gke.message).toBe(eks.message);
        expect(eks.fix).toBe("pulumi config set --path 'regions[0].endpointPublicAccessCidrs[0]' 203.0.113.0/24");
    });

    it("accepts network addresses", () => {
        expect(mutate("prod", [["regions[0].endpointPublicAccessCidrs[0]", "203.0.113.0/24"]])).toEqual([]);
    });
});

describe("list lengths are capped, with the reason", () => {
    function regions(n: number): unknown[] {
        const base = (stackSettings("dev").regions as Raw[])[0];
        return Array.from({ length: n }, (_, i) => ({ ...base, name: `r${i}` }));
    }

    it("refuses 65 regions and names the reason", () => {
        const raw = stackSettings("dev");
        raw.regions = regions(65);
        const problem = only(problemsOf(raw), "regions");
        expect(problem.message).toBe(
            "must have at most 64 entries: each region brings three Route 53 health checks (200 per account) and its whole cluster into one stack; split larger fleets into several stacks",
        );
        expect(problem.fix).toBe("remove entries from index 64 on (pulumi config rm --path 'regions[64]', repeated), or split the stack");
        expect(formatProblem(problem).split("\n")).toHaveLength(1);
    });

    it("does not cap 64 regions", () => {
        const raw = stackSettings("dev");
        raw.regions = regions(64);
        expect(problemsOf(raw).filter((p) => p.path === "regions")).toEqual([]);
    });

    it.each([
        [
            "dev",
            "regions[0].endpointPublicAccessCidrs",
            Array.from({ length: 41 }, (_, i) => `10.0.${i}.0/24`),
            "EKS allows 40 public endpoint CIDR blocks per cluster",
        ],
        [
            "dev",
            "globalEntry.alarmTopicArns",
            Array.from({ length: 6 }, (_, i) => `arn:aws:sns:us-east-1:111122223333:t${i}`),
            "a CloudWatch alarm takes at most 5 actions per state",
        ],
        [
            "dev",
            "regions[0].gpuPools[0].instanceTypes",
            Array.from({ length: 41 }, () => "g6.xlarge"),
            "EKS turns them into Auto Scaling launch-template overrides (at most 40)",
        ],
    ] as const)("caps %s %s", (stack, path, value, why) => {
        expect(only(mutate(stack, [[path, value]]), path).message).toMatch(
            new RegExp(`must have at most \\d+ entries: ${why.replace(/[()]/g, "\\$&")}`),
        );
    });
});

describe("environment is the one source of truth for protection", () => {
    it("refuses environment dev on the prod stack", () => {
        const raw = stackSettings("prod");
        raw.environment = "dev";
        const problem = only(problemsOf(raw, "prod"), "environment");
        expect(problem.message).toBe(
            "is 'dev' but the stack is named 'prod'; protection and the policy config follow environment, so they must agree",
        );
        expect(problem.fix).toBe("pulumi config set environment prod --stack prod");
    });

    it("accepts the committed stacks under their own names and any environment on other stack names", () => {
        expect(problemsOf(stackSettings("prod"), "prod")).toEqual([]);
        expect(problemsOf(stackSettings("dev"), "dev")).toEqual([]);
        expect(problemsOf(stackSettings("dev"), "alice-sandbox")).toEqual([]);
    });
});

describe("formerName keys a renamed region's model-store copy", () => {
    it("refuses a formerName equal to the region's own name", () => {
        const problem = only(mutate("dev", [["regions[0].formerName", "use1"]]), "regions[0].formerName");
        expect(problem.message).toBe("is the region's own name 'use1'");
    });

    it("refuses a formerName that another region's copy already uses", () => {
        const problem = only(mutate("prod", [["regions[1].formerName", "use1"]]), "regions[1].formerName");
        expect(problem.message).toBe("'use1' already names the model-store copy of regions[0] (use1); two regions cannot share one copy");
    });

    it("accepts a rename that names the former name", () => {
        expect(
            mutate("prod", [
                ["regions[1].name", "eu-west"],
                ["regions[1].formerName", "euw1"],
                ["regions[3].modelStoreSource", "eu-west"],
            ]),
        ).toEqual([]);
    });
});

const boundCases: Array<[string, "dev" | "prod", Edits, string[]]> = [
    [
        "a kube- namespace is refused by its prefix",
        "dev",
        [["serving.namespace", "kube-x"]],
        [
            "modelfleet:serving.namespace is 'kube-x': namespaces starting with 'kube-' are reserved for the cluster's own components, and the serving stack would put a restricted Pod Security label, a default-deny network policy and a quota on it; fix: pulumi config set --path 'serving.namespace' modelfleet",
        ],
    ],
    [
        "the default namespace is refused by name",
        "dev",
        [["serving.namespace", "default"]],
        [
            "modelfleet:serving.namespace is 'default': 'default' is a namespace Kubernetes creates for itself, and the serving stack would put a restricted Pod Security label, a default-deny network policy and a quota on it; fix: pulumi config set --path 'serving.namespace' modelfleet",
        ],
    ],
    [
        "an aws- namespace is refused by its prefix",
        "dev",
        [["serving.namespace", "aws-observability"]],
        [
            "modelfleet:serving.namespace is 'aws-observability': namespaces starting with 'aws-' are reserved for the cluster's own components, and the serving stack would put a restricted Pod Security label, a default-deny network policy and a quota on it; fix: pulumi config set --path 'serving.namespace' modelfleet",
        ],
    ],
    ["a namespace that only starts with default is free", "dev", [["serving.namespace", "defaults"]], []],
    [
        "999m is below TorchServe's 1 CPU",
        "dev",
        [["serving.torchserve.cpu", "999m"]],
        [
            "modelfleet:serving.torchserve.cpu is 999m; torchserve needs at least 1 CPU to start and keep up (see config/bounds.ts); fix: pulumi config set --path 'serving.torchserve.cpu' \"1\"",
        ],
    ],
    [
        "half a core is below TorchServe's 1 CPU",
        "dev",
        [["serving.torchserve.cpu", "0.5"]],
        [
            "modelfleet:serving.torchserve.cpu is 0.5; torchserve needs at least 1 CPU to start and keep up (see config/bounds.ts); fix: pulumi config set --path 'serving.torchserve.cpu' \"1\"",
        ],
    ],
    [
        "a memory quantity as TorchServe's CPU is one problem, not a crash",
        "dev",
        [["serving.torchserve.cpu", "2Gi"]],
        [
            "modelfleet:serving.torchserve.cpu '2Gi' is a memory quantity, not CPU; fix: pulumi config set --path 'serving.torchserve.cpu' \"1\"",
        ],
    ],
    [
        "2047Mi is below TorchServe's 2Gi",
        "dev",
        [["serving.torchserve.memory", "2047Mi"]],
        [
            "modelfleet:serving.torchserve.memory is 2047Mi; torchserve needs at least 2Gi of memory or it is OOM-killed (see config/bounds.ts); fix: pulumi config set --path 'serving.torchserve.memory' 2Gi",
        ],
    ],
    [
        "one KiB below the gateway's 256Mi is refused",
        "dev",
        [["serving.gateway.memory", "262143Ki"]],
        [
            "modelfleet:serving.gateway.memory is 262143Ki; gateway needs at least 256Mi of memory or it is OOM-killed (see config/bounds.ts); fix: pulumi config set --path 'serving.gateway.memory' 256Mi",
        ],
    ],
    ["exactly 256Mi in KiB passes", "dev", [["serving.gateway.memory", "262144Ki"]], []],
    [
        "99m is below the gateway's 100m",
        "dev",
        [["serving.gateway.cpu", "99m"]],
        [
            "modelfleet:serving.gateway.cpu is 99m; gateway needs at least 100m CPU to start and keep up (see config/bounds.ts); fix: pulumi config set --path 'serving.gateway.cpu' \"100m\"",
        ],
    ],
    ["0.1 cores is the gateway's 100m", "dev", [["serving.gateway.cpu", "0.1"]], []],
    ["milli-bytes count as a thousandth of a byte", "dev", [["serving.torchserve.memory", "3000000000000m"]], []],
    [
        "Ti counts 2^40 bytes",
        "dev",
        [["serving.torchserve.memory", "1Ti"]],
        [
            "modelfleet:serving.torchserve.memory is 1Ti but the serving nodes have less memory: use1/l4 16 GiB; fix: pulumi config set --path 'serving.torchserve.memory' 12Gi",
        ],
    ],
    [
        "one byte below 2Gi is refused",
        "dev",
        [["serving.torchserve.memory", "2147483647"]],
        [
            "modelfleet:serving.torchserve.memory is 2147483647; torchserve needs at least 2Gi of memory or it is OOM-killed (see config/bounds.ts); fix: pulumi config set --path 'serving.torchserve.memory' 2Gi",
        ],
    ],
    ["exactly 2Gi in bytes passes", "dev", [["serving.torchserve.memory", "2147483648"]], []],
    [
        "1.5Gi is below 2Gi",
        "dev",
        [["serving.torchserve.memory", "1.5Gi"]],
        [
            "modelfleet:serving.torchserve.memory is 1.5Gi; torchserve needs at least 2Gi of memory or it is OOM-killed (see config/bounds.ts); fix: pulumi config set --path 'serving.torchserve.memory' 2Gi",
        ],
    ],
    [
        "a 1025-byte archive key is refused",
        "dev",
        [["models[0].version", "v".repeat(996)]],
        [
            "modelfleet:models[0].version makes the archive key models/<name>/<version>/<name>.mar 1025 bytes long; S3 and GCS keys stop at 1024 bytes; fix: pulumi config set --path 'models[0].version' <a shorter version, e.g. 2024-07-18>",
        ],
    ],
    ["a 1024-byte archive key passes", "dev", [["models[0].version", "v".repeat(995)]], []],
    [
        "a formerName equal to the region's name is removed",
        "dev",
        [["regions[0].formerName", "use1"]],
        ["modelfleet:regions[0].formerName is the region's own name 'use1'; fix: pulumi config rm --path 'regions[0].formerName'"],
    ],
    [
        "a formerName another region's copy uses is removed",
        "prod",
        [["regions[1].formerName", "use1"]],
        [
            "modelfleet:regions[1].formerName 'use1' already names the model-store copy of regions[0] (use1); two regions cannot share one copy; fix: pulumi config rm --path 'regions[1].formerName'",
        ],
    ],
    [
        "a new name equal to another region's formerName is renamed",
        "prod",
        [
            ["regions[0].formerName", "old"],
            ["regions[1].name", "old"],
            ["regions[3].modelStoreSource", "use1"],
        ],
        [
            "modelfleet:regions[1].name 'old' already names the model-store copy of regions[0] (use1); two regions cannot share one copy; fix: pulumi config set --path 'regions[1].name' old-2",
        ],
    ],
    [
        "two regions with the same formerName: the second is removed",
        "prod",
        [
            ["regions[0].formerName", "old"],
            ["regions[1].formerName", "old"],
        ],
        [
            "modelfleet:regions[1].formerName 'old' already names the model-store copy of regions[0] (use1); two regions cannot share one copy; fix: pulumi config rm --path 'regions[1].formerName'",
        ],
    ],
    [
        "each repeated checker region is named by its index",
        "prod",
        [["globalEntry.healthCheck.regions", ["us-east-1", "eu-west-1", "us-east-1", "eu-west-1"]]],
        [
            "modelfleet:globalEntry.healthCheck.regions[2] repeats 'us-east-1'; Route 53 needs distinct checker regions (a repeat adds no independent vantage point); fix: pulumi config rm --path 'globalEntry.healthCheck.regions[2]'",
            "modelfleet:globalEntry.healthCheck.regions[3] repeats 'eu-west-1'; Route 53 needs distinct checker regions (a repeat adds no independent vantage point); fix: pulumi config rm --path 'globalEntry.healthCheck.regions[3]'",
        ],
    ],
];

describe("bounds name the key and the fix, on both sides of each bound", () => {
    it.each(boundCases)("%s", (_title, stack, edits, expected) => {
        expect(mutate(stack, edits).map(formatProblem)).toEqual(expected);
    });
});

describe("quantities and CIDR blocks as the bounds read them", () => {
    it("reads CPU in millicores, and a memory suffix as not CPU", () => {
        expect([quantityMilliCpu("4"), quantityMilliCpu("500m"), quantityMilliCpu("0.5"), quantityMilliCpu("1.25")]).toEqual([
            4000, 500, 500, 1250,
        ]);
        expect([quantityMilliCpu("1Gi"), quantityMilliCpu("x"), quantityMilliCpu("4 "), quantityMilliCpu(" 4")]).toEqual([
            NaN,
            NaN,
            NaN,
            NaN,
        ]);
    });

    it("reads memory in bytes for every suffix", () => {
        expect(["1", "1000m", "1Ki", "1Mi", "1Gi", "1Ti", "1.5Ki"].map(quantityBytes)).toEqual([
            1, 1, 1024, 1048576, 1073741824, 1099511627776, 1536,
        ]);
        expect([quantityBytes("1G"), quantityBytes("Gi"), quantityBytes("1Gi "), quantityBytes(" 1Gi")]).toEqual([NaN, NaN, NaN, NaN]);
    });

    it("gives the network address of a CIDR block with host bits set, else nothing", () => {
        expect(networkAddressIfHostBits("10.1.2.3/16")).toBe("10.1.0.0/16");
        expect(networkAddressIfHostBits("192.168.255.255/23")).toBe("192.168.254.0/23");
        expect(networkAddressIfHostBits("10.1.2.3/32")).toBeUndefined();
        expect(networkAddressIfHostBits("203.0.113.7/0")).toBe("0.0.0.0/0");
        expect(networkAddressIfHostBits("10.1.0.0/16")).toBeUndefined();
        expect(networkAddressIfHostBits("10.1.0.0")).toBeUndefined();
        expect(networkAddressIfHostBits("x10.1.2.3/16")).toBeUndefined();
        expect(networkAddressIfHostBits("10.1.2.3/16x")).toBeUndefined();
    });

    it("says why a namespace is reserved", () => {
        expect(reservedNamespaceReason("default")).toBe("'default' is a namespace Kubernetes creates for itself");
        expect(reservedNamespaceReason("gmp-public")).toBe("namespaces starting with 'gmp-' are reserved for the cluster's own components");
        expect(reservedNamespaceReason("amazon-guardduty")).toBe(
            "namespaces starting with 'amazon-' are reserved for the cluster's own components",
        );
        expect(reservedNamespaceReason("gke-managed")).toBe(
            "namespaces starting with 'gke-' are reserved for the cluster's own components",
        );
        expect(reservedNamespaceReason("my-kube-apps")).toBeUndefined();
        expect(reservedNamespaceReason("modelfleet")).toBeUndefined();
    });
});
