import { fleetSchema } from "../config/schema";
import { setPath } from "./key-path";

/**
 * Values the schema must take when written out, though they equal a default or sit inside a
 * pattern's middle: a default is never checked against the schema, so only an explicit value
 * shows that the enum or the pattern accepts it.
 */

const awsRegion = {
    name: "us-east",
    cloud: "aws",
    region: "us-east-1",
    vpcCidr: "10.0.0.0/16",
    adminRoleArn: "arn:aws:iam::123456789012:role/admin",
    gpuPools: [{ name: "l4", instanceTypes: ["g6.xlarge"] }],
};

function minimal(): Record<string, unknown> {
    return structuredClone({
        regions: [
            awsRegion,
            {
                name: "eu-west",
                cloud: "gcp",
                region: "europe-west4",
                project: "my-project",
                networkCidr: "10.1.0.0/16",
                podsCidr: "10.2.0.0/16",
                servicesCidr: "10.3.0.0/20",
                gpuPools: [{ name: "l4", machineType: "g2-standard-8" }],
            },
            {
                name: "edge-muc",
                cloud: "existing",
                region: "edge-munich",
                certIssuer: { name: "letsencrypt" },
                modelStoreSource: "us-east",
                gpuPools: [{ name: "l4", gpusPerNode: 1, model: "nvidia-l4", nodeSelector: { gpu: "l4" } }],
            },
        ],
        models: [{ name: "resnet", version: "1.0" }],
        modelStore: { primaryRegion: "us-east" },
        serving: { domain: "serve.example.com" },
        globalEntry: {},
    });
}

function problemsWith(path: string, value: unknown): string[] {
    const raw = minimal();
    setPath(raw, path, value);
    const parsed = fleetSchema.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("defaults written out", () => {
    test.each([
        ["environment", "dev"],
        ["deployStage", "serving"],
        ["kubernetesIdentity", "admin"],
        ["regions[1].releaseChannel", "REGULAR"],
        ["serving.activeColor", "blue"],
        ["serving.torchserve.memory", "16Gi"],
        ["globalEntry.routing", "latency"],
    ])("%s: %s is accepted", (path, value) => {
        expect(problemsWith(path, value)).toEqual([]);
    });
});

describe("characters inside a pattern", () => {
    test.each([
        ["serving.torchserve.cpu", "0.25"],
        ["models[0].name", "a1"],
        ["models[0].version", "v1rc"],
        ["regions[2].gpuPools[0].model", "a4b"],
        ["globalEntry.alarmTopicArns", ["arn:aws:sns:us-east-1:123456789012:Fleet"]],
    ])("%s: %j is accepted", (path, value) => {
        expect(problemsWith(path, value)).toEqual([]);
    });
});

describe("regions", () => {
    test("a region that is not an object is refused as such, not for its cloud", () => {
        expect(problemsWith("regions[0]", "us-east")).toEqual(["regions.0: Invalid input: expected object, received string"]);
    });

    test("enum values are case-sensitive", () => {
        expect(problemsWith("regions[0].cloud", "AWS")).toEqual(["regions.0.cloud: cloud must be one of aws, gcp, existing"]);
        expect(problemsWith("regions[2].certIssuer.kind", "clusterissuer")).toEqual([
            'regions.2.certIssuer.kind: Invalid option: expected one of "ClusterIssuer"|"Issuer"',
        ]);
    });
});
