/**
 * Every problem names its key path and a fix: zod's issues turned into problems, key paths
 * in Pulumi's --path syntax, and echoed values kept to one bounded line.
 */
import { z } from "zod";
import { ConfigError, formatProblem, fromZodIssues, keyPath, oneLine, setCommand, unknownKeyProblem } from "../config/errors";

/** zod's issues for an input, with the input reported as the schema sees it. */
function issuesOf(schema: z.ZodType, input: unknown): z.core.$ZodIssue[] {
    const result = schema.safeParse(input, { reportInput: true });
    return result.success ? [] : result.error.issues;
}

describe("key paths", () => {
    test("numbers are indexes, plain keys are dotted, and a key with other characters is quoted", () => {
        expect(keyPath(["regions", 1, "gpuPools", 0, "maxNodes"])).toBe("regions[1].gpuPools[0].maxNodes");
        expect(keyPath(["pricing", "instances", "g6.xlarge", "hourly"])).toBe('pricing.instances["g6.xlarge"].hourly');
        expect(keyPath(["g6.xlarge", "a_b-C9"])).toBe('["g6.xlarge"].a_b-C9');
        expect(keyPath(["with space"])).toBe('["with space"]');
        expect(keyPath([0, "name"])).toBe("[0].name");
        expect(keyPath([])).toBe("");
    });

    test("set commands quote the path and mark secrets", () => {
        expect(setCommand("serving.domain", "example.com")).toBe("pulumi config set --path 'serving.domain' example.com");
        expect(setCommand("kubeconfigs.edge", "<value>", true)).toBe("pulumi config set --secret --path 'kubeconfigs.edge' <value>");
        expect(setCommand("regions[0].protect", false)).toBe("pulumi config set --path 'regions[0].protect' false");
        expect(setCommand("regions[0].azCount", 3)).toBe("pulumi config set --path 'regions[0].azCount' 3");
    });
});

describe("one-line echoes", () => {
    test("control and line-separator characters are escaped; spaces and text are kept", () => {
        expect(oneLine("a\nb\tc\u0000d\u001fe f\u007fg\u2028h\u2029i")).toBe("a\\u000ab\\u0009c\\u0000d\\u001fe f\\u007fg\\u2028h\\u2029i");
    });

    test("at most 80 characters by default, then an ellipsis", () => {
        expect(oneLine("x".repeat(80))).toBe("x".repeat(80));
        expect(oneLine("x".repeat(81))).toBe(`${"x".repeat(80)}...`);
        expect(oneLine("abcdef", 3)).toBe("abc...");
        expect(oneLine("abc", 3)).toBe("abc");
    });

    test("a problem line keeps its whole text but never breaks the line", () => {
        const long = "y".repeat(200);
        expect(formatProblem({ path: "serving.domain", message: `is '${long}'`, fix: "set it\nagain" })).toBe(
            `modelfleet:serving.domain is '${long}'; fix: set it\\u000aagain`,
        );
    });

    test("the error lists every problem, one per line, with their count", () => {
        const err = new ConfigError([
            { path: "a", message: "is wrong", fix: "fix a" },
            { path: "b.c", message: "is missing", fix: "fix b" },
        ]);
        expect(err.name).toBe("ConfigError");
        expect(err.message).toBe(
            "stack config has 2 problem(s):\nmodelfleet:a is wrong; fix: fix a\nmodelfleet:b.c is missing; fix: fix b",
        );
        expect(err.problems).toHaveLength(2);
        expect(err).toBeInstanceOf(Error);
    });
});

describe("unknown keys", () => {
    test("with a suggestion the fix renames it; without one it asks to check the spelling", () => {
        expect(unknownKeyProblem("regoins", "regions", "pulumi config rm 'modelfleet:regoins'")).toEqual({
            path: "regoins",
            message: "is not a known key (did you mean regions?)",
            fix: "rename it to regions, or remove it: pulumi config rm 'modelfleet:regoins'",
        });
        expect(unknownKeyProblem("zzz", undefined, "pulumi config rm 'modelfleet:zzz'")).toEqual({
            path: "zzz",
            message: "is not a known key",
            fix: "check the spelling, or remove it: pulumi config rm 'modelfleet:zzz'",
        });
    });

    test("each unknown key of an object is its own problem, with the nearest known key when there is one", () => {
        const schema = z.strictObject({ inner: z.strictObject({ name: z.string() }) });
        const input = { inner: { name: "x", nmae: "y", "g6.x": 1 }, extra: 1 };
        const seen: Array<[string, string]> = [];
        const suggest = (path: ReadonlyArray<PropertyKey>, key: string) => {
            seen.push([path.join("/"), key]);
            return key === "nmae" ? "name" : undefined;
        };
        expect(fromZodIssues(issuesOf(schema, input), suggest)).toEqual([
            {
                path: "inner.nmae",
                message: "is not a known key (did you mean inner.name?)",
                fix: "rename it to inner.name, or remove it: pulumi config rm --path 'inner.nmae'",
            },
            {
                path: 'inner["g6.x"]',
                message: "is not a known key",
                fix: `check the spelling, or remove it: pulumi config rm --path 'inner["g6.x"]'`,
            },
            { path: "extra", message: "is not a known key", fix: "check the spelling, or remove it: pulumi config rm --path 'extra'" },
        ]);
        expect(seen).toEqual([
            ["inner", "nmae"],
            ["inner", "g6.x"],
            ["", "extra"],
        ]);
    });

    test("without a suggester no key is suggested", () => {
        expect(fromZodIssues(issuesOf(z.strictObject({ name: z.string() }), { name: "a", nmae: "b" }))).toEqual([
            { path: "nmae", message: "is not a known key", fix: "check the spelling, or remove it: pulumi config rm --path 'nmae'" },
        ]);
    });
});

describe("zod issues as problems", () => {
    test("a missing key is required, with its type", () => {
        expect(fromZodIssues(issuesOf(z.object({ a: z.object({ b: z.number() }) }), { a: {} }))).toEqual([
            { path: "a.b", message: "is required (number)", fix: "pulumi config set --path 'a.b' <value>" },
        ]);
    });

    test("a wrong type names what was expected and what it got", () => {
        const schema = z.object({
            b: z.object({}),
            c: z.array(z.number()),
            d: z.boolean(),
            e: z.number(),
            f: z.number(),
            g: z.number(),
            h: z.string(),
            i: z.number(),
        });
        const input = { b: [], c: {}, d: null, e: Symbol("s"), f: "x".repeat(100), g: "a\nb", h: 1, i: true };
        expect(fromZodIssues(issuesOf(schema, input)).map((p) => `${p.path}: ${p.message}; ${p.fix}`)).toEqual([
            "b: must be an object, got a list; pulumi config set --path 'b' <value>",
            "c: must be an array, got an object; pulumi config set --path 'c' <value>",
            "d: must be a boolean, got null; pulumi config set --path 'd' <value>",
            "e: must be a number, got symbol Symbol(s); pulumi config set --path 'e' <value>",
            `f: must be a number, got string "${"x".repeat(79)}...; pulumi config set --path 'f' <value>`,
            `g: must be a number, got string "a\\nb"; pulumi config set --path 'g' <value>`,
            "h: must be a string, got number 1; pulumi config set --path 'h' <value>",
            "i: must be a number, got boolean true; pulumi config set --path 'i' <value>",
        ]);
    });

    test("an inclusive numeric bound is the fix; an exclusive one or a length bound is not", () => {
        const schema = z.object({
            a: z.number().max(5),
            b: z.number().lt(5),
            c: z.number().min(1),
            d: z.number().gt(0),
            e: z.int().max(3),
            f: z.string().min(2),
            g: z.string().max(1),
            h: z.array(z.number()).min(1),
        });
        expect(
            fromZodIssues(issuesOf(schema, { a: 6, b: 5, c: 0, d: 0, e: 4, f: "x", g: "yy", h: [] })).map((p) => `${p.path}: ${p.fix}`),
        ).toEqual([
            "a: pulumi config set --path 'a' 5",
            "b: pulumi config set --path 'b' <value>",
            "c: pulumi config set --path 'c' 1",
            "d: pulumi config set --path 'd' <value>",
            "e: pulumi config set --path 'e' 3",
            "f: pulumi config set --path 'f' <value>",
            "g: pulumi config set --path 'g' <value>",
            "h: pulumi config set --path 'h' <value>",
        ]);
    });

    test("a list over its cap is fixed by removing the entries from the cap on", () => {
        expect(
            fromZodIssues(issuesOf(z.object({ a: z.object({ list: z.array(z.number()).max(2) }) }), { a: { list: [1, 2, 3] } })),
        ).toEqual([
            {
                path: "a.list",
                message: "Too big: expected array to have <=2 items",
                fix: "remove entries from index 2 on (pulumi config rm --path 'a.list[2]', repeated), or split the stack",
            },
        ]);
    });

    test("a custom rule's fix value is used when it is text", () => {
        const rule = (fixValue: unknown) =>
            z.string().superRefine((_v, ctx) => ctx.addIssue({ code: "custom", message: "bad", params: { fixValue } }));
        const plain = z.string().superRefine((_v, ctx) => ctx.addIssue({ code: "custom", message: "bad" }));
        expect(fromZodIssues(issuesOf(z.object({ a: rule("good"), b: rule(3), c: plain }), { a: "x", b: "y", c: "z" }))).toEqual([
            { path: "a", message: "bad", fix: "pulumi config set --path 'a' good" },
            { path: "b", message: "bad", fix: "pulumi config set --path 'b' <value>" },
            { path: "c", message: "bad", fix: "pulumi config set --path 'c' <value>" },
        ]);
    });

    test("a message that starts with its own key drops the repeat, and only then", () => {
        const failing = (message: string) => z.string().refine(() => false, message);
        const schema = z.object({
            cloud: failing("cloud must be aws"),
            cloudy: failing("cloud must be x"),
            name: failing("names are short"),
            list: z.array(failing("0 is bad")),
        });
        expect(
            fromZodIssues(issuesOf(schema, { cloud: "a", cloudy: "b", name: "c", list: ["q"] })).map((p) => `${p.path}: ${p.message}`),
        ).toEqual(["cloud: must be aws", "cloudy: cloud must be x", "name: names are short", "list[0]: 0 is bad"]);
    });
});
