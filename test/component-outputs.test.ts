/**
 * Every component registers all of its public outputs, so `pulumi stack export` and the
 * engine see what a component exposes. Read from the source: each `public readonly` field
 * of a ComponentResource class must be a key of its `registerOutputs({...})`.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "components");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sources(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

interface ComponentOutputs {
    component: string;
    fields: string[];
    registered: string[] | undefined;
}

function componentsOf(file: string): ComponentOutputs[] {
    const text = fs.readFileSync(file, "utf8");
    const starts = [...text.matchAll(/export class (\w+) extends pulumi\.ComponentResource \{/g)];
    return starts.map((match, i) => {
        const body = text.slice(match.index, starts[i + 1]?.index ?? text.length);
        const fields = [...body.matchAll(/public readonly (\w+)/g)].map((m) => m[1]);
        const outputs = /this\.registerOutputs\(\{([\s\S]*?)\}\);/.exec(body)?.[1];
        const registered = outputs === undefined ? undefined : [...outputs.matchAll(/(\w+)\s*(?=[:,]|$)/gm)].map((m) => m[1]);
        return { component: `${path.relative(ROOT, file)} ${match[1]}`, fields, registered };
    });
}

const components = sources(ROOT).flatMap(componentsOf);

test("the source has components to check", () => {
    expect(components.length).toBeGreaterThanOrEqual(25);
});

test("every component registers each of its public outputs", () => {
    const missing = components.flatMap(({ component, fields, registered }) =>
        registered === undefined
            ? [`${component}: no registerOutputs`]
            : fields.filter((f) => !registered.includes(f)).map((f) => `${component}.${f}`),
    );
    expect(missing).toEqual([]);
});
