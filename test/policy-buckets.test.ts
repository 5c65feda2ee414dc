import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { bucketsWithout, S3, type CompanionRule } from "../policy/policies/buckets";

/** A stack resource as the engine hands it to a stack policy. */
function resource(type: string, name: string, props: Record<string, unknown>, bucketFrom: PolicyResource[] = []): PolicyResource {
    return {
        type,
        name,
        props,
        urn: `urn:pulumi:test::modelfleet::${type}::${name}`,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        dependencies: bucketFrom,
        propertyDependencies: bucketFrom.length > 0 ? { bucket: bucketFrom } : {},
        isType: () => false,
        asType: () => undefined,
    };
}

class NotApplicable extends Error {}

/** Stack arguments whose `notApplicable` stops the rule and carries the reason. */
function stackOf(resources: PolicyResource[]): StackValidationArgs {
    return {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Any versioning resource that points at a bucket configures it; no inline rule. */
const anyVersioning: CompanionRule<object> = { companionTypes: [S3.versioning, S3.versioningV2], companionSatisfies: () => true };

const names = (resources: PolicyResource[]) => resources.map((r) => r.name);

describe("bucketsWithout", () => {
    it("stops as not applicable when the stack has no S3 bucket", () => {
        const stack = stackOf([resource("gcp:storage/bucket:Bucket", "model-store-gcs", { location: "US" })]);
        expect(() => bucketsWithout(stack, anyVersioning)).toThrow(new NotApplicable("no S3 buckets in the stack"));
    });

    it("applies as soon as one S3 bucket of either kind is in the stack", () => {
        const stack = stackOf([resource(S3.bucketV2, "model-store", { bucket: "mf-models" })]);
        expect(names(bucketsWithout(stack, anyVersioning))).toEqual(["model-store"]);
    });

    it("counts only resources of the rule's companion types as configuring a bucket", () => {
        const store = resource(S3.bucket, "model-store", { bucket: "mf-models" });
        const stack = stackOf([
            store,
            resource(S3.publicAccessBlock, "model-store-pab", { bucket: "mf-models" }),
            resource(S3.encryption, "model-store-sse", { bucket: "mf-models" }, [store]),
        ]);
        expect(names(bucketsWithout(stack, anyVersioning))).toEqual(["model-store"]);
    });

    it("a companion of the rule's type that names the bucket configures it", () => {
        const stack = stackOf([
            resource(S3.bucket, "model-store", { bucket: "mf-models" }),
            resource(S3.bucket, "logs", { bucket: "mf-logs" }),
            resource(S3.versioningV2, "model-store-versioning", { bucket: "mf-models" }),
        ]);
        expect(names(bucketsWithout(stack, anyVersioning))).toEqual(["logs"]);
    });
});
