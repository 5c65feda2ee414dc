import { ConfigProblem, formatProblem } from "../config";
import { mutate, problemsOf, stackSettings } from "./mocks";

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
