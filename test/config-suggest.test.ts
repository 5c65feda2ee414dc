import { z } from "zod";
import { closest, knownKeysAt } from "../config/suggest";

describe("closest: the candidate a misspelt word most likely meant", () => {
    test("the word itself is never suggested", () => {
        expect(closest("region", ["region", "regions"])).toBe("regions");
    });

    test("a difference in case alone wins over a nearer spelling", () => {
        expect(closest("MAXNODES", ["MAXNODE", "maxNodes"])).toBe("maxNodes");
    });

    test("of two equally near candidates, the first is kept", () => {
        expect(closest("nodes", ["modes", "codes"])).toBe("modes");
    });

    test("a third of the word's length in edits is near enough", () => {
        expect(closest("mnNods", ["minNodes"])).toBe("minNodes");
        expect(closest("mnNds", ["minNodes"])).toBeUndefined();
    });

    test("a short word still allows one edit", () => {
        expect(closest("ab", ["ac"])).toBe("ac");
        expect(closest("ab", ["cd"])).toBeUndefined();
    });

    test("no candidates, no suggestion", () => {
        expect(closest("zone", [])).toBeUndefined();
    });
});

describe("knownKeysAt: the keys an object accepts at a path", () => {
    const aws = z.object({ cloud: z.literal("aws"), name: z.string(), eks: z.object({ version: z.string() }).optional() });
    const gcp = z.object({ cloud: z.literal("gcp"), name: z.string(), gke: z.object({ channel: z.string() }) });
    const schema = z.object({
        regions: z.array(z.discriminatedUnion("cloud", [aws, gcp])),
        kubeconfigs: z.record(z.string(), z.object({ path: z.string(), context: z.string().optional() })).default({}),
        serving: z
            .object({ namespace: z.string() })
            .transform((s) => s)
            .optional(),
        either: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
        name: z.string(),
    });
    const allRegionKeys = ["cloud", "name", "eks", "gke"];

    test("the top level", () => {
        expect(knownKeysAt(schema, [], {})).toEqual(["regions", "kubeconfigs", "serving", "either", "name"]);
    });

    test("a discriminated union's member is picked by the input's tag", () => {
        expect(knownKeysAt(schema, ["regions", 0], { regions: [{ cloud: "gcp" }] })).toEqual(["cloud", "name", "gke"]);
        expect(knownKeysAt(schema, ["regions", 1], { regions: [{}, { cloud: "aws" }] })).toEqual(["cloud", "name", "eks"]);
    });

    test("without a tag that selects a member, every member's keys, once each", () => {
        expect(knownKeysAt(schema, ["regions", 0], { regions: [{ cloud: "azure" }] })).toEqual(allRegionKeys);
        expect(knownKeysAt(schema, ["regions", 0], {})).toEqual(allRegionKeys);
        expect(knownKeysAt(schema, ["regions", 0], { regions: [null] })).toEqual(allRegionKeys);
        expect(knownKeysAt(schema, ["regions", 0], { regions: null })).toEqual(allRegionKeys);
        expect(knownKeysAt(schema, ["regions", 0], { regions: "eu" })).toEqual(allRegionKeys);
    });

    test("an array takes any index, a record any key", () => {
        expect(knownKeysAt(schema, ["regions", "first"], {})).toEqual(allRegionKeys);
        expect(knownKeysAt(schema, ["kubeconfigs", "edge-muc"], {})).toEqual(["path", "context"]);
    });

    test("optional, default and transform wrappers are seen through", () => {
        expect(knownKeysAt(schema, ["regions", 0, "eks"], { regions: [{ cloud: "aws" }] })).toEqual(["version"]);
        expect(knownKeysAt(schema, ["serving"], {})).toEqual(["namespace"]);
    });

    test("a plain union offers the keys of all its members", () => {
        expect(knownKeysAt(schema, ["either"], { either: { a: "x" } })).toEqual(["a", "b"]);
    });

    test("a path that leads to no object gives no keys", () => {
        expect(knownKeysAt(schema, ["name"], {})).toEqual([]);
        expect(knownKeysAt(schema, ["name", "first"], {})).toEqual([]);
        expect(knownKeysAt(schema, ["missing"], {})).toEqual([]);
        expect(knownKeysAt(schema, ["regions", 0, "gke", "channel"], { regions: [{ cloud: "aws" }] })).toEqual([]);
        expect(knownKeysAt(schema, [0], {})).toEqual([]);
    });

    test("a map is not a record: its values' keys are not offered", () => {
        const mapped = z.object({ byName: z.map(z.string(), z.object({ path: z.string() })) });
        expect(knownKeysAt(mapped, ["byName", "edge"], {})).toEqual([]);
    });

    test("an array index never selects an object's key of the same digits", () => {
        const numbered = z.object({ "0": z.object({ first: z.string() }) });
        expect(knownKeysAt(numbered, ["0"], {})).toEqual(["first"]);
        expect(knownKeysAt(numbered, [0], {})).toEqual([]);
    });
});
