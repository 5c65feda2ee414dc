/**
 * Differential test: the same resources through @pulumi/policy's own analyzer handlers
 * (the functions `pulumi preview --policy-pack` calls over gRPC) and through the offline
 * runner must give the same verdicts — same policies, levels and messages, including the
 * advisory "can't run ... during preview" for unknown values.
 */
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { CustomResource } from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { allPolicies, type GuardPolicy } from "../policy/policies";
import { isRecord } from "../policy/policies/util";
import { evaluatePolicies, isResourcePolicy, isStackPolicy, PACK_NAME, packVersion, type RunnerResource } from "../tools/policy-runner";
import { cloud, deployment, first, kube, T, UNKNOWN, urnOf } from "./policy-harness";

// @pulumi/policy's typings strip its analyzer internals; they exist at runtime.
const server: unknown = require("@pulumi/policy/server");

function sdkHandler(name: "makeAnalyzeRpcFun" | "makeAnalyzeStackRpcFun", policies: readonly GuardPolicy[]): unknown {
    const make: unknown = isRecord(server) ? server[name] : undefined;
    if (typeof make !== "function") throw new Error(`@pulumi/policy/server has no ${name}`);
    return Reflect.apply(make, undefined, [PACK_NAME, packVersion(), "advisory", policies]);
}

interface Verdict {
    policy: string;
    level: string;
    urn?: string;
    message: string;
}

const LEVEL_NAMES = new Map(Object.entries(analyzerpb.EnforcementLevel).map(([name, value]) => [value, name.toLowerCase()]));

function callHandler(handler: unknown, request: unknown): Promise<Verdict[]> {
    if (typeof handler !== "function") throw new Error("handler is not a function");
    return new Promise((resolve, reject) => {
        const callback = (error: unknown, response: unknown) => {
            if (error) return reject(error);
            if (!(response instanceof analyzerpb.AnalyzeResponse)) return reject(new Error("no AnalyzeResponse"));
            resolve(
                response.getDiagnosticsList().map((d) => ({
                    policy: d.getPolicyname(),
                    level: LEVEL_NAMES.get(d.getEnforcementlevel()) ?? "?",
                    ...(d.getUrn() ? { urn: d.getUrn() } : {}),
                    // The engine prefixes a reported message with the policy's description.
                    message: d.getMessage().startsWith(`${d.getDescription()}\n`)
                        ? d.getMessage().slice(d.getDescription().length + 1)
                        : d.getMessage(),
                })),
            );
        };
        Reflect.apply(handler, undefined, [{ request }, callback]);
    });
}

function struct(value: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(resource: RunnerResource): analyzerpb.AnalyzerResourceOptions {
    const opts = new analyzerpb.AnalyzerResourceOptions();
    opts.setProtect(resource.opts.protect ?? false);
    opts.setIgnorechangesList(resource.opts.ignoreChanges ?? []);
    if (resource.parent) opts.setParent(resource.parent);
    return opts;
}

function analyzeRequest(resource: RunnerResource): analyzerpb.AnalyzeRequest {
    const request = new analyzerpb.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(struct(resource.inputs));
    request.setOptions(options(resource));
    return request;
}

function stackRequest(resources: RunnerResource[]): analyzerpb.AnalyzeStackRequest {
    const request = new analyzerpb.AnalyzeStackRequest();
    request.setResourcesList(
        resources.map((r) => {
            const resource = new analyzerpb.AnalyzerResource();
            resource.setType(r.type);
            resource.setUrn(r.urn);
            resource.setName(r.name);
            resource.setProperties(struct(r.inputs));
            resource.setOptions(options(r));
            if (r.parent) resource.setParent(r.parent);
            resource.setDependenciesList(r.opts.dependsOn ?? []);
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const dependencies = new analyzerpb.AnalyzerPropertyDependencies();
                dependencies.setUrnsList(urns);
                resource.getPropertydependenciesMap().set(key, dependencies);
            }
            if (r.provider) {
                const provider = new analyzerpb.AnalyzerProviderResource();
                provider.setUrn(r.provider);
                provider.setType("pulumi:providers:kubernetes");
                provider.setName(r.provider.slice(r.provider.lastIndexOf("::") + 2));
                provider.setProperties(struct({}));
                resource.setProvider(provider);
            }
            return resource;
        }),
    );
    return request;
}

const USE1 = "urn:pulumi:test::modelfleet::pulumi:providers:kubernetes::use1";

/** A mix of compliant, non-compliant and preview-unknown resources across the pack. */
function corpus(): RunnerResource[] {
    return [
        deployment("torchserve", undefined, { provider: USE1 }),
        deployment(
            "tensorzero",
            (d, pod) => {
                if (d.spec) d.spec.replicas = 3;
                first(pod).image = "tensorzero/gateway:latest";
                delete first(pod).livenessProbe;
                delete pod.securityContext;
            },
            { provider: USE1 },
        ),
        deployment("unknown-image", (_, pod) => {
            first(pod).image = UNKNOWN;
        }),
        kube(T.ingress, {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: {
                name: "gateway",
                namespace: "serving",
                annotations: { "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08" },
            },
            spec: { ingressClassName: "alb", rules: [{ host: "api.example.com" }] },
        }),
        kube(T.service, {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "lb", namespace: "serving" },
            spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
        }),
        cloud("aws:lb/listener:Listener", "http", {
            loadBalancerArn: "arn:lb",
            protocol: "HTTP",
            defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
        }),
        cloud("aws:eks/nodeGroup:NodeGroup", "gpu", {
            clusterName: "c",
            nodeRoleArn: "r",
            subnetIds: ["s"],
            scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 64 },
            instanceTypes: ["t2.micro"],
        }),
        cloud("aws:eks/cluster:Cluster", "use1", { roleArn: "r", vpcConfig: { subnetIds: ["s"], publicAccessCidrs: [UNKNOWN] } }),
        cloud("gcp:compute/sSLPolicy:SSLPolicy", "compat", { profile: "COMPATIBLE" }),
        cloud("aws:s3/bucket:Bucket", "model-store", { bucket: "mf-models" }, { opts: { protect: true } }),
        cloud("aws:s3/bucket:Bucket", "logs", {}),
        cloud(
            "aws:s3/bucketVersioning:BucketVersioning",
            "model-store-versioning",
            { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
            { propertyDependencies: { bucket: [urnOf("aws:s3/bucket:Bucket", "model-store")] } },
        ),
        cloud("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { bucket: UNKNOWN, blockPublicAcls: true }),
        cloud("gcp:storage/bucket:Bucket", "model-store-gcs", { location: "US", publicAccessPrevention: "enforced" }),
        cloud("aws:kms/key:Key", "models", { enableKeyRotation: UNKNOWN }),
        cloud("modelfleet:k8s:ServingStack", "serving", {}),
    ];
}

const byKey = (v: Verdict) => `${v.policy}|${v.urn ?? ""}|${v.message}`;
const sorted = (vs: Verdict[]) => [...vs].sort((a, b) => byKey(a).localeCompare(byKey(b)));

describe("the runner agrees with @pulumi/policy's analyzer", () => {
    const resourcePolicies = allPolicies.filter(isResourcePolicy);
    const stackPolicies = allPolicies.filter(isStackPolicy);

    test.each(corpus().map((r) => [r.urn, r] as const))("resource policies on %s", async (_, resource) => {
        const engine = await callHandler(sdkHandler("makeAnalyzeRpcFun", resourcePolicies), analyzeRequest(resource));
        const report = await evaluatePolicies([resource], { policies: resourcePolicies });
        const offline = report.violations.map(({ policy, level, message }) => ({ policy, level, message }));
        expect(sorted(offline)).toEqual(sorted(engine));
    });

    test("the corpus exercises violations, clean resources and unknowns", async () => {
        const report = await evaluatePolicies(corpus(), { policies: resourcePolicies });
        const levels = new Set(report.violations.map((v) => v.level));
        expect(levels).toEqual(new Set(["mandatory", "advisory"]));
        expect(report.violations.filter((v) => v.urn === corpus()[0].urn)).toEqual([]);
        expect(report.violations.map((v) => v.message)).toContainEqual(
            expect.stringContaining("during preview: string value at .spec.template.spec.containers.0.image can't be known during preview"),
        );
    });

    test("stack policies over the whole corpus", async () => {
        const engine = await callHandler(sdkHandler("makeAnalyzeStackRpcFun", stackPolicies), stackRequest(corpus()));
        const report = await evaluatePolicies(corpus(), { policies: stackPolicies });
        expect(engine.length).toBeGreaterThan(0);
        expect(
            sorted(report.violations.map(({ policy, level, urn, message }) => ({ policy, level, ...(urn ? { urn } : {}), message }))),
        ).toEqual(sorted(engine));
    });

    test("a stack policy that reads an unknown value is reported as advisory by both", async () => {
        const resources = [
            deployment("torchserve", (d) => {
                if (d.metadata) d.metadata.namespace = UNKNOWN;
            }),
        ];
        const policy = stackPolicies.filter((p) => p.name === "namespace-quota-and-limitrange");
        const engine = await callHandler(sdkHandler("makeAnalyzeStackRpcFun", policy), stackRequest(resources));
        const report = await evaluatePolicies(resources, { policies: policy });
        expect(report.violations).toEqual([
            {
                policy: "namespace-quota-and-limitrange",
                level: "advisory",
                message: `can't run policy 'namespace-quota-and-limitrange' from policy pack '${PACK_NAME}@v${packVersion()}' during preview: string value at .metadata.namespace can't be known during preview`,
            },
        ]);
        expect(engine).toEqual(report.violations);
    });
});

describe("validation arguments", () => {
    class ModelBucket extends CustomResource {
        static readonly __pulumiType = "aws:s3/bucket:Bucket";
    }
    class Listener extends CustomResource {
        static readonly __pulumiType = "aws:lb/listener:Listener";
    }

    test("resource args carry type, name, options, provider and typed views", async () => {
        const seen: unknown[] = [];
        const probe: GuardPolicy = {
            name: "probe",
            description: "records its arguments",
            enforcementLevel: "advisory",
            validateResource: (args) => {
                seen.push({
                    type: args.type,
                    name: args.name,
                    urn: args.urn,
                    protect: args.opts.protect,
                    parent: args.opts.parent,
                    provider: args.provider && { type: args.provider.type, name: args.provider.name, urn: args.provider.urn },
                    isBucket: args.isType(ModelBucket),
                    isListener: args.isType(Listener),
                    asBucket: args.asType(ModelBucket) !== undefined,
                    asListener: args.asType(Listener),
                });
            },
        };
        const bucket = cloud(
            "aws:s3/bucket:Bucket",
            "model-store",
            { bucket: "mf-models" },
            {
                opts: { protect: true },
                parent: "urn:pulumi:test::modelfleet::modelfleet:aws:ModelStore::model-store",
                provider: "urn:pulumi:test::modelfleet::pulumi:providers:aws::default_7_47_0::04f0c2c1-1234",
            },
        );
        await evaluatePolicies([bucket], { policies: [probe] });
        expect(seen).toEqual([
            {
                type: "aws:s3/bucket:Bucket",
                name: "model-store",
                urn: bucket.urn,
                protect: true,
                parent: "urn:pulumi:test::modelfleet::modelfleet:aws:ModelStore::model-store",
                provider: {
                    type: "pulumi:providers:aws",
                    name: "default_7_47_0",
                    urn: "urn:pulumi:test::modelfleet::pulumi:providers:aws::default_7_47_0",
                },
                isBucket: true,
                isListener: false,
                asBucket: true,
                asListener: undefined,
            },
        ]);
    });

    test("stack resources link parents, explicit and property dependencies", async () => {
        const seen: unknown[] = [];
        const probe: GuardPolicy = {
            name: "probe",
            description: "records its arguments",
            enforcementLevel: "advisory",
            validateStack: (args) => {
                for (const r of args.resources) {
                    seen.push({
                        name: r.name,
                        parent: r.parent?.name,
                        dependencies: r.dependencies.map((d) => d.name),
                        bucketFrom: (r.propertyDependencies["bucket"] ?? []).map((d) => d.name),
                    });
                }
            },
        };
        const component = cloud("modelfleet:aws:ModelStore", "store", {});
        const bucket = cloud("aws:s3/bucket:Bucket", "bucket", {}, { parent: component.urn });
        const versioning = cloud(
            "aws:s3/bucketVersioning:BucketVersioning",
            "versioning",
            {},
            {
                parent: component.urn,
                opts: { dependsOn: [bucket.urn] },
                propertyDependencies: { bucket: [bucket.urn] },
            },
        );
        await evaluatePolicies([component, bucket, versioning], { policies: [probe] });
        expect(seen).toEqual([
            { name: "store", parent: undefined, dependencies: [], bucketFrom: [] },
            { name: "bucket", parent: "store", dependencies: [], bucketFrom: [] },
            { name: "versioning", parent: "store", dependencies: ["bucket"], bucketFrom: ["bucket"] },
        ]);
    });
});
