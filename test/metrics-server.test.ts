import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../config";
import { defaults } from "../config/defaults";
import { AwsRegion } from "../components/aws/region";
import { ExistingRegion } from "../components/existing/region";
import { GcpRegion } from "../components/gcp/region";
import { MetricsServer } from "../components/k8s/metricsServer";
import { evaluatePolicies, type RunnerResource } from "../tools/policy-runner";
import { unwrapSecrets, type FleetMocks, type MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";
import { hasSchema, schemaKey, validateManifest } from "./k8s-schema";

type Json = Record<string, unknown>;

const IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.1";
const T = {
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    service: "kubernetes:core/v1:Service",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    deployment: "kubernetes:apps/v1:Deployment",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    apiService: "kubernetes:apiregistration.k8s.io/v1:APIService",
    issuer: "kubernetes:cert-manager.io/v1:Issuer",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    component: "modelfleet:k8s:MetricsServer",
} as const;

let mocks: FleetMocks;
/** Options each resource was registered with, by resource name. */
const opts = new Map<string, pulumi.CustomResourceOptions>();
const record: pulumi.ResourceTransformation = (args) => {
    opts.set(args.name, args.opts);
    return undefined;
};

let clusterProvider: k8s.Provider;
let marker: k8s.core.v1.ConfigMap;
let verified: MetricsServer;
let aws1: AwsRegion;
let gcp1: GcpRegion;
let edgeWith: ExistingRegion;
let edgeWithout: ExistingRegion;

function regionOf(config: FleetConfig, name: string) {
    const region = config.regions.find((r) => r.name === name);
    if (!region) throw new Error(`no region ${name}`);
    return region;
}

/** The one resource of `type` named `name`, with its secrets unwrapped. */
function one(type: string, name: string): MockedResource {
    const found = mocks.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return { ...found[0], inputs: unwrapSecrets(found[0].inputs) as Json };
}

function at<V = unknown>(r: MockedResource, ...path: Array<string | number>): V {
    let value: unknown = r.inputs;
    for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
    return value as V;
}

function podSpec(r: MockedResource): Json {
    return at<Json>(r, "spec", "template", "spec");
}

function container(r: MockedResource): Json {
    return at<Json[]>(r, "spec", "template", "spec", "containers")[0];
}

function dependsOn(name: string): pulumi.Resource[] {
    const deps: unknown = opts.get(name)?.dependsOn;
    const list: unknown[] = Array.isArray(deps) ? deps : deps ? [deps] : [];
    return list.filter((d): d is pulumi.Resource => pulumi.Resource.isInstance(d));
}

/** Kubernetes objects (custom resources, not components) whose names start with `prefix`. */
function objectsOf(prefix: string): MockedResource[] {
    return mocks.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.name.startsWith(prefix));
}

beforeAll(async () => {
    mocks = await useMocks("prod");
    const prod = fleetConfig(stackSettings("prod"), "prod");
    const dev = fleetConfig(stackSettings("dev"), "dev");
    const withEdgeFlag = (flag: boolean) => {
        const raw = stackSettings("prod");
        const edge = (raw["regions"] as Json[]).find((r) => r["name"] === "edge-muc");
        if (!edge) throw new Error("Pulumi.prod.yaml is expected to have the edge-muc region");
        edge["installMetricsServer"] = flag;
        return fleetConfig(raw, "prod");
    };

    clusterProvider = new k8s.Provider("cluster-k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    marker = new k8s.core.v1.ConfigMap("marker", { metadata: { name: "marker" } }, { provider: clusterProvider });
    verified = new MetricsServer(
        "ms",
        { image: IMAGE, provider: clusterProvider, nodeSelector: { "modelfleet.io/pool": "system" }, dependsOn: [marker] },
        { transformations: [record] },
    );
    new MetricsServer(
        "plain",
        { image: IMAGE, provider: clusterProvider, servingCertificate: "self-signed" },
        { transformations: [record] },
    );

    const awsProvider = new aws.Provider("aws", { region: "us-east-1" });
    aws1 = new AwsRegion("use1", { region: regionOf(dev, "use1"), config: dev, provider: awsProvider }, { transformations: [record] });
    const gcpRegion = regionOf(prod, "usc1");
    if (gcpRegion.cloud !== "gcp") throw new Error("usc1 is expected to be a GCP region");
    const gcpProvider = new gcp.Provider("gcp-modelfleet-prod", { project: gcpRegion.project });
    gcp1 = new GcpRegion("usc1", { region: gcpRegion, config: prod, provider: gcpProvider });

    const edgeRegion = (config: FleetConfig) => {
        const region = regionOf(config, "edge-muc");
        if (region.cloud !== "existing") throw new Error("edge-muc is expected to be an existing cluster");
        return { region, config };
    };
    const kubeconfig = pulumi.secret("apiVersion: v1\nkind: Config\n");
    edgeWith = new ExistingRegion("edge-with", { ...edgeRegion(withEdgeFlag(true)), kubeconfig }, { transformations: [record] });
    edgeWithout = new ExistingRegion("edge-without", { ...edgeRegion(withEdgeFlag(false)), kubeconfig });

    await promiseOf(pulumi.all([aws1.cluster.endpoint, gcp1.cluster.endpoint, edgeWith.cluster.endpoint, verified.apiService.urn]));
    await settle();
});

describe("MetricsServer objects", () => {
    test("RBAC: the aggregated reader, its own cluster role, auth delegation and the authentication reader", () => {
        const reader = one(T.clusterRole, "ms-aggregated-reader");
        expect(at(reader, "metadata", "name")).toBe("system:aggregated-metrics-reader");
        expect(at(reader, "metadata", "labels")).toMatchObject({
            "rbac.authorization.k8s.io/aggregate-to-view": "true",
            "rbac.authorization.k8s.io/aggregate-to-edit": "true",
            "rbac.authorization.k8s.io/aggregate-to-admin": "true",
        });
        expect(at(reader, "rules")).toEqual([
            { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
        ]);

        const own = one(T.clusterRole, "ms-clusterrole");
        expect(at(own, "metadata", "name")).toBe("system:metrics-server");
        expect(at(own, "rules")).toEqual([
            { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
            { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
        ]);

        const subjects = [{ kind: "ServiceAccount", name: "metrics-server", namespace: "kube-system" }];
        const bindings: Array<[string, string, string, string, string | undefined]> = [
            [T.clusterRoleBinding, "ms-auth-delegator", "metrics-server:system:auth-delegator", "ClusterRole", "system:auth-delegator"],
            [T.clusterRoleBinding, "ms-clusterrolebinding", "system:metrics-server", "ClusterRole", "system:metrics-server"],
            [T.roleBinding, "ms-auth-reader", "metrics-server-auth-reader", "Role", "extension-apiserver-authentication-reader"],
        ];
        for (const [type, name, objectName, kind, role] of bindings) {
            const binding = one(type, name);
            expect({ name, objectName: at(binding, "metadata", "name") }).toEqual({ name, objectName });
            expect(at(binding, "roleRef")).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind, name: role });
            expect(at(binding, "subjects")).toEqual(subjects);
        }
        expect(at(one(T.roleBinding, "ms-auth-reader"), "metadata", "namespace")).toBe("kube-system");
        expect(at(one(T.serviceAccount, "ms-sa"), "metadata")).toMatchObject({ name: "metrics-server", namespace: "kube-system" });
    });

    test("the Deployment: pinned image, upstream arguments, HA, probes, resources and placement", () => {
        const deployment = one(T.deployment, "ms-deployment");
        expect(at(deployment, "metadata")).toMatchObject({ name: "metrics-server", namespace: "kube-system" });
        expect(at(deployment, "spec", "replicas")).toBe(2);
        const spec = podSpec(deployment);
        expect(spec["serviceAccountName"]).toBe("metrics-server");
        expect(spec["priorityClassName"]).toBe("system-cluster-critical");
        expect(spec["nodeSelector"]).toEqual({ "kubernetes.io/os": "linux", "modelfleet.io/pool": "system" });
        expect(spec["affinity"]).toEqual({
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: {
                            labelSelector: { matchLabels: { "k8s-app": "metrics-server" } },
                            namespaces: ["kube-system"],
                            topologyKey: "kubernetes.io/hostname",
                        },
                    },
                ],
            },
        });

        const main = container(deployment);
        expect(main["image"]).toBe(IMAGE);
        expect(main["args"]).toEqual([
            "--cert-dir=/tmp",
            "--secure-port=10250",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--kubelet-use-node-status-port",
            "--metric-resolution=15s",
            "--tls-cert-file=/etc/metrics-server/tls/tls.crt",
            "--tls-private-key-file=/etc/metrics-server/tls/tls.key",
        ]);
        expect(main["ports"]).toEqual([{ name: "https", containerPort: 10250, protocol: "TCP" }]);
        expect(main["readinessProbe"]).toEqual({
            httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" },
            periodSeconds: 10,
            failureThreshold: 3,
            initialDelaySeconds: 20,
        });
        expect(main["livenessProbe"]).toEqual({
            httpGet: { path: "/livez", port: "https", scheme: "HTTPS" },
            periodSeconds: 10,
            failureThreshold: 3,
        });
        expect(main["resources"]).toEqual({ requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "500Mi" } });
        expect(main["volumeMounts"]).toEqual([
            { name: "tmp-dir", mountPath: "/tmp" },
            { name: "serving-cert", mountPath: "/etc/metrics-server/tls" },
        ]);
        expect(spec["volumes"]).toEqual([
            { name: "tmp-dir", emptyDir: {} },
            { name: "serving-cert", secret: { secretName: "metrics-server-tls", defaultMode: 0o440 } },
        ]);
    });

    test("the restricted security context: non-root 1000, read-only root, no escalation, no capabilities, seccomp", () => {
        const deployment = one(T.deployment, "ms-deployment");
        expect(container(deployment)["securityContext"]).toEqual({
            runAsNonRoot: true,
            runAsUser: 1000,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(podSpec(deployment)["securityContext"]).toEqual({
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
        });
    });

    test("the Service and the budget select the Deployment's pods", () => {
        const podLabels = at<Record<string, string>>(one(T.deployment, "ms-deployment"), "spec", "template", "metadata", "labels");
        const service = one(T.service, "ms-service");
        expect(at(service, "metadata")).toMatchObject({ name: "metrics-server", namespace: "kube-system" });
        expect(at(service, "spec", "ports")).toEqual([{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }]);
        expect(podLabels).toMatchObject(at<Record<string, string>>(service, "spec", "selector"));
        expect(at(service, "spec", "type")).toBeUndefined();

        const budget = one(T.pdb, "ms-pdb");
        expect(at(budget, "spec")).toEqual({
            minAvailable: 1,
            selector: { matchLabels: { "k8s-app": "metrics-server" } },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
        expect(podLabels).toMatchObject(at<Record<string, string>>(budget, "spec", "selector", "matchLabels"));
    });

    test("with cert-manager the APIService carries the injected CA and verifies TLS", () => {
        const api = one(T.apiService, "ms-apiservice");
        expect(at(api, "metadata", "name")).toBe("v1beta1.metrics.k8s.io");
        expect(at(api, "metadata", "annotations")).toEqual({ "cert-manager.io/inject-ca-from": "kube-system/metrics-server-serving-cert" });
        expect(at(api, "spec")).toEqual({
            group: "metrics.k8s.io",
            version: "v1beta1",
            service: { name: "metrics-server", namespace: "kube-system", port: 443 },
            groupPriorityMinimum: 100,
            versionPriority: 100,
        });
        const certificate = one(T.certificate, "ms-serving-cert");
        expect(at(certificate, "metadata")).toMatchObject({ name: "metrics-server-serving-cert", namespace: "kube-system" });
        expect(at(certificate, "spec")).toMatchObject({
            secretName: "metrics-server-tls",
            dnsNames: ["metrics-server.kube-system.svc", "metrics-server.kube-system.svc.cluster.local"],
            issuerRef: { name: "metrics-server-selfsigned-issuer", kind: "Issuer", group: "cert-manager.io" },
        });
        expect(at(one(T.issuer, "ms-issuer"), "spec")).toEqual({ selfSigned: {} });
    });

    test("self-signed: upstream's unverified APIService, no cert-manager objects, no certificate files", () => {
        const api = one(T.apiService, "plain-apiservice");
        expect(at(api, "spec", "insecureSkipTLSVerify")).toBe(true);
        expect(at(api, "metadata", "annotations")).toBeUndefined();
        expect(objectsOf("plain-").filter((r) => r.type.includes("cert-manager.io"))).toEqual([]);
        const deployment = one(T.deployment, "plain-deployment");
        expect((container(deployment)["args"] as string[]).filter((a) => a.startsWith("--tls-"))).toEqual([]);
        expect(podSpec(deployment)["volumes"]).toEqual([{ name: "tmp-dir", emptyDir: {} }]);
        expect(podSpec(deployment)["nodeSelector"]).toEqual({ "kubernetes.io/os": "linux" });
    });

    test("every object goes through the cluster's provider and waits for what it was given", async () => {
        const providerUrn = await promiseOf(clusterProvider.urn);
        const objects = objectsOf("ms-");
        expect(objects.map((r) => r.type).sort()).toEqual(
            [
                T.apiService,
                T.certificate,
                T.clusterRole,
                T.clusterRole,
                T.clusterRoleBinding,
                T.clusterRoleBinding,
                T.deployment,
                T.issuer,
                T.pdb,
                T.roleBinding,
                T.service,
                T.serviceAccount,
            ].sort(),
        );
        for (const r of objects) {
            expect({ name: r.name, provider: r.provider?.split("::").slice(0, -1).join("::") }).toEqual({
                name: r.name,
                provider: providerUrn,
            });
            expect({ name: r.name, waitsForMarker: dependsOn(r.name).includes(marker) }).toEqual({ name: r.name, waitsForMarker: true });
        }
    });

    test("the APIService waits for ready pods and the certificate; the pods wait for RBAC and the certificate", async () => {
        const names = (list: pulumi.Resource[]) => Promise.all(list.map(async (d) => (await promiseOf(d.urn)).split("::").pop()));
        expect(await names(dependsOn("ms-apiservice"))).toEqual(expect.arrayContaining(["ms-deployment", "ms-service", "ms-serving-cert"]));
        expect(await names(dependsOn("ms-deployment"))).toEqual(
            expect.arrayContaining([
                "ms-sa",
                "ms-clusterrole",
                "ms-auth-delegator",
                "ms-clusterrolebinding",
                "ms-auth-reader",
                "ms-serving-cert",
            ]),
        );
        expect(await names(dependsOn("ms-serving-cert"))).toEqual(expect.arrayContaining(["ms-issuer"]));
    });

    test("readyResources are the Deployment, its budget and the APIService", async () => {
        const urns = await Promise.all(verified.readyResources.map((r) => promiseOf(r.urn)));
        expect(urns.map((u) => u.split("::").pop())).toEqual(["ms-deployment", "ms-pdb", "ms-apiservice"]);
    });

    test("every object is valid against the Kubernetes schema", () => {
        const validated: string[] = [];
        for (const r of [...objectsOf("ms-"), ...objectsOf("plain-")]) {
            if (schemaKey(r.inputs).startsWith("cert-manager.io/")) continue;
            expect({ name: r.name, model: hasSchema(r.inputs) }).toEqual({ name: r.name, model: true });
            expect(() => validateManifest(unwrapSecrets(r.inputs) as object)).not.toThrow();
            validated.push(r.name);
        }
        expect(validated).toHaveLength(20);
        // The same check rejects a malformed APIService.
        const broken = { ...one(T.apiService, "plain-apiservice").inputs, spec: { group: "metrics.k8s.io", groupPriorityMinimum: "high" } };
        expect(() => validateManifest(broken)).toThrow();
    });

    test("passes every policy of the pack", async () => {
        const resources: RunnerResource[] = [...objectsOf("ms-"), ...objectsOf("plain-")].map((r) => ({
            urn: `urn:pulumi:prod::modelfleet::${r.type}::${r.name}`,
            type: r.type,
            name: r.name,
            custom: true,
            inputs: unwrapSecrets(r.inputs) as Json,
            opts: {},
            ...(r.provider !== undefined ? { provider: r.provider.split("::").slice(0, -1).join("::") } : {}),
        }));
        const report = await evaluatePolicies(resources);
        expect(report.violations).toEqual([]);
        // And the pack does look at it: a root container is refused.
        const deployment = resources.find((r) => r.name === "ms-deployment");
        if (!deployment) throw new Error("no ms-deployment");
        const rootContainer = structuredClone(deployment);
        const rootSpec = ((rootContainer.inputs["spec"] as Json)["template"] as Json)["spec"] as Json;
        rootSpec["securityContext"] = {};
        ((rootSpec["containers"] as Json[])[0]["securityContext"] as Json)["runAsNonRoot"] = false;
        const rootReport = await evaluatePolicies([rootContainer]);
        expect(rootReport.violations.map((v) => v.policy)).toContain("pod-security-restricted");
    });

    test("refuses an unpinned image, naming it", () => {
        expect(
            () => new MetricsServer("bad", { image: "registry.k8s.io/metrics-server/metrics-server", provider: clusterProvider }),
        ).toThrow(
            "MetricsServer bad: image 'registry.k8s.io/metrics-server/metrics-server' must be pinned by version tag or digest, e.g. registry.k8s.io/metrics-server/metrics-server:v0.8.1",
        );
    });

    test("the default image is the pinned upstream release", () => {
        expect(defaults.images.metricsServer).toBe(IMAGE);
    });
});

describe("which regions run it", () => {
    test("an AWS region installs it on the system pool, after the system node group and cert-manager, and waits for it", async () => {
        const deployment = one(T.deployment, "use1-metrics-server-deployment");
        expect(container(deployment)["image"]).toBe(defaults.images.metricsServer);
        expect(podSpec(deployment)["nodeSelector"]).toEqual({ "kubernetes.io/os": "linux", "modelfleet.io/pool": "system" });
        expect(deployment.provider?.startsWith(await promiseOf(aws1.cluster.provider.urn))).toBe(true);
        expect(at(one(T.apiService, "use1-metrics-server-apiservice"), "metadata", "annotations")).toEqual({
            "cert-manager.io/inject-ca-from": "kube-system/metrics-server-serving-cert",
        });
        expect(dependsOn("use1-metrics-server-deployment")).toEqual(
            expect.arrayContaining([aws1.eks.systemNodeGroup, aws1.eks.addons["cert-manager"]]),
        );
        const ready = await Promise.all(aws1.cluster.readyResources.map((r) => promiseOf(r.urn)));
        expect(ready.map((u) => u.split("::").pop())).toEqual(
            expect.arrayContaining(["use1-metrics-server-deployment", "use1-metrics-server-pdb", "use1-metrics-server-apiservice"]),
        );
    });

    test("a GCP region does not (GKE runs its own)", async () => {
        const gkeProvider = await promiseOf(gcp1.cluster.provider.urn);
        const inGke = mocks.resources.filter((r) => r.provider?.startsWith(gkeProvider));
        expect(inGke.filter((r) => r.type === T.apiService || at(r, "metadata", "name") === "metrics-server")).toEqual([]);
        const components = mocks.resources.filter((r) => r.type === T.component).map((r) => r.name);
        expect(components).toContain("use1-metrics-server");
        expect(components.filter((n) => n.startsWith("usc1"))).toEqual([]);
    });

    test("an existing cluster only when installMetricsServer is set, then verified by cert-manager and waited for", async () => {
        expect(edgeWithout.metricsServer).toBeUndefined();
        expect(mocks.resources.filter((r) => r.name.startsWith("edge-without-metrics-server"))).toEqual([]);
        expect(edgeWithout.cluster.readyResources).toEqual([edgeWithout.devicePlugin]);

        const server = edgeWith.metricsServer;
        if (!server) throw new Error("edge-with has no metrics server");
        const deployment = one(T.deployment, "edge-with-metrics-server-deployment");
        expect(deployment.provider?.startsWith(await promiseOf(edgeWith.provider.urn))).toBe(true);
        // Edge clusters have no system pool: any Linux node will do.
        expect(podSpec(deployment)["nodeSelector"]).toEqual({ "kubernetes.io/os": "linux" });
        expect(at(one(T.apiService, "edge-with-metrics-server-apiservice"), "spec", "insecureSkipTLSVerify")).toBeUndefined();
        expect(edgeWith.cluster.readyResources).toEqual([edgeWith.devicePlugin, ...server.readyResources]);
    });

    test("installMetricsServer defaults to false", () => {
        const edge = regionOf(fleetConfig(stackSettings("prod"), "prod"), "edge-muc");
        expect(edge.cloud === "existing" && edge.installMetricsServer).toBe(false);
    });
});
