import * as path from "path";
import {
    allPolicies,
    clusterPolicies,
    limitPolicies,
    scalingPolicies,
    storagePolicies,
    tlsPolicies,
    workloadPolicies,
    type GuardPolicy,
} from "../policy/policies";
import { isRecord } from "../policy/policies/util";
import {
    evaluatePolicies,
    hasMandatoryViolation,
    isResourcePolicy,
    isStackPolicy,
    loadPolicyConfig,
    PACK_NAME,
    PolicyConfigError,
    pulumiTypeOf,
    resolvePolicyConfig,
    stackPolicyConfigPath,
} from "../tools/policy-runner";
import { cloud, deployment, first } from "./policy-harness";

const settingsOf = (name: string, config?: Record<string, unknown>) => {
    const resolved = resolvePolicyConfig(allPolicies, config).find((r) => r.policy.name === name);
    if (resolved === undefined) throw new Error(`no ${name}`);
    return resolved;
};

function configProblems(config: Record<string, unknown>): string[] {
    try {
        resolvePolicyConfig(allPolicies, config);
    } catch (e) {
        if (e instanceof PolicyConfigError) return e.problems;
        throw e;
    }
    return [];
}

describe("the pack", () => {
    test("has at least 25 uniquely named kebab-case policies with a description and explicit level", () => {
        expect(allPolicies.length).toBeGreaterThanOrEqual(25);
        const names = allPolicies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const p of allPolicies) {
            expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description.length).toBeGreaterThan(10);
            expect(p.description).not.toContain("\n");
            expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
            expect(isResourcePolicy(p) !== isStackPolicy(p)).toBe(true);
        }
    });

    test("is the union of the policy modules", () => {
        expect(allPolicies).toEqual([
            ...tlsPolicies,
            ...limitPolicies,
            ...workloadPolicies,
            ...storagePolicies,
            ...clusterPolicies,
            ...scalingPolicies,
        ]);
    });

    test("every numeric setting has a default", () => {
        for (const p of allPolicies) {
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                expect(typeof schema === "object" && schema.default !== undefined ? key : `${p.name}.${key} without default`).toBe(key);
            }
        }
    });

    test("every setting is described in a sentence (the text `pulumi policy` shows)", () => {
        for (const p of allPolicies) {
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                const description = typeof schema === "object" ? schema.description : undefined;
                expect([`${p.name}.${key}`, /^[A-Z].{15,}[.)]$/.test(description ?? "")]).toEqual([`${p.name}.${key}`, true]);
            }
        }
    });

    test("the runner's policy classification agrees with @pulumi/policy's", () => {
        const sdk: unknown = require("@pulumi/policy/policy");
        const call = (name: string, arg: unknown): unknown => {
            const fn: unknown = isRecord(sdk) ? sdk[name] : undefined;
            if (typeof fn !== "function") throw new Error(`@pulumi/policy has no ${name}`);
            return Reflect.apply(fn, undefined, [arg]);
        };
        for (const p of allPolicies) {
            expect([p.name, isResourcePolicy(p), isStackPolicy(p)]).toEqual([
                p.name,
                call("isResourcePolicy", p),
                call("isStackPolicy", p),
            ]);
            const validation = isResourcePolicy(p) ? p.validateResource : isStackPolicy(p) ? p.validateStack : undefined;
            expect(pulumiTypeOf(validation)).toEqual(call("getPulumiType", validation));
        }
    });
});

describe("importing", () => {
    afterEach(() => jest.resetModules());

    test("the policy modules and the runner start no policy server; the pack entry point starts one", () => {
        const serve = jest.fn();
        jest.isolateModules(() => {
            jest.doMock("@pulumi/policy/server", () => ({ serve }));
            const modules: unknown = require("../policy/policies");
            require("../tools/policy-runner");
            require("@pulumi/policy");
            expect(serve).not.toHaveBeenCalled();

            require("../policy/index");
            expect(serve).toHaveBeenCalledTimes(1);
            const [name, , level, args] = serve.mock.calls[0];
            expect(name).toBe(PACK_NAME);
            expect(level).toBe("advisory");
            const policies: unknown = isRecord(args) ? args.policies : undefined;
            expect(policies).toBe(isRecord(modules) ? modules.allPolicies : "missing");
        });
    });
});

describe("policy config", () => {
    test("schema defaults apply when the stack sets nothing", () => {
        expect(settingsOf("gpu-max-per-pod").settings).toEqual({ gpuResourceName: "nvidia.com/gpu", maxGpusPerPod: 8 });
    });

    test("the stack's values override defaults, others stay", () => {
        expect(settingsOf("gpu-max-per-pod", { "gpu-max-per-pod": { maxGpusPerPod: 2 } }).settings).toEqual({
            gpuResourceName: "nvidia.com/gpu",
            maxGpusPerPod: 2,
        });
    });

    test("levels: policy entry over `all` over the policy's own", () => {
        const config = { all: "advisory", "image-pinned": { enforcementLevel: "disabled" }, "kms-key-rotation": "remediate" };
        expect(settingsOf("image-pinned", config).level).toBe("disabled");
        expect(settingsOf("kms-key-rotation", config).level).toBe("remediate");
        expect(settingsOf("container-resources", config).level).toBe("advisory");
        expect(settingsOf("container-resources").level).toBe("mandatory");
    });

    test("every problem is reported, naming policy and setting", () => {
        expect(
            configProblems({
                "gpu-max-per-pod": { maxGpusPerPod: "eight", maxGpus: 2 },
                "node-pool-max-size": { maxNodesPerPool: 0 },
                "no-such-policy": {},
                "image-pinned": "strict",
                "kms-key-rotation": { enabled: true },
            }),
        ).toEqual([
            "no-such-policy: no such policy in modelfleet-guardrails",
            'gpu-max-per-pod.maxGpusPerPod must be integer, got "eight"',
            "gpu-max-per-pod.maxGpus: no such setting (settings: gpuResourceName, maxGpusPerPod)",
            "node-pool-max-size.maxNodesPerPool must be >= 1, got 0",
            'image-pinned: "strict" is not an enforcement level (advisory, mandatory, remediate, disabled)',
            "kms-key-rotation.enabled: no such setting (the policy takes none)",
        ]);
    });

    test.each(["dev", "prod"])("policy/config/%s.json is valid and sets the caps", (stack) => {
        const file = stackPolicyConfigPath(stack);
        expect(file).toBe(path.join(__dirname, "..", "policy", "config", `${stack}.json`));
        const config = loadPolicyConfig(file);
        const resolved = resolvePolicyConfig(allPolicies, config);
        const get = (name: string) => resolved.find((r) => r.policy.name === name)?.settings ?? {};
        expect(get("gpu-max-per-pod").maxGpusPerPod).toEqual(expect.any(Number));
        expect(get("node-pool-max-size").maxNodesPerPool).toEqual(expect.any(Number));
        expect(get("model-store-data-protection").requireDataProtection).toBe(stack === "prod");
        expect(get("node-pool-instance-types").allowedAwsInstanceTypes).toEqual(
            expect.arrayContaining(["g5.*", "g6.*", "g6e.*", "p4d.*", "p5.*", "m6i.*", "m7i.*"]),
        );
        expect(get("node-pool-instance-types").allowedGcpMachineTypes).toEqual(
            expect.arrayContaining(["g2-standard-*", "a2-*", "a3-*", "n2-standard-*", "e2-standard-*"]),
        );
    });

    test("a config file that is not JSON names the file", () => {
        expect(() => loadPolicyConfig(path.join(__dirname, "policy-runner.test.ts"))).toThrow(/policy-runner\.test\.ts: not valid JSON/);
    });
});

describe("evaluation", () => {
    const latest = deployment("tensorzero", (_, pod) => {
        first(pod).image = "tensorzero/gateway:latest";
    });

    test("reports policy, level, urn, type and message", async () => {
        const report = await evaluatePolicies([latest], { policies: allPolicies.filter((p) => p.name === "image-pinned") });
        expect(report).toEqual({
            policies: 1,
            resources: 1,
            violations: [
                {
                    policy: "image-pinned",
                    level: "mandatory",
                    urn: latest.urn,
                    type: "kubernetes:apps/v1:Deployment",
                    message: 'Deployment serving/tensorzero: container "tensorzero" image "tensorzero/gateway:latest" uses the latest tag.',
                },
            ],
        });
        expect(hasMandatoryViolation(report)).toBe(true);
    });

    test("config levels: disabled policies do not run, remediate reports as mandatory, advisory does not block", async () => {
        const disabled = await evaluatePolicies([latest], { config: { "image-pinned": "disabled" } });
        expect(disabled.policies).toBe(allPolicies.length - 1);
        expect(disabled.violations.filter((v) => v.policy === "image-pinned")).toEqual([]);

        const remediate = await evaluatePolicies([latest], { config: { "image-pinned": "remediate" } });
        expect(remediate.violations.find((v) => v.policy === "image-pinned")?.level).toBe("mandatory");

        const advisory = await evaluatePolicies([latest], { config: { all: "advisory" } });
        expect(advisory.violations.length).toBeGreaterThan(0);
        expect(hasMandatoryViolation(advisory)).toBe(false);
    });

    test("settings reach the policy through getConfig", async () => {
        const pool = cloud("aws:eks/nodeGroup:NodeGroup", "gpu", { scalingConfig: { maxSize: 10 }, instanceTypes: ["g5.xlarge"] });
        const policies = allPolicies.filter((p) => p.name === "node-pool-max-size");
        expect((await evaluatePolicies([pool], { policies })).violations).toEqual([]);
        expect(
            (await evaluatePolicies([pool], { policies, config: { "node-pool-max-size": { maxNodesPerPool: 4 } } })).violations,
        ).toHaveLength(1);
    });

    test("a policy that throws fails the run, naming policy and resource", async () => {
        const broken: GuardPolicy = {
            name: "broken",
            description: "always throws",
            enforcementLevel: "mandatory",
            validateResource: () => {
                throw new Error("boom");
            },
        };
        await expect(evaluatePolicies([latest], { policies: [broken] })).rejects.toThrow(`policy 'broken' failed on ${latest.urn}: boom`);
    });

    test("the whole pack over a compliant Deployment finds only the missing stack companions", async () => {
        const report = await evaluatePolicies([deployment()]);
        expect(report.violations.map((v) => v.policy)).toEqual(["namespace-quota-and-limitrange"]);
    });
});
