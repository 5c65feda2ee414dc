import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import {
    count,
    DECOMMISSION_MARKER,
    dig,
    flag,
    forStackType,
    forTypes,
    get,
    globMatches,
    isRecord,
    isSet,
    list,
    markedForRemoval,
    matchesAny,
    resourcesOfType,
    setting,
    settingsOf,
    stringMap,
    strings,
    text,
} from "../policy/policies/util";

/** Resource validation args with only what the helpers read; `notApplicable` throws like the engine's. */
function resourceArgs(type: string, props: Record<string, unknown>): ResourceValidationArgs {
    return {
        type,
        props,
        urn: `urn:pulumi:test::modelfleet::${type}::r`,
        name: "r",
        stackTags: new Map(),
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason ?? ""}`);
        },
    };
}

function stackResource(type: string, name: string): PolicyResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::modelfleet::${type}::${name}`,
        props: {},
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        isType: () => false,
        asType: () => undefined,
        dependencies: [],
        propertyDependencies: {},
    };
}

describe("isRecord", () => {
    test("plain objects are records", () => {
        expect(isRecord({})).toBe(true);
        expect(isRecord({ a: 1 })).toBe(true);
    });
    test("null, arrays and scalars are not", () => {
        expect(isRecord(null)).toBe(false);
        expect(isRecord([])).toBe(false);
        expect(isRecord(undefined)).toBe(false);
        expect(isRecord("x")).toBe(false);
        expect(isRecord(1)).toBe(false);
    });
});

describe("dig and get", () => {
    const value = { spec: { ports: [{ port: 80 }, { port: 443 }], name: "a" } };
    test("walks fields and indexes", () => {
        expect(dig(value, ["spec", "ports", 1, "port"])).toBe(443);
        expect(get(value, "spec", "name")).toBe("a");
        expect(dig(value, [])).toBe(value);
    });
    test("an index into a non-array is undefined", () => {
        expect(dig({ spec: { 0: "zero" } }, ["spec", 0])).toBeUndefined();
        expect(dig("text", [0])).toBeUndefined();
    });
    test("a field of a non-record is undefined", () => {
        expect(dig(value, ["spec", "ports", "length"])).toBeUndefined();
        expect(dig(null, ["spec"])).toBeUndefined();
        expect(dig("text", ["length"])).toBeUndefined();
        expect(dig(value, ["spec", "name", "length"])).toBeUndefined();
    });
    test("a missing step is undefined", () => {
        expect(dig(value, ["metadata", "name"])).toBeUndefined();
    });
});

describe("scalar readers", () => {
    test("list keeps arrays and drops anything else", () => {
        expect(list([1, "a"])).toEqual([1, "a"]);
        expect(list("a")).toEqual([]);
        expect(list({ 0: "a" })).toEqual([]);
        expect(list(undefined)).toEqual([]);
    });
    test("text reads strings only", () => {
        expect(text("a")).toBe("a");
        expect(text("")).toBe("");
        expect(text(1)).toBeUndefined();
    });
    test("strings keeps the string entries", () => {
        expect(strings(["a", 1, "b", null, true])).toEqual(["a", "b"]);
        expect(strings("a")).toEqual([]);
    });
    test("flag reads booleans only", () => {
        expect(flag(true)).toBe(true);
        expect(flag(false)).toBe(false);
        expect(flag("true")).toBeUndefined();
    });
    test("count reads finite numbers and numeric strings", () => {
        expect(count(3)).toBe(3);
        expect(count(0)).toBe(0);
        expect(count("12")).toBe(12);
        expect(count(" 7 ")).toBe(7);
        expect(count("1.5")).toBe(1.5);
    });
    test("count rejects blanks, words and infinities", () => {
        expect(count("")).toBeUndefined();
        expect(count("   ")).toBeUndefined();
        expect(count("2Gi")).toBeUndefined();
        expect(count("Infinity")).toBeUndefined();
        expect(count(Infinity)).toBeUndefined();
        expect(count(NaN)).toBeUndefined();
        expect(count(true)).toBeUndefined();
        expect(count(undefined)).toBeUndefined();
    });
});

describe("stringMap and markedForRemoval", () => {
    test("keeps strings, writes numbers and booleans as text, drops the rest", () => {
        expect(stringMap({ a: "x", b: 2, c: false, d: null, e: { f: "g" }, h: ["i"] })).toEqual({ a: "x", b: "2", c: "false" });
    });
    test("a non-record is an empty map", () => {
        expect(stringMap(["a"])).toEqual({});
        expect(stringMap("a=b")).toEqual({});
        expect(stringMap(undefined)).toEqual({});
    });
    test("the marker is the modelfleet-decommission tag set to true", () => {
        expect(DECOMMISSION_MARKER).toBe("modelfleet-decommission");
        expect(markedForRemoval({ "modelfleet-decommission": "true" })).toBe(true);
        expect(markedForRemoval({ "modelfleet-decommission": true })).toBe(true);
        expect(markedForRemoval({ "modelfleet-decommission": "false" })).toBe(false);
        expect(markedForRemoval({ other: "true" })).toBe(false);
        expect(markedForRemoval(undefined)).toBe(false);
    });
});

describe("isSet", () => {
    test("a present value is set, whatever it is", () => {
        expect(isSet({ sslPolicy: "p" }, "sslPolicy")).toBe(true);
        expect(isSet({ sslPolicy: 0 }, "sslPolicy")).toBe(true);
        expect(isSet({ sslPolicy: false }, "sslPolicy")).toBe(true);
        expect(isSet({ sslPolicy: {} }, "sslPolicy")).toBe(true);
    });
    test("missing, undefined, null and empty text are not set", () => {
        const props: Record<string, unknown> = { a: undefined, b: null, c: "", d: "x" };
        expect(isSet(props, "missing")).toBe(false);
        expect(isSet(props, "a")).toBe(false);
        expect(isSet(props, "b")).toBe(false);
        expect(isSet(props, "c")).toBe(false);
        expect(isSet(props, "d")).toBe(true);
    });
    test("a non-record has nothing set", () => {
        expect(isSet<unknown>(["x"], 0 as never)).toBe(false);
        expect(isSet<unknown>(null, "a" as never)).toBe(false);
    });
    test("reads the own property without going through a getter's proxy", () => {
        const props = new Proxy<Record<string, unknown>>(
            { sslPolicy: "unknown" },
            {
                get: () => {
                    throw new Error("unknown at preview");
                },
            },
        );
        expect(isSet(props, "sslPolicy")).toBe(true);
        expect(isSet(props, "other")).toBe(false);
    });
});

describe("globMatches and matchesAny", () => {
    test("a star matches any run of characters, including none", () => {
        expect(globMatches("public.ecr.aws/*", "public.ecr.aws/neuron/x")).toBe(true);
        expect(globMatches("a*c", "ac")).toBe(true);
        expect(globMatches("a*c", "abbc")).toBe(true);
        expect(globMatches("*", "")).toBe(true);
    });
    test("the pattern is anchored at both ends", () => {
        expect(globMatches("ecr.aws", "x.ecr.aws")).toBe(false);
        expect(globMatches("ecr.aws", "ecr.aws.x")).toBe(false);
        expect(globMatches("ecr.aws", "ecr.aws")).toBe(true);
    });
    test("regular-expression characters match themselves", () => {
        expect(globMatches("a.b", "axb")).toBe(false);
        expect(globMatches("a+b", "aab")).toBe(false);
        expect(globMatches("a+b", "a+b")).toBe(true);
        expect(globMatches("(x)", "(x)")).toBe(true);
        expect(globMatches("a?", "a")).toBe(false);
        expect(globMatches("[ab]", "a")).toBe(false);
        expect(globMatches("[ab]", "[ab]")).toBe(true);
        expect(globMatches("a\\d", "a\\d")).toBe(true);
        expect(globMatches("a\\d", "a1")).toBe(false);
        expect(globMatches("a$b^{1}|c", "a$b^{1}|c")).toBe(true);
        expect(globMatches("a{2}", "aa")).toBe(false);
        expect(globMatches("a|b", "b")).toBe(false);
    });
    test("matchesAny is true when one pattern matches", () => {
        expect(matchesAny(["docker.io/*", "ghcr.io/*"], "ghcr.io/x")).toBe(true);
        expect(matchesAny(["docker.io/*", "ghcr.io/*"], "quay.io/x")).toBe(false);
        expect(matchesAny([], "quay.io/x")).toBe(false);
    });
});

describe("forTypes", () => {
    const seen: unknown[] = [];
    const check = (props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) => {
        seen.push(props.value);
        report(`checked ${args.name}`);
    };
    beforeEach(() => {
        seen.length = 0;
    });

    test("one type is attached for the engine to skip other types", () => {
        const validate = forTypes(["aws:s3/bucket:Bucket"], check);
        expect(validate).toHaveProperty("__pulumiType", "aws:s3/bucket:Bucket");
    });
    test("several types are not attached", () => {
        const validate = forTypes(["aws:lb/listener:Listener", "aws:alb/listener:Listener"], check);
        expect(validate).not.toHaveProperty("__pulumiType");
    });
    test("runs the check on a listed type with the props", () => {
        const validate = forTypes(["aws:lb/listener:Listener", "aws:alb/listener:Listener"], check);
        const reports: string[] = [];
        void validate(resourceArgs("aws:alb/listener:Listener", { value: 7 }), (message) => reports.push(message));
        expect(seen).toEqual([7]);
        expect(reports).toEqual(["checked r"]);
    });
    test("names every listed type when it does not apply", () => {
        const validate = forTypes(["aws:lb/listener:Listener", "aws:alb/listener:Listener"], check);
        expect(() => validate(resourceArgs("aws:s3/bucket:Bucket", { value: 1 }), () => undefined)).toThrow(
            "not applicable: Policy only applies to resources of type 'aws:lb/listener:Listener', 'aws:alb/listener:Listener'",
        );
        expect(seen).toEqual([]);
    });
});

describe("stack helpers", () => {
    const args: StackValidationArgs = {
        resources: [stackResource("a:b:C", "one"), stackResource("d:e:F", "two"), stackResource("a:b:C", "three")],
        getConfig: <T extends object>() => ({}) as T,
        stackTags: new Map(),
        notApplicable: () => {
            throw new Error("not applicable");
        },
    };
    test("resourcesOfType keeps the listed types in order", () => {
        expect(resourcesOfType(args, ["a:b:C"]).map((r) => r.name)).toEqual(["one", "three"]);
        expect(resourcesOfType(args, ["d:e:F", "a:b:C"]).map((r) => r.name)).toEqual(["one", "two", "three"]);
        expect(resourcesOfType(args, [])).toEqual([]);
    });
    test("forStackType attaches the type to the check itself", () => {
        const check = () => undefined;
        const tagged = forStackType("aws:s3/bucket:Bucket", check);
        expect(tagged).toBe(check);
        expect(tagged).toHaveProperty("__pulumiType", "aws:s3/bucket:Bucket");
    });
});

describe("settings", () => {
    test("schema fragments carry type, description and default", () => {
        expect(setting.integer("Pods.", 3)).toEqual({ type: "integer", description: "Pods.", default: 3, minimum: 0 });
        expect(setting.integer("Pods.", 3, 1)).toEqual({ type: "integer", description: "Pods.", default: 3, minimum: 1 });
        expect(setting.boolean("On.", true)).toEqual({ type: "boolean", description: "On.", default: true });
        expect(setting.string("Name.", "x")).toEqual({ type: "string", description: "Name.", default: "x" });
        expect(setting.strings("Names.", ["a", "b"])).toEqual({
            type: "array",
            items: { type: "string" },
            description: "Names.",
            default: ["a", "b"],
        });
    });
    test("a strings default is a copy of the given list", () => {
        const defaults = ["a"];
        const fragment = setting.strings("Names.", defaults);
        expect(fragment.default).not.toBe(defaults);
    });
    test("config overrides the defaults it names and keeps the others", () => {
        const args = { getConfig: <C extends object>() => ({ limit: 5 }) as C };
        expect(settingsOf(args, { limit: 1, names: ["a"] })).toEqual({ limit: 5, names: ["a"] });
    });
});
