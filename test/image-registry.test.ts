import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../config";
import { ecrLifecyclePolicy, ImageRegistry } from "../components/global/imageRegistry";
import type { FleetMocks, MockedResource } from "../tools/mocks";
import { fleetConfig, promiseOf, settle, stackSettings, useMocks } from "./mocks";

type Json = Record<string, unknown>;

interface Built {
    mocks: FleetMocks;
    registry: ImageRegistry;
    protect: Map<string, boolean | undefined>;
}

async function build(config: FleetConfig): Promise<Built> {
    const mocks = await useMocks();
    const protect = new Map<string, boolean | undefined>();
    const record: pulumi.ResourceTransformation = (args) => {
        protect.set(args.name, (args.opts as pulumi.CustomResourceOptions).protect);
        return undefined;
    };
    const registry = new ImageRegistry("llm-image", { config }, { transformations: [record] });
    await promiseOf(registry.pushTargets);
    await settle();
    return { mocks, registry, protect };
}

function prodConfig(change?: (raw: Json) => void): FleetConfig {
    const raw = stackSettings("prod");
    change?.(raw);
    return fleetConfig(raw, "prod");
}

function named(mocks: FleetMocks, name: string): MockedResource {
    const found = mocks.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
    return found[0];
}

describe("ImageRegistry (prod: use1 primary, euw1, usc1, edge-muc)", () => {
    let built: Built;
    beforeAll(async () => {
        built = await build(prodConfig());
    });

    test("an ECR repository in each AWS region: scan on push, immutable tags, its own KMS key, protected", () => {
        const repos = built.mocks.ofType("aws:ecr/repository:Repository");
        expect(repos.map((r) => [r.name, r.inputs["region"]]).sort()).toEqual([
            ["llm-image-euw1", "eu-west-1"],
            ["llm-image-use1", "us-east-1"],
        ]);
        for (const repo of repos) {
            expect(repo.inputs).toMatchObject({
                name: "modelfleet-prod/torchserve-llm",
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                forceDelete: false,
            });
            const encryption = (repo.inputs["encryptionConfigurations"] as Json[])[0];
            expect(encryption["encryptionType"]).toBe("KMS");
            expect(String(encryption["kmsKey"])).toMatch(/^arn:aws:kms:/);
            expect(built.protect.get(repo.name)).toBe(true);
        }
        const keys = built.mocks.ofType("aws:kms/key:Key");
        expect(keys.map((k) => k.inputs["enableKeyRotation"])).toEqual([true, true]);
    });

    test("lifecycle expires only untagged manifests, so no digest a stack names goes away", () => {
        const policies = built.mocks.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
        expect(policies).toHaveLength(2);
        const rules = (JSON.parse(String(policies[0].inputs["policy"])) as { rules: Json[] }).rules;
        expect(rules).toEqual([
            {
                rulePriority: 1,
                description: "Expire untagged manifests after 7 days",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                action: { type: "expire" },
            },
        ]);
        expect(policies[0].inputs["policy"]).toBe(ecrLifecyclePolicy());
    });

    test("the primary region replicates the repository to the other AWS regions", () => {
        const replication = named(built.mocks, "llm-image-replication");
        expect(replication.inputs["region"]).toBe("us-east-1");
        expect(replication.inputs["replicationConfiguration"]).toEqual({
            rules: [
                {
                    destinations: [{ region: "eu-west-1", registryId: "111122223333" }],
                    repositoryFilters: [{ filter: "modelfleet-prod/torchserve-llm", filterType: "PREFIX_MATCH" }],
                },
            ],
        });
    });

    test("an Artifact Registry repository in the GCP region: Docker, immutable tags, scanning, untagged cleanup", () => {
        const repo = named(built.mocks, "llm-image-usc1");
        expect(repo.type).toBe("gcp:artifactregistry/repository:Repository");
        expect(repo.inputs).toMatchObject({
            project: "modelfleet-prod",
            location: "us-central1",
            repositoryId: "modelfleet-prod",
            format: "DOCKER",
            dockerConfig: { immutableTags: true },
            vulnerabilityScanningConfig: { enablementConfig: "INHERITED" },
            cleanupPolicies: [{ id: "expire-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } }],
        });
    });

    test("each region pulls from its own repository; the edge cluster from its model-store source's", async () => {
        const sources = built.registry.sources;
        expect(await promiseOf(pulumi.output(sources["use1"].repository))).toBe(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/modelfleet-prod/torchserve-llm",
        );
        expect(await promiseOf(pulumi.output(sources["usc1"].repository))).toBe(
            "us-central1-docker.pkg.dev/modelfleet-prod/modelfleet-prod/torchserve-llm",
        );
        expect(await promiseOf(pulumi.output(sources["edge-muc"].repository))).toBe(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/modelfleet-prod/torchserve-llm",
        );
        // prod's edge cluster serves no OpenAI model and has no pull secret.
        expect(sources["edge-muc"].pullSecret).toBeUndefined();
        expect(await promiseOf(built.registry.pushTargets)).toEqual([
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/modelfleet-prod/torchserve-llm",
            "us-central1-docker.pkg.dev/modelfleet-prod/modelfleet-prod/torchserve-llm",
        ]);
    });
});

describe("ImageRegistry (dev: one AWS region)", () => {
    test("one repository and no replication", async () => {
        const built = await build(fleetConfig(stackSettings("dev"), "dev"));
        expect(built.mocks.ofType("aws:ecr/repository:Repository").map((r) => r.inputs["name"])).toEqual(["modelfleet-dev/torchserve-llm"]);
        expect(built.mocks.ofType("aws:ecr/replicationConfiguration:ReplicationConfiguration")).toEqual([]);
        // dev is not protected: its repository may go with the stack.
        expect(built.protect.get("llm-image-use1")).toBe(false);
    });
});
