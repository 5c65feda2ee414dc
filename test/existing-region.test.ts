import * as pulumi from "@pulumi/pulumi";
import { DaemonSet } from "kubernetes-models/apps/v1";
import type { FleetConfig } from "../config";
import { ConfigError } from "../config/errors";
import { currentServer } from "../components/existing/kubeconfig";
import { ExistingRegion, type ExistingRegionConfig } from "../components/existing/region";
import { existingRegionProblems } from "../components/existing/validate";
import { NvidiaDevicePlugin } from "../components/k8s/devicePlugin";
import { isWrappedSecret, unwrapSecrets, type FleetMocks, type MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";

type Json = Record<string, unknown>;

const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
/** The edge entry of the prod stack, at regions[3]. */
const EDGE_INDEX = 3;

const EDGE_KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: muc-admin
clusters:
  - name: muc
    cluster:
      server: https://k8s.muc.edge.example.com:6443
      certificate-authority-data: Q0E=
  - name: other
    cluster:
      server: https://other.example.com
contexts:
  - name: muc-admin
    context: { cluster: muc, user: admin }
users:
  - name: admin
    user: { token: not-a-real-token }
`;

function prodRaw(change?: (region: Json) => void): Json {
    const raw = stackSettings("prod");
    change?.((raw["regions"] as Json[])[EDGE_INDEX]);
    return raw;
}

function edgeOf(config: FleetConfig): ExistingRegionConfig {
    const region = config.regions[EDGE_INDEX];
    if (region.cloud !== "existing") throw new Error("regions[3] of Pulumi.prod.yaml is expected to be the edge cluster");
    return region;
}

interface Built {
    mocks: FleetMocks;
    region: ExistingRegion;
}

async function build(change?: (region: Json) => void, kubeconfig = EDGE_KUBECONFIG): Promise<Built> {
    const mocks = await useMocks("prod");
    const config = fleetConfig(prodRaw(change), "prod");
    const region = new ExistingRegion("edge-muc", { region: edgeOf(config), config, kubeconfig: pulumi.secret(kubeconfig) });
    await promiseOf(region.cluster.endpoint);
    await settle();
    return { mocks, region };
}

function one(mocks: FleetMocks, type: string): MockedResource {
    const found = mocks.ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
}

describe("existing edge cluster in prod", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build();
    });

    it("creates no cloud resources", () => {
        const cloud = built.mocks.resources.filter(
            (r) =>
                r.type.startsWith("gcp:") ||
                r.type.startsWith("aws:") ||
                r.type.startsWith("pulumi:providers:aws") ||
                r.type.startsWith("pulumi:providers:gcp"),
        );
        expect(cloud).toEqual([]);
        expect(
            built.mocks.resources
                .filter((r) => r.custom)
                .map((r) => r.type)
                .sort(),
        ).toEqual([DAEMON_SET, K8S_PROVIDER]);
    });

    it("keeps the kubeconfig secret in the provider", () => {
        const provider = one(built.mocks, K8S_PROVIDER);
        expect(isWrappedSecret(provider.inputs["kubeconfig"])).toBe(true);
        expect(unwrapSecrets(provider.inputs["kubeconfig"])).toBe(EDGE_KUBECONFIG);
    });

    it("takes the endpoint from the current context, and keeps it secret", async () => {
        expect(await promiseOf(built.region.cluster.endpoint)).toBe("https://k8s.muc.edge.example.com:6443");
        expect(await pulumi.isSecret(built.region.cluster.endpoint)).toBe(true);
    });

    it("yields the common cluster shape: ingress class with cert-manager issuer, static credentials, declared pools", async () => {
        const cluster = built.region.cluster;
        expect(cluster).toMatchObject({
            regionName: "edge-muc",
            cloud: "existing",
            location: "eu-central-munich",
            // The ingress sees the issuer's name and kind only; the program makes prod's ACME Issuer.
            ingress: { kind: "class", className: "nginx", certIssuer: { name: "modelfleet-acme", kind: "Issuer" } },
            workloadIdentity: { kind: "static-credentials" },
            systemNodeSelector: {},
            gpuPools: {
                t4: {
                    name: "t4",
                    nodeSelector: { "modelfleet.io/gpu-pool": "t4" },
                    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                    gpusPerNode: 1,
                    gpuModel: "nvidia-t4",
                },
            },
        });
        expect(await promiseOf(cluster.clusterName)).toBe("edge-muc");
        expect(await promiseOf(cluster.zones)).toEqual([]);
        expect(cluster.provider).toBe(built.region.provider);
        expect(cluster.readyResources).toEqual([built.region.devicePlugin]);
    });

    it("installs the pinned device plugin on the declared GPU nodes through the edge provider", async () => {
        const daemonSet = one(built.mocks, DAEMON_SET);
        expect(daemonSet.provider?.startsWith(await promiseOf(built.region.provider.urn))).toBe(true);
        const spec = unwrapSecrets(daemonSet.inputs) as Json;
        expect(spec).toMatchObject({
            metadata: { name: "nvidia-device-plugin", namespace: "kube-system" },
            spec: {
                template: {
                    spec: {
                        priorityClassName: "system-node-critical",
                        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [
                                        { matchExpressions: [{ key: "modelfleet.io/gpu-pool", operator: "In", values: ["t4"] }] },
                                    ],
                                },
                            },
                        },
                        containers: [
                            {
                                image: "nvcr.io/nvidia/k8s-device-plugin:v0.17.2",
                                securityContext: { allowPrivilegeEscalation: false, privileged: false },
                            },
                        ],
                        volumes: [{ hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } }],
                    },
                },
            },
        });
    });

    it("renders a DaemonSet the Kubernetes schema accepts", () => {
        const inputs = unwrapSecrets(one(built.mocks, DAEMON_SET).inputs) as Json;
        const manifest = (object: Json) =>
            new DaemonSet({ ...object, apiVersion: "apps/v1", kind: "DaemonSet" } as ConstructorParameters<typeof DaemonSet>[0]);
        expect(() => manifest(inputs).validate()).not.toThrow();
        // The same check fails a DaemonSet without its required selector.
        const withoutSelector: Json = { ...inputs, spec: { ...(inputs["spec"] as Json), selector: undefined } };
        expect(() => manifest(withoutSelector).validate()).toThrow();
    });
});

describe("existing cluster options", () => {
    it("installs no device plugin unless asked", async () => {
        const built = await build((r) => (r["installDevicePlugin"] = false));
        expect(built.mocks.ofType(DAEMON_SET)).toEqual([]);
        expect(built.region.devicePlugin).toBeUndefined();
        expect(built.region.cluster.readyResources).toEqual([]);
    });

    it("selects every declared pool, and drops the toleration of an untainted pool", async () => {
        const built = await build((r) => {
            (r["gpuPools"] as Json[]).push({
                name: "l4",
                gpusPerNode: 2,
                model: "nvidia-l4",
                nodeSelector: { "modelfleet.io/gpu-pool": "l4", "topology.example.com/rack": "r7" },
                tainted: false,
            });
        });
        const spec = unwrapSecrets(one(built.mocks, DAEMON_SET).inputs) as Json;
        const terms = (((((spec["spec"] as Json)["template"] as Json)["spec"] as Json)["affinity"] as Json)["nodeAffinity"] as Json)[
            "requiredDuringSchedulingIgnoredDuringExecution"
        ] as Json;
        expect(terms["nodeSelectorTerms"]).toEqual([
            { matchExpressions: [{ key: "modelfleet.io/gpu-pool", operator: "In", values: ["t4"] }] },
            {
                matchExpressions: [
                    { key: "modelfleet.io/gpu-pool", operator: "In", values: ["l4"] },
                    { key: "topology.example.com/rack", operator: "In", values: ["r7"] },
                ],
            },
        ]);
        expect(built.region.cluster.gpuPools["l4"]).toEqual({
            name: "l4",
            nodeSelector: { "modelfleet.io/gpu-pool": "l4", "topology.example.com/rack": "r7" },
            tolerations: [],
            gpusPerNode: 2,
            gpuModel: "nvidia-l4",
        });
    });

    it("falls back to the region name as endpoint when the kubeconfig names no server", async () => {
        const built = await build(undefined, "apiVersion: v1\nkind: Config\nclusters: []\n");
        expect(await promiseOf(built.region.cluster.endpoint)).toBe("edge-muc");
    });
});

describe("kubeconfig reading", () => {
    it("follows current-context to its cluster's server", () => {
        expect(currentServer(EDGE_KUBECONFIG)).toBe("https://k8s.muc.edge.example.com:6443");
    });

    it("answers undefined for anything it cannot follow, without throwing", () => {
        expect(currentServer("")).toBeUndefined();
        expect(currentServer(": : not yaml [")).toBeUndefined();
        expect(currentServer("current-context: missing\ncontexts: []\n")).toBeUndefined();
        expect(currentServer(EDGE_KUBECONFIG.replace("current-context: muc-admin", "current-context: 42"))).toBeUndefined();
    });
});

describe("existing cluster bad input", () => {
    const problemsOf = (change: (region: Json) => void) =>
        existingRegionProblems(edgeOf(fleetConfig(prodRaw(change), "prod")), "regions[3]");

    it("accepts the committed prod edge cluster", () => {
        expect(problemsOf(() => undefined)).toEqual([]);
    });

    it("refuses node selectors that are not Kubernetes labels", () => {
        expect(
            problemsOf((r) => ((r["gpuPools"] as Json[])[0]["nodeSelector"] = { "gpu pool": "t4", "modelfleet.io/gpu-pool": "t4 nodes" })),
        ).toEqual([
            {
                path: "regions[3].gpuPools[0].nodeSelector",
                message:
                    "has label key 'gpu pool' that is not a Kubernetes label key: 'gpu pool' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                fix: "pulumi config rm --path 'regions[3].gpuPools[0].nodeSelector[\"gpu pool\"]', then set a valid key",
            },
            {
                path: 'regions[3].gpuPools[0].nodeSelector["modelfleet.io/gpu-pool"]',
                message: "'t4 nodes' must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                fix: "pulumi config set --path 'regions[3].gpuPools[0].nodeSelector[\"modelfleet.io/gpu-pool\"]' <value>",
            },
        ]);
    });

    it("refuses a pool whose selector also matches another pool's nodes", () => {
        const problems = problemsOf((r) => {
            (r["gpuPools"] as Json[]).push({
                name: "t4-big",
                gpusPerNode: 4,
                model: "nvidia-t4",
                nodeSelector: { "modelfleet.io/gpu-pool": "t4", size: "big" },
            });
        });
        expect(problems).toEqual([
            {
                path: "regions[3].gpuPools[0].nodeSelector",
                message: "also selects the nodes of pool 't4-big' (gpuPools[1]); each pool needs a label only its own nodes carry",
                fix: "pulumi config set --path 'regions[3].gpuPools[0].nodeSelector[\"modelfleet.io/gpu-pool\"]' t4",
            },
        ]);
    });

    it("refuses ingress class and issuer names Kubernetes would reject", () => {
        expect(
            problemsOf((r) => {
                r["ingressClass"] = "Nginx_Public";
                r["certIssuer"] = { name: "lets encrypt" };
            }).map((p) => `${p.path} ${p.message}`),
        ).toEqual([
            "regions[3].ingressClass 'Nginx_Public' is not a Kubernetes object name (lowercase letters, digits, '-' and '.')",
            "regions[3].certIssuer.name 'lets encrypt' is not a Kubernetes object name (lowercase letters, digits, '-' and '.')",
        ]);
    });

    it("refuses a program-made ACME issuer of kind ClusterIssuer, naming the key and the fix", () => {
        expect(
            problemsOf((r) => {
                r["certIssuer"] = { name: "modelfleet-acme", kind: "ClusterIssuer", acme: { email: "platform@modelfleet.example.com" } };
            }),
        ).toEqual([
            {
                path: "regions[3].certIssuer.kind",
                message:
                    "must be Issuer when certIssuer.acme is set: the program makes the issuer in serving.namespace, beside the Secret with its Route 53 key",
                fix: "pulumi config set --path 'regions[3].certIssuer.kind' Issuer",
            },
        ]);
        expect(
            problemsOf((r) => {
                r["certIssuer"] = { name: "letsencrypt-prod", kind: "ClusterIssuer" };
            }),
        ).toEqual([]);
    });

    it("throws one ConfigError from the component", async () => {
        await useMocks("prod");
        const config = fleetConfig(
            prodRaw((r) => (r["ingressClass"] = "Nginx_Public")),
            "prod",
        );
        expect(
            () => new ExistingRegion("edge-muc", { region: edgeOf(config), config, kubeconfig: pulumi.secret(EDGE_KUBECONFIG) }),
        ).toThrow(ConfigError);
    });
});

describe("NvidiaDevicePlugin arguments", () => {
    it("refuses to run on every node", async () => {
        await useMocks();
        expect(() => new NvidiaDevicePlugin("dp", { image: "nvcr.io/nvidia/k8s-device-plugin:v0.17.2", nodeSelectors: [] })).toThrow(
            "NvidiaDevicePlugin dp: nodeSelectors must list at least one label set",
        );
        expect(() => new NvidiaDevicePlugin("dp2", { image: "nvcr.io/nvidia/k8s-device-plugin:v0.17.2", nodeSelectors: [{}] })).toThrow(
            "NvidiaDevicePlugin dp2: nodeSelectors[0] must have at least one label, or the plugin runs on every node",
        );
    });
});
