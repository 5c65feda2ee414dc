import { ACME_LETSENCRYPT, fleetSchema, isPinnedImage, secretKeys } from "../config/schema";
import { setPath } from "./key-path";

/** The stack-file schema on its own: each key's bounds on both sides, its enums, its patterns and its defaults. */

const hex64 = "0123456789abcdef".repeat(4);
const arn = "arn:aws:iam::123456789012:role/";
const sns = "arn:aws:sns:us-east-1:123456789012:";
const list = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);
const labels = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
const awsPool = { name: "l4", instanceTypes: ["g6.xlarge"] };
const gcpPool = { name: "l4", machineType: "g2-standard-8" };
const edgePool = { name: "l4", gpusPerNode: 1, model: "nvidia-l4", nodeSelector: { gpu: "l4" } };
const awsRegion = {
    name: "us-east",
    cloud: "aws",
    region: "us-east-1",
    vpcCidr: "10.0.0.0/16",
    adminRoleArn: `${arn}admin`,
    gpuPools: [awsPool],
};
const model = { name: "resnet", version: "1.0" };

/** The fewest settings the schema accepts: one region of each cloud, one model, and only the keys without a default. */
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
                gpuPools: [gcpPool],
            },
            {
                name: "edge-muc",
                cloud: "existing",
                region: "edge-munich",
                certIssuer: { name: "letsencrypt", acme: { email: "ops@example.com" } },
                modelStoreSource: "us-east",
                gpuPools: [edgePool],
            },
        ],
        models: [model],
        modelStore: { primaryRegion: "us-east" },
        serving: { domain: "serve.example.com" },
        globalEntry: {},
    });
}

function keyPath(path: ReadonlyArray<PropertyKey>): string {
    return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i > 0 ? "." : ""}${String(k)}`)).join("");
}

/** The schema's problems with the minimal settings after one edit, as `key.path: message`. */
function problemsWith(path: string, value: unknown): string[] {
    const raw = minimal();
    setPath(raw, path, value);
    const parsed = fleetSchema.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`);
}

function shortly(value: unknown): string {
    if (Array.isArray(value)) return value.length > 2 ? `${value.length} entries` : JSON.stringify(value);
    if (typeof value === "string" && value.length > 40) return `${value.slice(0, 12)}... (${value.length} characters)`;
    if (typeof value === "object" && value !== null) {
        const keys = Object.keys(value);
        return keys.length > 3 || keys.some((k) => k.length > 40)
            ? `${keys.length} keys of up to ${Math.max(...keys.map((k) => k.length))} characters`
            : JSON.stringify(value);
    }
    return JSON.stringify(value) ?? "unset";
}

const table: Array<[string, unknown, string[]]> = [
    ["regions[0].name", "a", []],
    ["regions[0].name", "a-b9", []],
    ["regions[0].name", "a00", []],
    ["regions[0].name", "abcdefghijklmnopqrst", []],
    [
        "regions[0].name",
        "abcdefghijklmnopqrstu",
        ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"],
    ],
    ["regions[0].name", "9a", ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"]],
    ["regions[0].name", "a-", ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"]],
    ["regions[0].name", "aB", ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"]],
    ["regions[0].name", "ab_", ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"]],
    ["regions[0].name", "-ab", ["regions[0].name: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"]],
    ["regions[0].formerName", "old-east", []],
    [
        "regions[0].formerName",
        "Old",
        ["regions[0].formerName: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"],
    ],
    ["regions[0].vpcCidr", "10.0.0.0", ["regions[0].vpcCidr: must be an IPv4 CIDR block such as 10.20.0.0/16"]],
    ["regions[0].vpcCidr", "10.0.0.1/16", ["regions[0].vpcCidr: '10.0.0.1/16' has host bits set; use the network address 10.0.0.0/16"]],
    ["regions[0].endpointPublicAccessCidrs", list(40, "203.0.113.0/24"), []],
    [
        "regions[0].endpointPublicAccessCidrs",
        list(41, "203.0.113.0/24"),
        ["regions[0].endpointPublicAccessCidrs: must have at most 40 entries: EKS allows 40 public endpoint CIDR blocks per cluster"],
    ],
    [
        "regions[0].endpointPublicAccessCidrs",
        ["203.0.113.7/24"],
        ["regions[0].endpointPublicAccessCidrs[0]: '203.0.113.7/24' has host bits set; use the network address 203.0.113.0/24"],
    ],
    ["regions[0].region", "", ["regions[0].region: must not be empty"]],
    ["regions[0].region", "r".repeat(63), []],
    ["regions[0].region", "r".repeat(64), ["regions[0].region: must be at most 63 characters"]],
    ["regions[0].models", list(32, "resnet"), []],
    [
        "regions[0].models",
        list(33, "resnet"),
        ["regions[0].models: must have at most 32 entries: a region serves at most the stack's models"],
    ],
    ["regions[0].servingPool", "", ["regions[0].servingPool: must not be empty"]],
    ["regions[0].servingPool", "l4", []],
    ["regions[0].protect", true, []],
    ["regions[0].protect", "yes", ["regions[0].protect: Invalid input: expected boolean, received string"]],
    ["regions[0].gpuPools[0].instanceTypes", [], ["regions[0].gpuPools[0].instanceTypes: must list at least one instance type"]],
    ["regions[0].gpuPools[0].instanceTypes", list(40, "g6.xlarge"), []],
    [
        "regions[0].gpuPools[0].instanceTypes",
        list(41, "g6.xlarge"),
        [
            "regions[0].gpuPools[0].instanceTypes: must have at most 40 entries: EKS turns them into Auto Scaling launch-template overrides (at most 40)",
        ],
    ],
    ["regions[0].gpuPools[0].instanceTypes", [""], ["regions[0].gpuPools[0].instanceTypes[0]: must not be empty"]],
    ["regions[0].gpuPools[0].minNodes", -1, ["regions[0].gpuPools[0].minNodes: must be 0 or more"]],
    ["regions[0].gpuPools[0].minNodes", 0.5, ["regions[0].gpuPools[0].minNodes: Invalid input: expected int, received number"]],
    ["regions[0].gpuPools[0].maxNodes", 0, ["regions[0].gpuPools[0].maxNodes: must be 1 or more"]],
    ["regions[0].gpuPools[0].maxNodes", 1, []],
    ["regions[0].gpuPools[0].maxNodes", 450, []],
    ["regions[0].gpuPools[0].maxNodes", 451, ["regions[0].gpuPools[0].maxNodes: must be at most 450 (EKS nodes per managed node group)"]],
    ["regions[0].gpuPools[0].desiredNodes", -1, ["regions[0].gpuPools[0].desiredNodes: must be 0 or more"]],
    ["regions[0].gpuPools[0].desiredNodes", 0, []],
    ["regions[0].gpuPools[0].capacity", "spot", []],
    ["regions[0].gpuPools[0].capacity", "on-demand", []],
    [
        "regions[0].gpuPools[0].capacity",
        "reserved",
        ['regions[0].gpuPools[0].capacity: Invalid option: expected one of "on-demand"|"spot"'],
    ],
    [
        "regions[0].gpuPools[0].diskSizeGb",
        49,
        ["regions[0].gpuPools[0].diskSizeGb: must be at least 50 (GiB) to hold the NVIDIA AMI and images"],
    ],
    ["regions[0].gpuPools[0].diskSizeGb", 50, []],
    ["regions[0].gpuPools[0].zones", ["a"], ['regions[0].gpuPools[0]: Unrecognized key: "zones"']],
    ["regions[0].azCount", 1, ["regions[0].azCount: must be at least 2 (EKS needs subnets in two zones)"]],
    ["regions[0].azCount", 2, []],
    ["regions[0].kubernetesVersion", "1.33", []],
    ["regions[0].kubernetesVersion", "1.3", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].kubernetesVersion", "1.333", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].kubernetesVersion", "2.33", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].kubernetesVersion", "v1.33", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].kubernetesVersion", "1x33", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].kubernetesVersion", "1.3a", ["regions[0].kubernetesVersion: must be a minor version such as 1.33"]],
    ["regions[0].adminRoleArn", `${arn}a+=,.@/-_9Z`, []],
    [
        "regions[0].adminRoleArn",
        "arn:aws:iam::12345678901:role/admin",
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        "arn:aws:iam::1234567890123:role/admin",
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        "arn:aws:iam::12345678901a:role/admin",
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        `x${arn}admin`,
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        `${arn}admin!`,
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        `${arn}`,
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    [
        "regions[0].adminRoleArn",
        `${arn}adm in`,
        ["regions[0].adminRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin"],
    ],
    ["regions[0].previewRoleArn", `${arn}modelfleet-ci-preview`, []],
    [
        "regions[0].previewRoleArn",
        `${arn}`,
        ["regions[0].previewRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview"],
    ],
    [
        "regions[0].previewRoleArn",
        `x${arn}ci`,
        ["regions[0].previewRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview"],
    ],
    [
        "regions[0].previewRoleArn",
        `${arn}ci!`,
        ["regions[0].previewRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview"],
    ],
    [
        "regions[0].previewRoleArn",
        "arn:aws:iam::12345678901:role/ci",
        ["regions[0].previewRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview"],
    ],
    [
        "regions[0].previewRoleArn",
        "arn:aws:iam::12345678901a:role/ci",
        ["regions[0].previewRoleArn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/modelfleet-ci-preview"],
    ],
    ["regions[0].previewRoleArn", `${arn}a+=,.@/-_9Z`, []],
    ["regions[0].addons", labels(16), []],
    ["regions[0].addons", labels(17), ["regions[0].addons: must have at most 16 entries"]],
    ["regions[0].addons", { coredns: "" }, ["regions[0].addons.coredns: must not be empty"]],
    ["regions[0].addons", { "": "v1" }, ["regions[0].addons.: Invalid key in record"]],
    ["regions[0].systemPool.instanceTypes", [], ["regions[0].systemPool.instanceTypes: Too small: expected array to have >=1 items"]],
    ["regions[0].systemPool.instanceTypes", ["m7i.xlarge"], []],
    ["regions[0].systemPool.minNodes", 0, ["regions[0].systemPool.minNodes: Too small: expected number to be >=1"]],
    ["regions[0].systemPool.minNodes", 1, []],
    ["regions[0].systemPool.maxNodes", 0, ["regions[0].systemPool.maxNodes: Too small: expected number to be >=1"]],
    ["regions[0].systemPool.maxNodes", 1, []],
    ["regions[0].systemPool.desiredNodes", 0, ["regions[0].systemPool.desiredNodes: Too small: expected number to be >=1"]],
    ["regions[0].systemPool.desiredNodes", 1, []],
    ["regions[0].systemPool.diskSizeGb", 19, ["regions[0].systemPool.diskSizeGb: Too small: expected number to be >=20"]],
    ["regions[0].systemPool.diskSizeGb", 20, []],
    ["regions[0].gpuPools", [], ["regions[0].gpuPools: must have at least one GPU pool"]],
    ["regions[0].gpuPools", list(29, awsPool), []],
    [
        "regions[0].gpuPools",
        list(30, awsPool),
        ["regions[0].gpuPools: must have at most 29 entries: EKS allows 30 managed node groups per cluster and one is the system pool"],
    ],
    ["regions[1].project", "abcdef", []],
    ["regions[1].project", "abcde", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "a".repeat(30), []],
    ["regions[1].project", "a".repeat(31), ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "1abcdef", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "abcde-", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "ab-c99", []],
    ["regions[1].project", "Abcdef", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "abcdeF", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].project", "abc_def", ["regions[1].project: must be a GCP project id"]],
    ["regions[1].masterCidr", "172.16.0.16/28", []],
    [
        "regions[1].masterCidr",
        "172.16.0.1/28",
        ["regions[1].masterCidr: '172.16.0.1/28' has host bits set; use the network address 172.16.0.0/28"],
    ],
    ["regions[1].podsCidr", "10.2.0.1/16", ["regions[1].podsCidr: '10.2.0.1/16' has host bits set; use the network address 10.2.0.0/16"]],
    [
        "regions[1].servicesCidr",
        "10.3.0.1/20",
        ["regions[1].servicesCidr: '10.3.0.1/20' has host bits set; use the network address 10.3.0.0/20"],
    ],
    [
        "regions[1].networkCidr",
        "10.1.0.1/16",
        ["regions[1].networkCidr: '10.1.0.1/16' has host bits set; use the network address 10.1.0.0/16"],
    ],
    ["regions[1].masterAuthorizedNetworks", list(50, { name: "office", cidr: "203.0.113.0/24" }), []],
    [
        "regions[1].masterAuthorizedNetworks",
        list(51, { name: "office", cidr: "203.0.113.0/24" }),
        ["regions[1].masterAuthorizedNetworks: must have at most 50 entries: GKE allows 50 authorized networks on a public endpoint"],
    ],
    [
        "regions[1].masterAuthorizedNetworks",
        [{ name: "", cidr: "203.0.113.1/24" }],
        [
            "regions[1].masterAuthorizedNetworks[0].name: must not be empty",
            "regions[1].masterAuthorizedNetworks[0].cidr: '203.0.113.1/24' has host bits set; use the network address 203.0.113.0/24",
        ],
    ],
    ["regions[1].releaseChannel", "RAPID", []],
    ["regions[1].releaseChannel", "STABLE", []],
    ["regions[1].releaseChannel", "EXTENDED", ['regions[1].releaseChannel: Invalid option: expected one of "RAPID"|"REGULAR"|"STABLE"']],
    ["regions[1].systemPool.machineType", "", ["regions[1].systemPool.machineType: must not be empty"]],
    ["regions[1].systemPool.minNodes", 0, ["regions[1].systemPool.minNodes: Too small: expected number to be >=1"]],
    ["regions[1].systemPool.minNodes", 1, []],
    ["regions[1].systemPool.maxNodes", 0, ["regions[1].systemPool.maxNodes: Too small: expected number to be >=1"]],
    ["regions[1].systemPool.maxNodes", 1, []],
    ["regions[1].systemPool.diskSizeGb", 19, ["regions[1].systemPool.diskSizeGb: Too small: expected number to be >=20"]],
    ["regions[1].systemPool.diskSizeGb", 20, []],
    ["regions[1].gpuPools", [], ["regions[1].gpuPools: must have at least one GPU pool"]],
    ["regions[1].gpuPools", list(14, gcpPool), []],
    [
        "regions[1].gpuPools",
        list(15, gcpPool),
        ["regions[1].gpuPools: must have at most 14 entries: GKE allows 15 node pools per cluster and one is the system pool"],
    ],
    ["regions[1].gpuPools[0].machineType", "", ["regions[1].gpuPools[0].machineType: must not be empty"]],
    ["regions[1].gpuPools[0].acceleratorCount", 0, ["regions[1].gpuPools[0].acceleratorCount: must be 1 or more"]],
    ["regions[1].gpuPools[0].acceleratorCount", 1, []],
    ["regions[1].gpuPools[0].minNodes", -1, ["regions[1].gpuPools[0].minNodes: must be 0 or more"]],
    ["regions[1].gpuPools[0].maxNodes", 0, ["regions[1].gpuPools[0].maxNodes: must be 1 or more"]],
    ["regions[1].gpuPools[0].maxNodes", 1000, []],
    ["regions[1].gpuPools[0].maxNodes", 1001, ["regions[1].gpuPools[0].maxNodes: must be at most 1000 (GKE nodes per node pool and zone)"]],
    ["regions[1].gpuPools[0].capacity", "spot", []],
    [
        "regions[1].gpuPools[0].capacity",
        "reserved",
        ['regions[1].gpuPools[0].capacity: Invalid option: expected one of "on-demand"|"spot"'],
    ],
    ["regions[1].gpuPools[0].diskSizeGb", 49, ["regions[1].gpuPools[0].diskSizeGb: must be at least 50 (GiB)"]],
    ["regions[1].gpuPools[0].diskSizeGb", 50, []],
    ["regions[1].gpuPools[0].zones", list(4, "europe-west4-a"), []],
    [
        "regions[1].gpuPools[0].zones",
        list(5, "europe-west4-a"),
        ["regions[1].gpuPools[0].zones: must have at most 4 entries: a GCP region has at most 4 zones"],
    ],
    ["regions[1].gpuPools[0].zones", [""], ["regions[1].gpuPools[0].zones[0]: must not be empty"]],
    ["regions[2].publicEndpoint", "edge-muc.example.com", []],
    ["regions[2].publicEndpoint", "not a host", ["regions[2].publicEndpoint: must be a hostname such as edge-muc.example.com"]],
    [
        "regions[2].publicEndpoint",
        "edge-muc.example.com.",
        ["regions[2].publicEndpoint: must not end with '.': Ingress hosts and certificates refuse a trailing dot"],
    ],
    ["regions[2].publicEndpoint", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, []],
    [
        "regions[2].publicEndpoint",
        `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`,
        [
            "regions[2].publicEndpoint: must be a hostname such as edge-muc.example.com",
            "regions[2].publicEndpoint: must be at most 253 characters (a DNS name)",
        ],
    ],
    ["regions[2].ingressClass", "i".repeat(253), []],
    ["regions[2].ingressClass", "i".repeat(254), ["regions[2].ingressClass: must be at most 253 characters"]],
    ["regions[2].ingressClass", "", ["regions[2].ingressClass: must not be empty"]],
    ["regions[2].certIssuer.name", "n".repeat(253), []],
    ["regions[2].certIssuer.name", "n".repeat(254), ["regions[2].certIssuer.name: must be at most 253 characters"]],
    ["regions[2].certIssuer.kind", "Issuer", []],
    ["regions[2].certIssuer.kind", "ClusterIssuer", []],
    ["regions[2].certIssuer.kind", "Certificate", ['regions[2].certIssuer.kind: Invalid option: expected one of "ClusterIssuer"|"Issuer"']],
    [
        "regions[2].certIssuer.acme",
        { email: "not-an-email" },
        ["regions[2].certIssuer.acme.email: must be an email address, e.g. platform@example.com"],
    ],
    ["regions[2].certIssuer.acme", { email: "ops@example.com", server: "https://acme.example.com/directory" }, []],
    [
        "regions[2].certIssuer.acme",
        { email: "ops@example.com", server: "http://acme.example.com/directory" },
        ["regions[2].certIssuer.acme.server: must be an https:// ACME directory URL"],
    ],
    [
        "regions[2].certIssuer.acme",
        { email: "ops@example.com", server: "xhttps://acme.example.com/directory" },
        ["regions[2].certIssuer.acme.server: must be an https:// ACME directory URL"],
    ],
    [
        "regions[2].certIssuer.acme",
        { email: "ops@example.com", server: "httpsx://acme.example.com/directory" },
        ["regions[2].certIssuer.acme.server: must be an https:// ACME directory URL"],
    ],
    ["regions[2].modelStoreSource", "", ["regions[2].modelStoreSource: must not be empty"]],
    ["regions[2].gpuPools", [], ["regions[2].gpuPools: must declare at least one GPU pool"]],
    ["regions[2].gpuPools", list(16, edgePool), []],
    [
        "regions[2].gpuPools",
        list(17, edgePool),
        ["regions[2].gpuPools: must have at most 16 entries: each pool is a placement choice with its own node labels"],
    ],
    ["regions[2].gpuPools[0].gpusPerNode", 0, ["regions[2].gpuPools[0].gpusPerNode: must be 1 or more"]],
    ["regions[2].gpuPools[0].gpusPerNode", 8, []],
    ["regions[2].gpuPools[0].model", "a", []],
    ["regions[2].gpuPools[0].model", "4", []],
    ["regions[2].gpuPools[0].model", "a.b-4", []],
    ["regions[2].gpuPools[0].model", "m".repeat(63), []],
    [
        "regions[2].gpuPools[0].model",
        "m".repeat(64),
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        "-a",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        "a-",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        ".a",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        "A",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        "a_",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].model",
        "a_b",
        ["regions[2].gpuPools[0].model: must be a label value such as nvidia-l4: 1-63 lowercase letters, digits, '.' or '-'"],
    ],
    [
        "regions[2].gpuPools[0].nodeSelector",
        {},
        ["regions[2].gpuPools[0].nodeSelector: must have at least one label so GPU pods land on GPU nodes"],
    ],
    ["regions[2].gpuPools[0].nodeSelector", labels(16), []],
    ["regions[2].gpuPools[0].nodeSelector", labels(17), ["regions[2].gpuPools[0].nodeSelector: must have at most 16 labels"]],
    ["regions[2].gpuPools[0].nodeSelector", { gpu: "" }, ["regions[2].gpuPools[0].nodeSelector.gpu: must not be empty"]],
    ["regions[2].gpuPools[0].nodeSelector", { gpu: "v".repeat(63) }, []],
    [
        "regions[2].gpuPools[0].nodeSelector",
        { gpu: "v".repeat(64) },
        ["regions[2].gpuPools[0].nodeSelector.gpu: must be at most 63 characters"],
    ],
    ["regions[2].gpuPools[0].nodeSelector", { ["k".repeat(317)]: "v" }, []],
    [
        "regions[2].gpuPools[0].nodeSelector",
        { ["k".repeat(318)]: "v" },
        [`regions[2].gpuPools[0].nodeSelector.${"k".repeat(318)}: Invalid key in record`],
    ],
    ["regions[2].gpuPools[0].nodeSelector", { "": "v" }, ["regions[2].gpuPools[0].nodeSelector.: Invalid key in record"]],
    ["regions[2].gpuPools[0].tainted", false, []],
    ["regions[2].cloud", "azure", ["regions[2].cloud: cloud must be one of aws, gcp, existing"]],
    ["regions[2].cloud", undefined, ["regions[2].cloud: cloud must be one of aws, gcp, existing"]],
    ["models[0].name", "R", []],
    ["models[0].name", "9a_b-C", []],
    ["models[0].name", "m".repeat(63), []],
    ["models[0].name", "m".repeat(64), ["models[0].name: must be letters, digits, '_' or '-'"]],
    ["models[0].name", "_a", ["models[0].name: must be letters, digits, '_' or '-'"]],
    ["models[0].name", "-a", ["models[0].name: must be letters, digits, '_' or '-'"]],
    ["models[0].name", "a.b", ["models[0].name: must be letters, digits, '_' or '-'"]],
    ["models[0].name", "a b", ["models[0].name: must be letters, digits, '_' or '-'"]],
    ["models[0].version", "2024-06-01", []],
    ["models[0].version", "a_B.9", []],
    ["models[0].version", "Z", []],
    ["models[0].version", ".1", ["models[0].version: must be a version such as 1.0 or 2024-06-01"]],
    ["models[0].version", "-1", ["models[0].version: must be a version such as 1.0 or 2024-06-01"]],
    ["models[0].version", "1 0", ["models[0].version: must be a version such as 1.0 or 2024-06-01"]],
    ["models[0].version", "1/0", ["models[0].version: must be a version such as 1.0 or 2024-06-01"]],
    ["models[0].batchSize", 0, ["models[0].batchSize: must be 1 or more"]],
    ["models[0].batchSize", 1, []],
    ["models[0].maxBatchDelayMs", -1, ["models[0].maxBatchDelayMs: Too small: expected number to be >=0"]],
    ["models[0].maxBatchDelayMs", 0, []],
    ["models[0].maxBatchDelayMs", 10000, []],
    ["models[0].maxBatchDelayMs", 10001, ["models[0].maxBatchDelayMs: must be at most 10000 ms"]],
    ["models[0].minWorkers", 0, ["models[0].minWorkers: must be 1 or more (TorchServe treats 0 as unset)"]],
    ["models[0].minWorkers", 1, []],
    ["models[0].maxWorkers", 0, ["models[0].maxWorkers: must be 1 or more"]],
    ["models[0].maxWorkers", 2, []],
    ["models[0].responseTimeoutSeconds", 0, ["models[0].responseTimeoutSeconds: Too small: expected number to be >=1"]],
    ["models[0].responseTimeoutSeconds", 1, []],
    ["models[0].responseTimeoutSeconds", 3970, []],
    [
        "models[0].responseTimeoutSeconds",
        3971,
        [
            "models[0].responseTimeoutSeconds: must be at most 3970 s: the ALB idle timeout stops at 4000 s and the load balancers add 30 s of margin",
        ],
    ],
    ["models[0].scaling.queueLatencyMs", 0, ["models[0].scaling.queueLatencyMs: must be greater than 0 (ms)"]],
    ["models[0].scaling.queueLatencyMs", 0.5, []],
    ["models[0].scaling.gpuUtilizationPercent", 0, ["models[0].scaling.gpuUtilizationPercent: must be greater than 0 (%)"]],
    ["models[0].scaling.gpuUtilizationPercent", 1, []],
    ["models[0].scaling.gpuUtilizationPercent", 100, []],
    ["models[0].scaling.gpuUtilizationPercent", 101, ["models[0].scaling.gpuUtilizationPercent: must be at most 100 (%)"]],
    ["serving.namespace", "serving-1", []],
    [
        "serving.namespace",
        "Serving",
        ["serving.namespace: must be a DNS label: 1-20 lowercase letters, digits or '-', starting with a letter"],
    ],
    ["serving.domain", "not a domain", ["serving.domain: must be a DNS name such as serve.example.com"]],
    [
        "serving.domain",
        "serve.example.com.",
        ["serving.domain: must not end with '.': Ingress hosts and certificates refuse a trailing dot"],
    ],
    ["serving.activeColor", "green", []],
    ["serving.activeColor", "red", ["serving.activeColor: must be blue or green (a track name)"]],
    ["serving.tracks.blue.torchserveImage", "repo/torchserve:1.2.3", []],
    [
        "serving.tracks.blue.torchserveImage",
        "repo/torchserve:latest",
        [
            "serving.tracks.blue.torchserveImage: must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged",
        ],
    ],
    [
        "serving.tracks.green.torchserveImage",
        "repo/torchserve",
        [
            "serving.tracks.green.torchserveImage: must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged",
        ],
    ],
    ["serving.tracks.green.torchserveImage", "repo/torchserve:1.2.3", []],
    ["serving.tracks.blue.torchserveLlmDigest", `sha256:${hex64}`, []],
    [
        "serving.tracks.blue.torchserveLlmDigest",
        `sha256:${hex64.slice(1)}`,
        [
            "serving.tracks.blue.torchserveLlmDigest: must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)",
        ],
    ],
    [
        "serving.tracks.green.torchserveLlmDigest",
        `sha256:${hex64}0`,
        [
            "serving.tracks.green.torchserveLlmDigest: must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)",
        ],
    ],
    [
        "serving.tracks.green.torchserveLlmDigest",
        `xsha256:${hex64}`,
        [
            "serving.tracks.green.torchserveLlmDigest: must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)",
        ],
    ],
    [
        "serving.tracks.green.torchserveLlmDigest",
        `sha256:${hex64.toUpperCase()}`,
        [
            "serving.tracks.green.torchserveLlmDigest: must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)",
        ],
    ],
    ["serving.tracks.green.torchserveLlmDigest", `sha256:${hex64}`, []],
    ["serving.torchserve.replicas", { min: 0, max: 4 }, ["serving.torchserve.replicas.min: Too small: expected number to be >=1"]],
    ["serving.torchserve.replicas", { min: 1, max: 5000 }, []],
    [
        "serving.torchserve.replicas",
        { min: 1, max: 5001 },
        ["serving.torchserve.replicas.max: must be at most 5000 (the node count Kubernetes supports per cluster)"],
    ],
    ["serving.torchserve.previewMinReplicas", 0, ["serving.torchserve.previewMinReplicas: must be 1 or more"]],
    ["serving.torchserve.previewMinReplicas", 2, []],
    ["serving.torchserve.cpu", "500m", []],
    ["serving.torchserve.cpu", "0.5", []],
    ["serving.torchserve.cpu", "1.", ["serving.torchserve.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.cpu", ".5", ["serving.torchserve.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.cpu", "x1", ["serving.torchserve.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.cpu", "1Gb", ["serving.torchserve.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.cpu", "1 Gi", ["serving.torchserve.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.memory", "1Ki", []],
    ["serving.torchserve.memory", "512Mi", []],
    ["serving.torchserve.memory", "1.5Ti", []],
    ["serving.torchserve.memory", "16G", ["serving.torchserve.memory: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.torchserve.gpus", 0, ["serving.torchserve.gpus: must be 1 or more"]],
    ["serving.torchserve.gpus", 2, []],
    ["serving.torchserve.cpuTargetPercent", 9, ["serving.torchserve.cpuTargetPercent: Too small: expected number to be >=10"]],
    ["serving.torchserve.cpuTargetPercent", 10, []],
    ["serving.torchserve.cpuTargetPercent", 95, []],
    ["serving.torchserve.cpuTargetPercent", 96, ["serving.torchserve.cpuTargetPercent: Too big: expected number to be <=95"]],
    ["serving.torchserve.jobQueueSize", 0, ["serving.torchserve.jobQueueSize: Too small: expected number to be >=1"]],
    ["serving.torchserve.jobQueueSize", 1, []],
    [
        "serving.torchserve.defaultResponseTimeoutSeconds",
        0,
        ["serving.torchserve.defaultResponseTimeoutSeconds: Too small: expected number to be >=1"],
    ],
    ["serving.torchserve.defaultResponseTimeoutSeconds", 1, []],
    ["serving.torchserve.defaultResponseTimeoutSeconds", 3970, []],
    [
        "serving.torchserve.defaultResponseTimeoutSeconds",
        3971,
        [
            "serving.torchserve.defaultResponseTimeoutSeconds: must be at most 3970 s: the ALB idle timeout stops at 4000 s and the load balancers add 30 s of margin",
        ],
    ],
    ["serving.torchserve.drainSeconds", 4, ["serving.torchserve.drainSeconds: Too small: expected number to be >=5"]],
    ["serving.torchserve.drainSeconds", 5, []],
    ["serving.torchserve.drainSeconds", 3600, []],
    ["serving.torchserve.drainSeconds", 3601, ["serving.torchserve.drainSeconds: Too big: expected number to be <=3600"]],
    ["serving.gateway.replicas", { min: 0, max: 6 }, ["serving.gateway.replicas.min: Too small: expected number to be >=1"]],
    [
        "serving.gateway.replicas",
        { min: 1, max: 5001 },
        ["serving.gateway.replicas.max: must be at most 5000 (the node count Kubernetes supports per cluster)"],
    ],
    ["serving.gateway.cpu", "100m", []],
    ["serving.gateway.cpu", "1 core", ["serving.gateway.cpu: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.gateway.memory", "256Mi", []],
    ["serving.gateway.memory", "256MB", ["serving.gateway.memory: must be a Kubernetes quantity such as 500m, 4, 16Gi"]],
    ["serving.gateway.cpuTargetPercent", 9, ["serving.gateway.cpuTargetPercent: Too small: expected number to be >=10"]],
    ["serving.gateway.cpuTargetPercent", 10, []],
    ["serving.gateway.cpuTargetPercent", 95, []],
    ["serving.gateway.cpuTargetPercent", 96, ["serving.gateway.cpuTargetPercent: Too big: expected number to be <=95"]],
    ["serving.monitoring", false, []],
    ["serving.traffic", { blue: 100, green: 0 }, []],
    ["serving.traffic", { blue: 101, green: -1 }, ["serving.traffic.green: must be 0 or more (a percentage of requests)"]],
    ["serving.slo.errorRatePercent", 0, ["serving.slo.errorRatePercent: must be greater than 0 (%)"]],
    ["serving.slo.errorRatePercent", 0.1, []],
    ["serving.slo.errorRatePercent", 100, []],
    ["serving.slo.errorRatePercent", 100.5, ["serving.slo.errorRatePercent: must be at most 100 (%)"]],
    ["serving.slo.p95LatencyMs", 0, ["serving.slo.p95LatencyMs: must be 1 or more (ms)"]],
    ["serving.slo.p95LatencyMs", 1, []],
    ["serving.autoscaling.prometheusUrl", "http://prometheus.monitoring:9090", []],
    [
        "serving.autoscaling.prometheusUrl",
        "not a url",
        ["serving.autoscaling.prometheusUrl: must be a URL such as http://prometheus-operated.monitoring.svc:9090"],
    ],
    ["images.torchserve", "repo/torchserve@sha256:" + hex64, []],
    [
        "images.gateway",
        "tensorzero/gateway",
        [
            "images.gateway: must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged",
        ],
    ],
    [
        "images.modelSyncS3",
        "amazon/aws-cli:latest",
        [
            "images.modelSyncS3: must be pinned by version tag or digest (e.g. repo/name:1.2.3 or repo/name@sha256:...), not 'latest' or untagged",
        ],
    ],
    [
        "images.torchserveLlmDigest",
        "sha256:abc",
        ["images.torchserveLlmDigest: must be an image digest such as sha256:<64 hex digits> (the main workflow prints it after the push)"],
    ],
    ["modelStore.primaryRegion", "", ["modelStore.primaryRegion: must not be empty"]],
    ["modelStore.noncurrentVersionDays", 0, ["modelStore.noncurrentVersionDays: must be at least 1 day"]],
    ["modelStore.noncurrentVersionDays", 1, []],
    ["modelStore.noncurrentVersionDays", 3650, []],
    [
        "modelStore.noncurrentVersionDays",
        3651,
        ["modelStore.noncurrentVersionDays: must be at most 3650 days (ten years; larger values are typos)"],
    ],
    ["modelStore.abortIncompleteUploadDays", 0, ["modelStore.abortIncompleteUploadDays: must be at least 1 day"]],
    ["modelStore.abortIncompleteUploadDays", 1, []],
    ["modelStore.abortIncompleteUploadDays", 30, []],
    [
        "modelStore.abortIncompleteUploadDays",
        31,
        ["modelStore.abortIncompleteUploadDays: must be at most 30 days: unfinished uploads are billed until aborted"],
    ],
    ["modelStore.replicationTimeControl", true, []],
    ["modelStore.gcsSoftDeleteDays", 6, ["modelStore.gcsSoftDeleteDays: must be 7-90 days (the GCS soft-delete range)"]],
    ["modelStore.gcsSoftDeleteDays", 7, []],
    ["modelStore.gcsSoftDeleteDays", 90, []],
    ["modelStore.gcsSoftDeleteDays", 91, ["modelStore.gcsSoftDeleteDays: must be at most 90 days"]],
    [
        "modelStore.transferIntervalMinutes",
        59,
        ["modelStore.transferIntervalMinutes: must be at least 60 (Storage Transfer Service minimum is one hour)"],
    ],
    ["modelStore.transferIntervalMinutes", 60, []],
    ["modelStore.transferIntervalMinutes", 10080, []],
    [
        "modelStore.transferIntervalMinutes",
        10081,
        ["modelStore.transferIntervalMinutes: must be at most 10080 (a week): a GCS copy further behind serves stale models"],
    ],
    ["globalEntry.hostedZoneId", "Z0123456789ABCDEFGHIJ", []],
    ["globalEntry.hostedZoneId", "Z1", []],
    ["globalEntry.hostedZoneId", "Z" + "A".repeat(31), []],
    [
        "globalEntry.hostedZoneId",
        "Z" + "A".repeat(32),
        ["globalEntry.hostedZoneId: must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ"],
    ],
    ["globalEntry.hostedZoneId", "Z", ["globalEntry.hostedZoneId: must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ"]],
    ["globalEntry.hostedZoneId", "z1", ["globalEntry.hostedZoneId: must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ"]],
    ["globalEntry.hostedZoneId", "Z1a", ["globalEntry.hostedZoneId: must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ"]],
    ["globalEntry.hostedZoneId", "XZ1", ["globalEntry.hostedZoneId: must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ"]],
    ["globalEntry.hostedZoneName", "example.com", []],
    [
        "globalEntry.hostedZoneName",
        "example.com.",
        ["globalEntry.hostedZoneName: must not end with '.': Ingress hosts and certificates refuse a trailing dot"],
    ],
    ["globalEntry.hostedZoneName", "not a zone", ["globalEntry.hostedZoneName: must be a DNS name such as example.com"]],
    ["globalEntry.routing", "failover", []],
    ["globalEntry.routing", "weighted", ['globalEntry.routing: Invalid option: expected one of "latency"|"failover"']],
    ["globalEntry.failoverPrimary", "", ["globalEntry.failoverPrimary: must not be empty"]],
    ["globalEntry.failoverPrimary", "us-east", []],
    ["globalEntry.alarmTopicArns", [`${sns}fleet-alarms_1`], []],
    ["globalEntry.alarmTopicArns", [`${sns}${"t".repeat(256)}`], []],
    [
        "globalEntry.alarmTopicArns",
        [`${sns}${"t".repeat(257)}`],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        [`${sns}`],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        [`${sns}a.b`],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        ["arn:aws:sns:eu-west-1:123456789012:alarms"],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        ["arn:aws:sns:us-east-1:12345678901:alarms"],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        ["arn:aws:sns:us-east-1:12345678901a:alarms"],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    [
        "globalEntry.alarmTopicArns",
        [`x${sns}alarms`],
        ["globalEntry.alarmTopicArns[0]: must be an SNS topic ARN in us-east-1, where Route 53 health-check alarms live"],
    ],
    ["globalEntry.alarmTopicArns", list(5, `${sns}alarms`), []],
    [
        "globalEntry.alarmTopicArns",
        list(6, `${sns}alarms`),
        ["globalEntry.alarmTopicArns: must have at most 5 entries: a CloudWatch alarm takes at most 5 actions per state"],
    ],
    ["globalEntry.maxFailoverSeconds", 1.5, ["globalEntry.maxFailoverSeconds: must be a whole number of seconds"]],
    ["globalEntry.maxFailoverSeconds", 0, ["globalEntry.maxFailoverSeconds: must be at least 1"]],
    ["globalEntry.maxFailoverSeconds", 1, []],
    ["globalEntry.maxFailoverSeconds", 3600, []],
    ["globalEntry.maxFailoverSeconds", 3601, ["globalEntry.maxFailoverSeconds: must be at most 3600 (an hour)"]],
    ["globalEntry.healthCheck.requestIntervalSeconds", 30, []],
    ["globalEntry.healthCheck.requestIntervalSeconds", 10, []],
    [
        "globalEntry.healthCheck.requestIntervalSeconds",
        20,
        ["globalEntry.healthCheck.requestIntervalSeconds: must be 10 or 30 (the intervals Route 53 offers)"],
    ],
    ["globalEntry.healthCheck.failureThreshold", 0, ["globalEntry.healthCheck.failureThreshold: Too small: expected number to be >=1"]],
    ["globalEntry.healthCheck.failureThreshold", 1, []],
    ["globalEntry.healthCheck.failureThreshold", 10, []],
    ["globalEntry.healthCheck.failureThreshold", 11, ["globalEntry.healthCheck.failureThreshold: must be 1-10"]],
    ["globalEntry.healthCheck.regions", list(8, "us-east-1"), []],
    [
        "globalEntry.healthCheck.regions",
        list(9, "us-east-1"),
        ["globalEntry.healthCheck.regions: must have at most 8 entries: Route 53 has 8 health-checker regions"],
    ],
    ["globalEntry.healthCheck.regions", [""], ["globalEntry.healthCheck.regions[0]: must not be empty"]],
    ["environment", "staging", []],
    ["environment", "prod", []],
    ["environment", "test", ['environment: Invalid option: expected one of "dev"|"staging"|"prod"']],
    ["deployStage", "modelStore", []],
    ["deployStage", "network", ["deployStage: must be modelStore or serving"]],
    ["kubernetesIdentity", "preview", []],
    ["kubernetesIdentity", "viewer", ["kubernetesIdentity: must be admin or preview"]],
    ["regions", [], ["regions: must list at least one region"]],
    ["regions", list(64, awsRegion), []],
    [
        "regions",
        list(65, awsRegion),
        [
            "regions: must have at most 64 entries: each region brings three Route 53 health checks (200 per account) and its whole cluster into one stack; split larger fleets into several stacks",
        ],
    ],
    ["models", [], ["models: must list at least one model"]],
    ["models", list(32, model), []],
    [
        "models",
        list(33, model),
        ["models: must have at most 32 entries: every TorchServe pod keeps at least one worker per model on its GPU(s)"],
    ],
];

describe("each setting's bounds, enums and patterns", () => {
    for (const [path, value, expected] of table) {
        test(`${path} = ${shortly(value)} is ${expected.length === 0 ? "accepted" : "refused"}`, () => {
            expect(problemsWith(path, value)).toEqual(expected);
        });
    }
});

describe("defaults", () => {
    test("every key left out gets its documented default", () => {
        expect(fleetSchema.parse(minimal())).toEqual({
            environment: "dev",
            deployStage: "serving",
            kubernetesIdentity: "admin",
            regions: [
                {
                    name: "us-east",
                    globalRouting: true,
                    decommission: false,
                    cloud: "aws",
                    region: "us-east-1",
                    azCount: 3,
                    vpcCidr: "10.0.0.0/16",
                    natGatewayPerAz: false,
                    kubernetesVersion: "1.35",
                    endpointPublicAccessCidrs: [],
                    adminRoleArn: "arn:aws:iam::123456789012:role/admin",
                    nodeSsmAccess: false,
                    systemPool: { instanceTypes: ["m7i.large"], minNodes: 2, maxNodes: 4, desiredNodes: 2, diskSizeGb: 50 },
                    gpuPools: [
                        { name: "l4", instanceTypes: ["g6.xlarge"], minNodes: 0, maxNodes: 4, capacity: "on-demand", diskSizeGb: 200 },
                    ],
                },
                {
                    name: "eu-west",
                    globalRouting: true,
                    decommission: false,
                    cloud: "gcp",
                    region: "europe-west4",
                    project: "my-project",
                    networkCidr: "10.1.0.0/16",
                    podsCidr: "10.2.0.0/16",
                    servicesCidr: "10.3.0.0/20",
                    masterCidr: "172.16.0.0/28",
                    masterAuthorizedNetworks: [],
                    releaseChannel: "REGULAR",
                    systemPool: { machineType: "e2-standard-4", minNodes: 1, maxNodes: 3, diskSizeGb: 50 },
                    gpuPools: [
                        { name: "l4", machineType: "g2-standard-8", minNodes: 0, maxNodes: 4, capacity: "on-demand", diskSizeGb: 200 },
                    ],
                },
                {
                    name: "edge-muc",
                    globalRouting: true,
                    decommission: false,
                    cloud: "existing",
                    region: "edge-munich",
                    installDevicePlugin: false,
                    installMetricsServer: false,
                    ingressClass: "nginx",
                    certIssuer: {
                        name: "letsencrypt",
                        kind: "ClusterIssuer",
                        acme: { email: "ops@example.com", server: "https://acme-v02.api.letsencrypt.org/directory" },
                    },
                    modelStoreSource: "us-east",
                    gpuPools: [{ name: "l4", gpusPerNode: 1, model: "nvidia-l4", nodeSelector: { gpu: "l4" }, tainted: true }],
                },
            ],
            models: [
                {
                    name: "resnet",
                    version: "1.0",
                    batchSize: 1,
                    maxBatchDelayMs: 100,
                    minWorkers: 1,
                    maxWorkers: 1,
                    responseTimeoutSeconds: 120,
                    openai: false,
                    scaling: { queueLatencyMs: 200, gpuUtilizationPercent: 80 },
                },
            ],
            modelStore: {
                primaryRegion: "us-east",
                noncurrentVersionDays: 30,
                abortIncompleteUploadDays: 7,
                replicationTimeControl: false,
                gcsSoftDeleteDays: 7,
                transferIntervalMinutes: 60,
            },
            serving: {
                namespace: "modelfleet",
                domain: "serve.example.com",
                activeColor: "blue",
                tracks: { blue: {}, green: {} },
                torchserve: {
                    replicas: { min: 1, max: 4 },
                    previewMinReplicas: 1,
                    cpu: "4",
                    memory: "16Gi",
                    gpus: 1,
                    cpuTargetPercent: 70,
                    jobQueueSize: 100,
                    defaultResponseTimeoutSeconds: 120,
                },
                gateway: { replicas: { min: 2, max: 6 }, cpu: "1", memory: "1Gi", cpuTargetPercent: 70 },
                monitoring: true,
                slo: { errorRatePercent: 1, p95LatencyMs: 2000 },
                autoscaling: { prometheusUrl: "http://prometheus-operated.monitoring.svc:9090" },
            },
            images: {
                torchserve: "pytorch/torchserve:0.12.0-gpu",
                gateway: "tensorzero/gateway:2026.6.0",
                modelSyncS3: "amazon/aws-cli:2.27.49",
                modelSyncGcs: "gcr.io/google.com/cloudsdktool/google-cloud-cli:530.0.0-slim",
                devicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.17.2",
                clusterAutoscaler: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0",
                awsLoadBalancerController: "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3",
                metricsServer: "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
                prometheusAdapter: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
                stackdriverAdapter: "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0",
            },
            globalEntry: {
                routing: "latency",
                alarmTopicArns: [],
                healthCheck: { requestIntervalSeconds: 10, failureThreshold: 3, regions: ["us-east-1", "eu-west-1", "ap-southeast-1"] },
            },
            pricing: { modelStoreGb: 100, instances: {}, fees: {} },
        });
        expect(ACME_LETSENCRYPT).toBe("https://acme-v02.api.letsencrypt.org/directory");
    });

    test("a default list is a fresh copy for every region", () => {
        const parsed = fleetSchema.parse({ ...minimal(), regions: [awsRegion, { ...awsRegion, name: "us-west" }] });
        const [first, second] = parsed.regions;
        if (first.cloud !== "aws" || second.cloud !== "aws") throw new Error("expected two AWS regions");
        expect(first.systemPool.instanceTypes).toEqual(["m7i.large"]);
        expect(first.systemPool.instanceTypes).not.toBe(second.systemPool.instanceTypes);
    });
});

describe("CIDR blocks with host bits", () => {
    test("the problem carries the network address as the fix", () => {
        const raw = minimal();
        setPath(raw, "regions[0].vpcCidr", "10.0.3.0/16");
        const parsed = fleetSchema.safeParse(raw, { reportInput: true });
        expect(parsed.success ? [] : parsed.error.issues).toEqual([
            {
                code: "custom",
                path: ["regions", 0, "vpcCidr"],
                message: "'10.0.3.0/16' has host bits set; use the network address 10.0.0.0/16",
                input: "10.0.3.0/16",
                params: { fixValue: "10.0.0.0/16" },
            },
        ]);
    });
});

describe("isPinnedImage", () => {
    test("a version tag or a digest pins an image", () => {
        expect(isPinnedImage("repo/name:1.2.3")).toBe(true);
        expect(isPinnedImage("registry:5000/repo/name:v1")).toBe(true);
        expect(isPinnedImage(`repo/name@sha256:${hex64}`)).toBe(true);
        expect(isPinnedImage(":1.0")).toBe(true);
    });

    test("latest, an empty tag or no tag does not", () => {
        expect(isPinnedImage("repo/name:latest")).toBe(false);
        expect(isPinnedImage("repo/name:")).toBe(false);
        expect(isPinnedImage("repo/name")).toBe(false);
        expect(isPinnedImage("registry:5000/repo/name")).toBe(false);
        expect(isPinnedImage("")).toBe(false);
    });

    test("only a digest at the end of the reference counts", () => {
        expect(isPinnedImage(`repo/name@sha256:${hex64}:latest`)).toBe(false);
        expect(isPinnedImage(`repo/name@sha256:${"/".repeat(64)}`)).toBe(false);
    });
});

describe("secret keys", () => {
    test("are the four keys read apart from the schema", () => {
        expect(secretKeys).toEqual(["kubeconfigs", "edgeStoreCredentials", "gatewayBackends", "edgeImagePullSecrets"]);
    });
});

describe("region clouds", () => {
    test("a region's cloud picks the member whose keys it checks", () => {
        expect(problemsWith("regions[2].project", "my-project")).toEqual(['regions[2]: Unrecognized key: "project"']);
        expect(problemsWith("regions[1].certIssuer", { name: "letsencrypt" })).toEqual(['regions[1]: Unrecognized key: "certIssuer"']);
    });
});
