import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parse } from "smol-toml";
import type { FleetConfig } from "../config";
import { AwsRegion } from "../components/aws/region";
import { PROMETHEUS_OPERATOR_VERSION, PrometheusOperatorCrds } from "../components/k8s/prometheusOperatorCrds";
import { ServingStack } from "../components/k8s/servingStack";
import { evaluatePolicies } from "../tools/policy-runner";
import type { ModelStoreAccess, RegionCluster, RegionTls } from "../components/types";
import { isWrappedSecret, unwrapSecrets, type FleetMocks, type MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";
import { hasSchema, validateManifest } from "./k8s-schema";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Flavour = "aws" | "gcp" | "existing";

const regionOf: Record<Flavour, string> = { aws: "use1", gcp: "usc1", existing: "edge-muc" };
const gpuToleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };

interface Built {
    mocks: FleetMocks;
    stack: ServingStack;
    provider: k8s.Provider;
    markers: { cluster: pulumi.Resource; modelStore: pulumi.Resource; tls: pulumi.Resource };
    /** Options each child was registered with, by resource name. */
    opts: Map<string, pulumi.CustomResourceOptions>;
}

/** Fakes of what the region, model-store and TLS components hand the serving stack. */
function fakes(flavour: Flavour, config: FleetConfig) {
    const region = config.regions.find((r) => r.name === regionOf[flavour]);
    if (!region) throw new Error(`no region ${regionOf[flavour]} in the config`);
    const provider = new k8s.Provider(`${region.name}-k8s`, { kubeconfig: "offline" });
    const markers = {
        cluster: new random.RandomId(`${region.name}-cluster-ready`, { byteLength: 4 }),
        modelStore: new random.RandomId(`${region.name}-store-ready`, { byteLength: 4 }),
        tls: new random.RandomId(`${region.name}-tls-ready`, { byteLength: 4 }),
    };
    const pool = (name: string) => ({
        name,
        nodeSelector: { "modelfleet.io/gpu-pool": name },
        tolerations: [gpuToleration],
        gpusPerNode: 1,
        gpuModel: "nvidia-l4",
    });
    const hosts = ["serve.modelfleet.example.com", `${region.name}.serve.modelfleet.example.com`];
    const common = {
        regionName: region.name,
        cloud: region.cloud,
        location: region.region,
        clusterName: pulumi.output(`modelfleet-${region.name}`),
        endpoint: pulumi.output("https://api.example"),
        provider,
        zones: pulumi.output(["a", "b"]),
        readyResources: [markers.cluster],
    };
    let cluster: RegionCluster;
    let modelStore: ModelStoreAccess;
    let tls: RegionTls;
    if (flavour === "aws") {
        cluster = {
            ...common,
            gpuPools: { l4: pool("l4"), "a10g-spot": pool("a10g-spot") },
            systemNodeSelector: { "modelfleet.io/pool": "system" },
            workloadIdentity: { kind: "eks-pod-identity", clusterName: common.clusterName },
            ingress: { kind: "alb", className: "alb" },
            monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
        };
        modelStore = {
            kind: "s3",
            uri: pulumi.output("s3://modelfleet-models-use1"),
            bucketRegion: "us-east-1",
            serviceAccountAnnotations: {},
            readyResources: [markers.modelStore],
        };
        tls = {
            kind: "acm",
            hosts,
            certificateArn: pulumi.output("arn:aws:acm:us-east-1:111122223333:certificate/abc"),
            readyResources: [markers.tls],
        };
    } else if (flavour === "gcp") {
        cluster = {
            ...common,
            gpuPools: { l4: pool("l4") },
            systemNodeSelector: { "cloud.google.com/gke-nodepool": "system" },
            workloadIdentity: {
                kind: "gke-workload-identity",
                project: "modelfleet-prod",
                workloadPool: pulumi.output("modelfleet-prod.svc.id.goog"),
            },
            ingress: { kind: "gce", className: "gce" },
            monitoring: { kind: "gke-managed-prometheus", scraperNamespaces: ["gmp-system"] },
        };
        modelStore = {
            kind: "gcs",
            uri: pulumi.output("gs://modelfleet-models-usc1"),
            bucketRegion: "us-central1",
            serviceAccountAnnotations: {
                "iam.gke.io/gcp-service-account": pulumi.output("torchserve@modelfleet-prod.iam.gserviceaccount.com"),
            },
            readyResources: [markers.modelStore],
        };
        tls = {
            kind: "gcp-managed",
            hosts,
            certificateMapName: pulumi.output("serving-usc1-map"),
            staticIpName: pulumi.output("serving-usc1-ip"),
            staticIpAddress: pulumi.output("34.120.1.2"),
            sslPolicyName: pulumi.output("modelfleet-tls12"),
            readyResources: [markers.tls],
        };
    } else {
        cluster = {
            ...common,
            gpuPools: { t4: pool("t4") },
            systemNodeSelector: {},
            workloadIdentity: { kind: "static-credentials" },
            ingress: { kind: "class", className: "nginx", certIssuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" } },
            monitoring: { kind: "prometheus-operator", scraperNamespaces: ["monitoring"] },
        };
        modelStore = {
            kind: "s3",
            uri: pulumi.output("s3://modelfleet-models-euw1"),
            bucketRegion: "eu-west-1",
            serviceAccountAnnotations: {},
            staticCredentials: { accessKeyId: pulumi.secret("AKIAEDGE"), secretAccessKey: pulumi.secret("edge-secret") },
            readyResources: [markers.modelStore],
        };
        tls = {
            kind: "cert-manager",
            hosts,
            secretName: "serving-tls",
            issuer: { name: "letsencrypt-prod", kind: "ClusterIssuer" },
            readyResources: [markers.tls],
            certificateAliases: [{ name: "edge-muc-tls-certificate", parent: markers.tls }],
        };
    }
    const llmImage = { repository: pulumi.output(`111122223333.dkr.ecr.${region.region}.amazonaws.com/modelfleet-prod/torchserve-llm`) };
    return { region, provider, markers, cluster, modelStore, tls, llmImage };
}

async function build(flavour: Flavour, config: FleetConfig = fleetConfig(stackSettings("prod"))): Promise<Built> {
    const mocks = await useMocks("prod");
    const opts = new Map<string, pulumi.CustomResourceOptions>();
    const record: pulumi.ResourceTransformation = (args) => {
        opts.set(args.name, args.opts);
        return undefined;
    };
    const f = fakes(flavour, config);
    const stack = new ServingStack(
        `${f.region.name}-serving`,
        { config, region: f.region, cluster: f.cluster, modelStore: f.modelStore, tls: f.tls, llmImage: f.llmImage },
        { transformations: [record] },
    );
    await promiseOf(stack.namespace);
    await promiseOf(stack.endpoint.loadBalancerHostname);
    await settle();
    return { mocks, stack, provider: f.provider, markers: f.markers, opts };
}

const k8sObjects = (mocks: FleetMocks) => mocks.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
const manifest = (r: MockedResource) => unwrapSecrets(r.inputs) as Json;
const ids = (mocks: FleetMocks) =>
    k8sObjects(mocks)
        .map((r) => `${manifest(r).kind}/${manifest(r).metadata.name}`)
        .sort();

function one(mocks: FleetMocks, kind: string, name: string): Json {
    const found = k8sObjects(mocks).filter((r) => manifest(r).kind === kind && manifest(r).metadata.name === name);
    if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
    return manifest(found[0]);
}

/** A rule is exactly one of: a recording rule (record, expr: a valid metric name) or an alert (alert, expr, for). */
function ruleShape(r: Json): void {
    if (r.record !== undefined) {
        expect(Object.keys(r).sort()).toEqual(["expr", "record"]);
        expect(r.record).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        expect(r.expr).toEqual(expect.any(String));
        return;
    }
    expect(r).toEqual(
        expect.objectContaining({
            alert: expect.stringMatching(/^[A-Za-z0-9]+$/),
            expr: expect.any(String),
            for: expect.stringMatching(/^[0-9]+m$/),
        }),
    );
}

/** CRDs have no schema in kubernetes-models core: check their shape by what each controller requires. */
const crdShapes: Record<string, (spec: Json) => void> = {
    "monitoring.coreos.com/v1/ServiceMonitor": (spec) => {
        expect(Object.keys(spec.selector.matchLabels).length).toBeGreaterThan(0);
        for (const e of spec.endpoints)
            expect(e).toEqual(
                expect.objectContaining({ port: expect.any(String), path: "/metrics", interval: expect.stringMatching(/^[0-9]+s$/) }),
            );
    },
    "monitoring.coreos.com/v1/PrometheusRule": (spec) => {
        for (const group of spec.groups) {
            expect(group.name).toEqual(expect.any(String));
            for (const r of group.rules) ruleShape(r);
        }
    },
    // GKE Managed Prometheus: the fields its CRDs require and its admission webhook checks.
    "monitoring.googleapis.com/v1/PodMonitoring": (spec) => {
        expect(Object.keys(spec).sort()).toEqual(["endpoints", "selector", "targetLabels"]);
        expect(Object.keys(spec.selector.matchLabels).length).toBeGreaterThan(0);
        expect(spec.endpoints.length).toBeGreaterThan(0);
        for (const e of spec.endpoints) {
            expect(Object.keys(e).sort()).toEqual(["interval", "path", "port", "timeout"]);
            expect(e.port).toMatch(/^[a-z][-a-z0-9]*$/);
            expect(e.path).toBe("/metrics");
            // The scrape timeout may not exceed the interval.
            expect(parseInt(e.timeout, 10)).toBeLessThanOrEqual(parseInt(e.interval, 10));
            expect(e.interval).toMatch(/^[0-9]+s$/);
            expect(e.timeout).toMatch(/^[0-9]+s$/);
        }
        for (const m of spec.targetLabels.fromPod) {
            expect(Object.keys(m).sort()).toEqual(["from", "to"]);
            // Target labels must be valid Prometheus label names.
            expect(m.to).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        }
    },
    "monitoring.googleapis.com/v1/Rules": (spec) => {
        expect(Object.keys(spec)).toEqual(["groups"]);
        for (const group of spec.groups) {
            expect(Object.keys(group).sort()).toEqual(["interval", "name", "rules"]);
            expect(group.interval).toMatch(/^[0-9]+[sm]$/);
            expect(group.rules.length).toBeGreaterThan(0);
            for (const r of group.rules) ruleShape(r);
        }
    },
    // Gateway API v1 (the fields used here, as the gateway.networking.k8s.io CRDs define them).
    "gateway.networking.k8s.io/v1/Gateway": (spec) => {
        expect(Object.keys(spec).sort()).toEqual(["addresses", "gatewayClassName", "listeners"]);
        for (const l of spec.listeners) {
            expect(l.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
            expect(["HTTP", "HTTPS"]).toContain(l.protocol);
            expect(l.port).toEqual(expect.any(Number));
            // The CRD's rule checks the mode only when `tls` is set ("tls mode must be Terminate for
            // protocol HTTPS" applies to `has(l.tls)`); GKE takes the certificate map by annotation.
            if (l.protocol === "HTTPS" && l.tls !== undefined) expect(l.tls.mode).toBe("Terminate");
        }
    },
    "gateway.networking.k8s.io/v1/HTTPRoute": (spec) => {
        expect(spec.parentRefs.length).toBeGreaterThan(0);
        // At most 16 rules; backendRefs weights are 0..1000000.
        expect(spec.rules.length).toBeLessThanOrEqual(16);
        for (const rule of spec.rules) {
            for (const m of rule.matches ?? []) expect(["Exact", "PathPrefix", "RegularExpression"]).toContain(m.path.type);
            for (const ref of rule.backendRefs ?? []) {
                expect(ref.name).toEqual(expect.any(String));
                expect(ref.port).toEqual(expect.any(Number));
                if (ref.weight !== undefined) expect(ref.weight).toBeGreaterThanOrEqual(0);
            }
        }
    },
    // GKE's Gateway policies: a targetRef and the `default` block.
    "networking.gke.io/v1/GCPGatewayPolicy": (spec) => expect(Object.keys(spec).sort()).toEqual(["default", "targetRef"]),
    "networking.gke.io/v1/HealthCheckPolicy": (spec) => {
        expect(spec.targetRef).toEqual({ group: "", kind: "Service", name: expect.any(String) });
        expect(spec.default.config.type).toBe("HTTP");
    },
    "networking.gke.io/v1/GCPBackendPolicy": (spec) => {
        expect(spec.targetRef).toEqual({ group: "", kind: "Service", name: expect.any(String) });
        expect(spec.default.timeoutSec).toEqual(expect.any(Number));
    },
    // cert-manager v1 Certificate: secretName and issuerRef.name are required by its CRD.
    "cert-manager.io/v1/Certificate": (spec) => {
        expect(Object.keys(spec).sort()).toEqual(["dnsNames", "issuerRef", "privateKey", "secretName"]);
        expect(spec.secretName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(spec.issuerRef).toEqual({
            name: expect.any(String),
            kind: expect.stringMatching(/^(Cluster)?Issuer$/),
            group: "cert-manager.io",
        });
        expect(["RSA", "ECDSA", "Ed25519"]).toContain(spec.privateKey.algorithm);
        expect(["Never", "Always"]).toContain(spec.privateKey.rotationPolicy);
    },
};

function validateAll(mocks: FleetMocks): number {
    let count = 0;
    for (const r of k8sObjects(mocks)) {
        const m = manifest(r);
        const key = `${m.apiVersion}/${m.kind}`;
        if (m.metadata.labels["app.kubernetes.io/component"] === "metrics-adapter") {
            // The cluster's custom-metrics adapter: cluster-wide, in kube-system, not part of the serving app.
            if (m.metadata.namespace !== undefined) expect(m.metadata.namespace).toBe("kube-system");
            validateManifest(m);
            count++;
            continue;
        }
        expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        if (m.kind !== "Namespace") expect(m.metadata.namespace).toBe("modelfleet");
        expect(m.metadata.labels["app.kubernetes.io/part-of"]).toBe("modelfleet");
        if (hasSchema(m)) validateManifest(m);
        else if (crdShapes[key]) crdShapes[key](m.spec);
        else throw new Error(`no schema or shape check for ${key}`);
        count++;
    }
    return count;
}

/** The policy pack's verdicts over the stack's objects, as the offline plan would run it. */
async function violations(mocks: FleetMocks, change: (name: string, inputs: Json) => void = () => undefined): Promise<string[]> {
    const resources = k8sObjects(mocks).map((r) => {
        const inputs = manifest(r);
        change(r.name, inputs);
        return {
            urn: `urn:pulumi:prod::modelfleet::${r.type}::${r.name}`,
            type: r.type,
            name: r.name,
            custom: true,
            inputs,
            opts: {},
            ...(r.provider !== undefined ? { provider: r.provider } : {}),
        };
    });
    const report = await evaluatePolicies(resources);
    return report.violations.map((v) => `${v.level} ${v.policy}: ${v.message}`);
}

const common = [
    "ConfigMap/modelfleet-serving-dashboard",
    "ConfigMap/tensorzero-config",
    "ConfigMap/torchserve-config",
    "Deployment/tensorzero-gateway",
    "Deployment/torchserve-blue",
    "Deployment/torchserve-green",
    "HorizontalPodAutoscaler/tensorzero-gateway",
    "HorizontalPodAutoscaler/torchserve-blue",
    "HorizontalPodAutoscaler/torchserve-green",
    "LimitRange/serving-limits",
    "Namespace/modelfleet",
    "NetworkPolicy/allow-gateway-to-torchserve",
    "NetworkPolicy/allow-ingress-controller",
    "NetworkPolicy/allow-prometheus-scrape",
    "NetworkPolicy/default-deny",
    "NetworkPolicy/gateway-egress",
    "NetworkPolicy/torchserve-egress",
    "PodDisruptionBudget/tensorzero-gateway",
    "PodDisruptionBudget/torchserve-blue",
    "PodDisruptionBudget/torchserve-green",
    "ResourceQuota/serving-quota",
    "Secret/tensorzero-backends",
    "Service/tensorzero-gateway",
    "Service/torchserve",
    "Service/torchserve-metrics",
    "Service/torchserve-preview",
    "Service/torchserve-blue",
    "Service/torchserve-green",
    "ServiceAccount/tensorzero-gateway",
    "ServiceAccount/torchserve",
];
/** The custom-metrics adapter's objects, named after the adapter (kube-system). */
function adapterObjects(name: string, withConfig: boolean): string[] {
    return [
        "APIService/v1beta1.custom.metrics.k8s.io",
        `ClusterRole/${name}-resource-reader`,
        `ClusterRoleBinding/${name}-resource-reader`,
        `ClusterRoleBinding/${name}:system:auth-delegator`,
        ...(withConfig ? [`ConfigMap/${name}`] : []),
        `Deployment/${name}`,
        `PodDisruptionBudget/${name}`,
        `RoleBinding/${name}-auth-reader`,
        `Service/${name}`,
        `ServiceAccount/${name}`,
    ];
}
/** Scrape targets, rules and the metrics adapter for the Prometheus Operator (EKS, edge) and for GKE Managed Prometheus. */
/** The Ingress of EKS and edge clusters; GKE's Gateway API objects instead. */
const ingressObjects = ["Ingress/serving"];
const gkeGatewayObjects = [
    "Gateway/serving",
    "HTTPRoute/serving",
    "HTTPRoute/serving-https-redirect",
    "GCPGatewayPolicy/serving-ssl",
    "HealthCheckPolicy/torchserve-blue-health",
    "HealthCheckPolicy/torchserve-green-health",
    "HealthCheckPolicy/tensorzero-gateway-health",
    "GCPBackendPolicy/torchserve-blue-backend",
    "GCPBackendPolicy/torchserve-green-backend",
    "GCPBackendPolicy/tensorzero-gateway-backend",
];
const operatorMonitoring = [
    "PrometheusRule/modelfleet-serving",
    "ServiceMonitor/tensorzero-gateway",
    "ServiceMonitor/torchserve",
    ...adapterObjects("prometheus-adapter", true),
];
const gkeMonitoring = [
    "PodMonitoring/tensorzero-gateway",
    "PodMonitoring/torchserve-metrics",
    "Rules/modelfleet-serving",
    ...adapterObjects("custom-metrics-stackdriver-adapter", false),
];

describe("ServingStack on EKS (prod use1)", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build("aws");
    });

    const expected = [...common, ...ingressObjects, ...operatorMonitoring].sort();

    test("registers the component under its type token and every object of the stack, all schema-valid", () => {
        expect(built.mocks.resources.filter((r) => r.type === "modelfleet:k8s:ServingStack").map((r) => r.name)).toEqual(["use1-serving"]);
        expect(ids(built.mocks)).toEqual(expected);
        expect(validateAll(built.mocks)).toBe(expected.length);
    });

    test("every Kubernetes object goes through the cluster's provider and waits for the cluster", async () => {
        const providerRef = `${await promiseOf(built.provider.urn)}::${await promiseOf(built.provider.id)}`;
        const children = k8sObjects(built.mocks);
        expect(children.length).toBe(expected.length);
        for (const child of children) {
            expect(child.provider).toBe(providerRef);
            const opts = built.opts.get(child.name);
            expect(opts?.provider).toBe(built.provider);
            expect(opts?.dependsOn).toContain(built.markers.cluster);
        }
    });

    test("the TorchServe tracks wait for the model-store identity; the Ingress waits for its certificate", () => {
        for (const track of ["blue", "green"])
            expect(built.opts.get(`use1-serving-torchserve-${track}`)?.dependsOn).toContain(built.markers.modelStore);
        expect(built.opts.get("use1-serving-gateway")?.dependsOn).not.toContain(built.markers.modelStore);
        const ingressDeps = built.opts.get("use1-serving-ingress")?.dependsOn as pulumi.Resource[];
        expect(ingressDeps).toContain(built.markers.tls);
        const deployments = k8sObjects(built.mocks).filter(
            (r) => r.type === "kubernetes:apps/v1:Deployment" && !r.name.includes("metrics-adapter"),
        ).length;
        expect(ingressDeps.filter((d) => d instanceof k8s.apps.v1.Deployment).length).toBe(deployments);
        expect(built.opts.get("use1-serving-torchserve-blue")?.customTimeouts).toEqual({ create: "30m", update: "30m" });
    });

    test("both tracks run their configured images on the GPU pool; the stable Service selects the active one", () => {
        const blue = one(built.mocks, "Deployment", "torchserve-blue");
        const green = one(built.mocks, "Deployment", "torchserve-green");
        // use1 serves an OpenAI model: the LLM-track image, from the region's repository, by the stack's digest.
        const llm =
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/modelfleet-prod/torchserve-llm@sha256:5b0c8e1f3a9d4c7e2b6f0a1d8c3e5f7a9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";
        expect(blue.spec.template.spec.containers[0].image).toBe(llm);
        expect(green.spec.template.spec.containers[0].image).toBe(llm);
        expect(blue.spec.template.spec.nodeSelector).toEqual({ "modelfleet.io/gpu-pool": "l4" });
        expect(blue.spec.template.spec.initContainers[0].env).toContainEqual({
            name: "MODEL_STORE_URI",
            value: "s3://modelfleet-models-use1",
        });
        expect(one(built.mocks, "Service", "torchserve").spec.selector["modelfleet.io/track"]).toBe("blue");
        expect(one(built.mocks, "Service", "torchserve-preview").spec.selector["modelfleet.io/track"]).toBe("green");
    });

    test("the configs are rendered into ConfigMaps and their checksums into the pod templates", () => {
        const props = one(built.mocks, "ConfigMap", "torchserve-config").data["config.properties"];
        expect(props).toContain("management_address=http://127.0.0.1:8081");
        expect(props).toContain('"batchSize":16');
        const toml = parse(one(built.mocks, "ConfigMap", "tensorzero-config").data["tensorzero.toml"]) as Json;
        expect(toml.models["llama3-8b-instruct"].providers.torchserve.api_key_location).toBe("none");
        const checksum = one(built.mocks, "Deployment", "torchserve-blue").spec.template.metadata.annotations["checksum/config"];
        expect(checksum).toMatch(/^[a-f0-9]{64}$/);
        expect(one(built.mocks, "Deployment", "torchserve-green").spec.template.metadata.annotations["checksum/config"]).toBe(checksum);
    });

    test("the gateway's backend URLs stay secret", () => {
        const secret = k8sObjects(built.mocks).find((r) => r.name === "use1-serving-gateway-backends");
        expect(secret).toBeDefined();
        const stringData = (secret?.inputs["stringData"] ?? {}) as Json;
        expect(isWrappedSecret(stringData) || isWrappedSecret(stringData["TENSORZERO_CLICKHOUSE_URL"])).toBe(true);
    });

    test("the policy pack finds nothing to object to, yet objects to a track without probes or pinned image", async () => {
        expect(await violations(built.mocks)).toEqual([]);
        const broken = await violations(built.mocks, (name, inputs) => {
            if (name !== "use1-serving-torchserve-green") return;
            const container = inputs.spec.template.spec.containers[0];
            delete container.readinessProbe;
            container.image = "pytorch/torchserve:latest";
        });
        expect(broken.map((v) => v.split(":")[0])).toEqual(expect.arrayContaining(["mandatory image-pinned", "mandatory serving-probes"]));
    });

    test("the Ingress is the ALB one and the endpoint is the hostname the ALB got", async () => {
        const ingress = one(built.mocks, "Ingress", "serving");
        expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(
            "arn:aws:acm:us-east-1:111122223333:certificate/abc",
        );
        expect(ingress.spec.ingressClassName).toBe("alb");
        expect(await promiseOf(built.stack.endpoint.loadBalancerHostname)).toMatch(
            /^k8s-modelfle-[a-f0-9]{10}-[0-9]+\.us-east-1\.elb\.amazonaws\.com$/,
        );
        expect(await promiseOf(built.stack.endpoint.loadBalancerIp)).toBeUndefined();
        expect(built.stack.endpoint).toMatchObject({ regionName: "use1", cloud: "aws" });
        expect(await promiseOf(built.stack.namespace)).toBe("modelfleet");
    });

    test("the active track's HPA keeps replicas.min warm, the preview track's one pod; both may reach replicas.max", () => {
        const bounds = (name: string) => {
            const spec = one(built.mocks, "HorizontalPodAutoscaler", name).spec;
            return [spec.minReplicas, spec.maxReplicas];
        };
        expect(bounds("torchserve-blue")).toEqual([2, 4]);
        expect(bounds("torchserve-green")).toEqual([1, 4]);
    });

    test("the Prometheus Operator gets ServiceMonitors and a PrometheusRule, which wait for the cluster (and the CRDs in it)", () => {
        for (const name of [
            "use1-serving-servicemonitor-torchserve",
            "use1-serving-servicemonitor-tensorzero-gateway",
            "use1-serving-prometheus-rule",
        ])
            expect(built.opts.get(name)?.dependsOn).toContain(built.markers.cluster);
        expect(one(built.mocks, "ServiceMonitor", "torchserve").spec.podTargetLabels).toEqual(["modelfleet.io/track"]);
        expect(one(built.mocks, "NetworkPolicy", "allow-prometheus-scrape").spec.ingress[0].from).toEqual([
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ]);
    });
});

describe("ServingStack on GKE (prod usc1)", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build("gcp");
    });

    test("serves through the Gateway API with GKE's policies, and monitors through Managed Prometheus; everything schema-valid", () => {
        const expected = [...common, ...gkeMonitoring, ...gkeGatewayObjects].sort();
        expect(ids(built.mocks)).toEqual(expected);
        expect(validateAll(built.mocks)).toBe(expected.length);
    });

    test("the Gateway uses the static IP, the certificate map and the SSL policy, and waits for them", async () => {
        const gateway = one(built.mocks, "Gateway", "serving");
        expect(gateway.spec.gatewayClassName).toBe("gke-l7-global-external-managed");
        // Certificate Manager's map by annotation; GKE refuses it beside listener certificates.
        expect(gateway.metadata.annotations).toEqual({ "networking.gke.io/certmap": "serving-usc1-map" });
        expect(gateway.spec.addresses).toEqual([{ type: "NamedAddress", value: "serving-usc1-ip" }]);
        expect(gateway.spec.listeners[0]).toEqual({
            name: "https",
            protocol: "HTTPS",
            port: 443,
            allowedRoutes: { namespaces: { from: "Same" } },
        });
        expect(one(built.mocks, "GCPGatewayPolicy", "serving-ssl").spec).toEqual({
            default: { sslPolicy: "modelfleet-tls12" },
            targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "serving" },
        });
        expect(one(built.mocks, "HealthCheckPolicy", "torchserve-blue-health").spec.default.config).toEqual({
            type: "HTTP",
            httpHealthCheck: { port: 8080, requestPath: "/ping" },
        });
        expect(one(built.mocks, "HTTPRoute", "serving-https-redirect").spec.rules).toEqual([
            { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
        ]);
        const deps = built.opts.get("usc1-serving-gateway-api")?.dependsOn as pulumi.Resource[];
        expect(deps).toContain(built.markers.tls);
        expect(deps.length).toBeGreaterThanOrEqual(5);
        expect(await promiseOf(built.stack.endpoint.loadBalancerIp)).toBe("34.120.1.2");
        expect(await promiseOf(built.stack.endpoint.loadBalancerHostname)).toBeUndefined();
    });

    test("the policy pack finds nothing to object to", async () => {
        expect(await violations(built.mocks)).toEqual([]);
    });

    test("TorchServe's service account carries the Workload Identity annotation and pods sync with gcloud", () => {
        expect(one(built.mocks, "ServiceAccount", "torchserve").metadata.annotations).toEqual({
            "iam.gke.io/gcp-service-account": "torchserve@modelfleet-prod.iam.gserviceaccount.com",
        });
        const init = one(built.mocks, "Deployment", "torchserve-blue").spec.template.spec.initContainers[0];
        expect(init.image).toBe("gcr.io/google.com/cloudsdktool/google-cloud-cli:530.0.0-slim");
        expect(init.env).toContainEqual({ name: "MODEL_STORE_URI", value: "gs://modelfleet-models-usc1" });
    });

    test("Managed Prometheus gets PodMonitorings over the pods and namespaced Rules; its collectors in gmp-system may scrape", () => {
        const kinds = new Set(k8sObjects(built.mocks).map((r) => manifest(r).kind));
        expect(kinds.has("ServiceMonitor")).toBe(false);
        expect(kinds.has("PrometheusRule")).toBe(false);
        expect(one(built.mocks, "PodMonitoring", "torchserve-metrics")).toMatchObject({
            apiVersion: "monitoring.googleapis.com/v1",
            metadata: { namespace: "modelfleet" },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "torchserve" } },
                endpoints: [{ port: "metrics", path: "/metrics", interval: "30s", timeout: "10s" }],
                targetLabels: { fromPod: [{ from: "modelfleet.io/track", to: "modelfleet_io_track" }] },
            },
        });
        expect(one(built.mocks, "PodMonitoring", "tensorzero-gateway").spec.endpoints[0].port).toBe("http");
        const rules = one(built.mocks, "Rules", "modelfleet-serving").spec.groups[0].rules as Json[];
        expect(rules.map((r) => r.alert)).toContain("ModelfleetTorchServeDown");
        // GKE names the job after the PodMonitoring, so the rules' job matchers find its series.
        expect(rules.find((r) => r.alert === "ModelfleetTorchServeDown")?.expr).toContain('job="torchserve-metrics"');
        expect(built.opts.get("usc1-serving-rules")?.dependsOn).toContain(built.markers.cluster);
        expect(one(built.mocks, "NetworkPolicy", "allow-prometheus-scrape").spec.ingress).toEqual([
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }],
                ports: [
                    { protocol: "TCP", port: 8082 },
                    { protocol: "TCP", port: 3000 },
                ],
            },
        ]);
    });
});

describe("ServingStack on an existing cluster (prod edge-muc)", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build("existing");
    });

    test("adds the model-store credentials Secret, held as a secret, and the ACME solver's policy; everything schema-valid", () => {
        const expected = [
            ...common,
            ...ingressObjects,
            ...operatorMonitoring,
            "Secret/model-store-credentials",
            "NetworkPolicy/allow-acme-http01-solver",
            "Certificate/serving-tls",
        ].sort();
        expect(ids(built.mocks)).toEqual(expected);
        expect(validateAll(built.mocks)).toBe(expected.length);
        const secret = k8sObjects(built.mocks).find((r) => r.name === "edge-muc-serving-model-store-credentials");
        const stringData = (secret?.inputs["stringData"] ?? {}) as Json;
        expect(isWrappedSecret(stringData) || isWrappedSecret(stringData["AWS_SECRET_ACCESS_KEY"])).toBe(true);
        expect(built.opts.get("edge-muc-serving-torchserve-blue")?.dependsOn).toEqual(expect.arrayContaining([built.markers.modelStore]));
    });

    test("the policy pack finds nothing to object to", async () => {
        expect(await violations(built.mocks)).toEqual([]);
    });

    test("serves only the region's models, through the configured class and cert-manager issuer", async () => {
        expect(one(built.mocks, "ConfigMap", "torchserve-config").data["config.properties"]).toContain(
            "load_models=resnet50=resnet50.mar\n",
        );
        const ingress = one(built.mocks, "Ingress", "serving");
        expect(ingress.spec.ingressClassName).toBe("nginx");
        expect(ingress.spec.tls).toEqual([
            { hosts: ["serve.modelfleet.example.com", "edge-muc.serve.modelfleet.example.com"], secretName: "serving-tls" },
        ]);
        expect(Object.keys(ingress.metadata.annotations).filter((k) => k.startsWith("cert-manager.io/"))).toEqual([]);
        expect(await promiseOf(built.stack.endpoint.loadBalancerHostname)).toBeUndefined();
        expect(await promiseOf(built.stack.endpoint.loadBalancerIp)).toBeUndefined();
    });

    test("asks cert-manager for the Ingress's names in the serving namespace, after the namespace exists; the Ingress waits for it", () => {
        const certificate = k8sObjects(built.mocks).filter((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate");
        expect(certificate.map((r) => r.name)).toEqual(["edge-muc-serving-certificate"]);
        expect(certificate[0].inputs).toEqual({
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: {
                name: "serving-tls",
                namespace: "modelfleet",
                labels: {
                    "app.kubernetes.io/name": "serving-tls",
                    "app.kubernetes.io/part-of": "modelfleet",
                    "app.kubernetes.io/managed-by": "pulumi",
                },
            },
            spec: {
                secretName: "serving-tls",
                dnsNames: ["serve.modelfleet.example.com", "edge-muc.serve.modelfleet.example.com"],
                issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer", group: "cert-manager.io" },
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            },
        });
        const opts = built.opts.get("edge-muc-serving-certificate");
        const namespace = (opts?.dependsOn as pulumi.Resource[]).filter((d) => d instanceof k8s.core.v1.Namespace);
        expect(namespace).toHaveLength(1);
        // A stack that made the Certificate under the region's certificate component keeps it.
        expect(opts?.aliases).toEqual([{ name: "edge-muc-tls-certificate", parent: built.markers.tls }]);
        const ingressDeps = built.opts.get("edge-muc-serving-ingress")?.dependsOn as pulumi.Resource[];
        expect(ingressDeps.filter((d) => d instanceof k8s.apiextensions.CustomResource)).toHaveLength(1);
    });

    test("cert-manager's HTTP-01 solver pod in the namespace is reachable from the ingress controller, on its port only", () => {
        const solver = one(built.mocks, "NetworkPolicy", "allow-acme-http01-solver");
        const controller = one(built.mocks, "NetworkPolicy", "allow-ingress-controller");
        expect(solver.spec).toEqual({
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: controller.spec.ingress[0].from, ports: [{ protocol: "TCP", port: 8089 }] }],
        });
        expect(controller.spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values).toEqual(["ingress-nginx", "nginx"]);
    });
});

describe("ServingStack options and bad input", () => {
    test("without monitoring there are no ServiceMonitors, rules or dashboard; without backends no backends Secret", async () => {
        const raw = stackSettings("prod");
        (raw["serving"] as Json).monitoring = false;
        delete raw["gatewayBackends"];
        const built = await build("aws", fleetConfig(raw));
        const kinds = new Set(k8sObjects(built.mocks).map((r) => manifest(r).kind));
        expect(kinds.has("ServiceMonitor")).toBe(false);
        expect(kinds.has("PrometheusRule")).toBe(false);
        expect(ids(built.mocks)).not.toContain("ConfigMap/modelfleet-serving-dashboard");
        expect(ids(built.mocks)).not.toContain("Secret/tensorzero-backends");
        expect(one(built.mocks, "Deployment", "tensorzero-gateway").spec.template.spec.containers[0].env).toEqual([]);
    });

    test("with previewMinReplicas raised to replicas.min both tracks' HPAs keep replicas.min, whichever is active", async () => {
        const raw = stackSettings("prod");
        const serving = raw["serving"] as Json;
        serving.activeColor = "green";
        serving.torchserve.previewMinReplicas = 2;
        const built = await build("aws", fleetConfig(raw));
        const bounds = (name: string) => {
            const spec = one(built.mocks, "HorizontalPodAutoscaler", name).spec;
            return [spec.minReplicas, spec.maxReplicas];
        };
        expect(bounds("torchserve-blue")).toEqual([2, 4]);
        expect(bounds("torchserve-green")).toEqual([2, 4]);
        expect(one(built.mocks, "Service", "torchserve").spec.selector).toEqual({
            "app.kubernetes.io/name": "torchserve",
            "modelfleet.io/track": "green",
        });
    });

    test("arguments that do not fit each other fail the constructor with every problem, before anything is registered", async () => {
        const mocks = await useMocks("prod");
        const config = fleetConfig(stackSettings("prod"));
        const f = fakes("aws", config);
        const before = mocks.resources.length;
        const tls = { ...f.tls, hosts: [] };
        const region = { ...f.region, servingPool: "h100" };
        expect(
            () =>
                new ServingStack("use1-serving", {
                    config,
                    region,
                    cluster: f.cluster,
                    modelStore: f.modelStore,
                    tls,
                    llmImage: f.llmImage,
                }),
        ).toThrow(
            [
                "ServingStack use1-serving has 2 problem(s):",
                "  - cluster.gpuPools has no 'h100' (region use1's serving pool; the cluster has: l4, a10g-spot)",
                "  - tls.hosts is empty: the Ingress needs at least one host",
            ].join("\n"),
        );
        await settle();
        expect(mocks.resources.slice(before).filter((r) => r.type.startsWith("kubernetes:") || r.type.startsWith("modelfleet:"))).toEqual(
            [],
        );
    });
});

describe("Prometheus Operator CRDs", () => {
    test("installs only the ServiceMonitor and PrometheusRule CRDs of the pinned release, through the cluster's provider", async () => {
        const mocks = await useMocks("prod");
        const provider = new k8s.Provider("crds-k8s", { kubeconfig: "offline" });
        const marker = new random.RandomId("crds-after", { byteLength: 4 });
        const opts = new Map<string, pulumi.ComponentResourceOptions>();
        const crds = new PrometheusOperatorCrds(
            "use1-monitoring-crds",
            { provider, dependsOn: [marker] },
            {
                transformations: [
                    (args) => {
                        opts.set(args.name, args.opts);
                        return undefined;
                    },
                ],
            },
        );
        await settle();
        const files = mocks.resources.filter((r) => r.type === "kubernetes:yaml/v2:ConfigFile");
        expect(files.map((r) => [r.name, r.inputs["file"]])).toEqual([
            [
                "use1-monitoring-crds-servicemonitors",
                `https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/${PROMETHEUS_OPERATOR_VERSION}/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml`,
            ],
            [
                "use1-monitoring-crds-prometheusrules",
                `https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/${PROMETHEUS_OPERATOR_VERSION}/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml`,
            ],
        ]);
        expect(PROMETHEUS_OPERATOR_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
        for (const name of ["use1-monitoring-crds-servicemonitors", "use1-monitoring-crds-prometheusrules"]) {
            expect(opts.get(name)?.provider).toBe(provider);
            expect(opts.get(name)?.dependsOn).toEqual([marker]);
        }
        expect(crds.readyResources).toHaveLength(2);
        expect(mocks.resources.filter((r) => r.type === "modelfleet:k8s:PrometheusOperatorCrds").map((r) => r.name)).toEqual([
            "use1-monitoring-crds",
        ]);
        expect(() => new PrometheusOperatorCrds("bad", { provider, version: "main" })).toThrow(
            `PrometheusOperatorCrds bad: version 'main' must be a release tag such as ${PROMETHEUS_OPERATOR_VERSION}`,
        );
    });

    test("an EKS region installs them when monitoring is on and its serving objects wait for them; with monitoring off it does not", async () => {
        const eksCrdFiles = async (monitoring: boolean) => {
            const mocks = await useMocks("prod");
            const raw = stackSettings("prod");
            (raw["serving"] as Json).monitoring = monitoring;
            const config = fleetConfig(raw, "prod");
            const region = config.regions.find((r) => r.name === "euw1");
            if (region?.cloud !== "aws") throw new Error("euw1 must be an AWS region");
            const aws = new AwsRegion("euw1", { region, config });
            await promiseOf(aws.cluster.endpoint);
            await settle();
            const files = mocks.resources.filter(
                (r) => r.type === "kubernetes:yaml/v2:ConfigFile" && r.name.startsWith("euw1-monitoring-crds-"),
            );
            const ready = await Promise.all(aws.cluster.readyResources.map((r) => promiseOf(r.urn)));
            return { files: files.map((f) => f.name), ready: ready.map((u) => u.split("::").pop()), monitoring: aws.cluster.monitoring };
        };
        const on = await eksCrdFiles(true);
        expect(on.files).toEqual(["euw1-monitoring-crds-servicemonitors", "euw1-monitoring-crds-prometheusrules"]);
        expect(on.ready).toEqual(expect.arrayContaining(on.files));
        expect(on.monitoring).toEqual({ kind: "prometheus-operator", scraperNamespaces: ["monitoring"] });
        expect((await eksCrdFiles(false)).files).toEqual([]);
    });
});

describe("a 90/10 stack renders 90/10 in every flavour", () => {
    const split = (): FleetConfig => {
        const config = fleetConfig(stackSettings("prod"));
        config.serving = { ...config.serving, traffic: { blue: 90, green: 10 } };
        return config;
    };
    const hpaShares = (mocks: FleetMocks) =>
        ["torchserve-blue", "torchserve-green"].map((n) => {
            const h = one(mocks, "HorizontalPodAutoscaler", n);
            return [n, h.metadata.annotations["modelfleet.io/traffic-weight"], h.spec.minReplicas, h.spec.maxReplicas];
        });

    test("EKS: the ALB forwards 90/10 to the track Services; the HPAs carry the shares", async () => {
        const built = await build("aws", split());
        const ingress = one(built.mocks, "Ingress", "serving");
        expect(JSON.parse(ingress.metadata.annotations["alb.ingress.kubernetes.io/actions.torchserve-weighted"])).toEqual({
            type: "forward",
            forwardConfig: {
                targetGroups: [
                    { serviceName: "torchserve-blue", servicePort: "8080", weight: 90 },
                    { serviceName: "torchserve-green", servicePort: "8080", weight: 10 },
                ],
            },
        });
        expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({
            service: { name: "torchserve-weighted", port: { name: "use-annotation" } },
        });
        expect(one(built.mocks, "Service", "torchserve-green").spec.selector).toEqual({
            "app.kubernetes.io/name": "torchserve",
            "modelfleet.io/track": "green",
        });
        expect(hpaShares(built.mocks)).toEqual([
            ["torchserve-blue", "90", 2, 4],
            ["torchserve-green", "10", 1, 1],
        ]);
        expect(await violations(built.mocks)).toEqual([]);
    });

    test("GKE: the HTTPRoute weights the track Services 90/10", async () => {
        const built = await build("gcp", split());
        const route = one(built.mocks, "HTTPRoute", "serving");
        const refs = [
            { name: "torchserve-blue", port: 8080, weight: 90 },
            { name: "torchserve-green", port: 8080, weight: 10 },
        ];
        expect(route.spec.rules).toEqual([
            { matches: [{ path: { type: "PathPrefix", value: "/predictions" } }], backendRefs: refs },
            { matches: [{ path: { type: "Exact", value: "/ping" } }], backendRefs: refs },
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "tensorzero-gateway", port: 3000 }] },
        ]);
        expect(route.spec.parentRefs).toEqual([{ name: "serving", sectionName: "https" }]);
        expect(await violations(built.mocks)).toEqual([]);
    });

    test("edge (nginx): a canary Ingress takes 10% of TorchServe's paths to green", async () => {
        const built = await build("existing", split());
        const canary = one(built.mocks, "Ingress", "serving-canary");
        expect(canary.metadata.annotations).toMatchObject({
            "nginx.ingress.kubernetes.io/canary": "true",
            "nginx.ingress.kubernetes.io/canary-weight": "10",
            "nginx.ingress.kubernetes.io/canary-weight-total": "100",
        });
        expect(canary.spec.rules[0].http.paths.map((p: Json) => [p.path, p.backend.service.name])).toEqual([
            ["/predictions", "torchserve-green"],
            ["/ping", "torchserve-green"],
        ]);
        // The main Ingress keeps the other 90% on the stable Service, which selects blue.
        expect(one(built.mocks, "Ingress", "serving").spec.rules[0].http.paths[0].backend.service.name).toBe("torchserve");
        expect(one(built.mocks, "Service", "torchserve").spec.selector["modelfleet.io/track"]).toBe("blue");
        expect(validateAll(built.mocks)).toBeGreaterThan(0);
        expect(await violations(built.mocks)).toEqual([]);
    });

    test("the gateway: each OpenAI model's function splits 0.9/0.1 between per-track models", async () => {
        const built = await build("aws", split());
        const toml = parse(one(built.mocks, "ConfigMap", "tensorzero-config").data["tensorzero.toml"]) as Json;
        const [name] = Object.keys(toml.functions);
        expect(toml.functions[name].experimentation).toEqual({
            type: "static",
            candidate_variants: { "torchserve-blue": 0.9, "torchserve-green": 0.1 },
        });
        expect(toml.functions[name].variants["torchserve-green"]).toEqual({ type: "chat_completion", model: `${name}-green` });
        expect(toml.models[`${name}-green`].providers.torchserve.api_base).toMatch(
            /^http:\/\/torchserve-green\.modelfleet\.svc:8080\/predictions\//,
        );
        expect(toml.models[`${name}-green`].providers.torchserve.model_name).toBe(name);
    });
});
