// Builds the program and the tools ahead of time: every TypeScript source the tools run
// (index.ts, config/, components/, tools/, policy/) becomes CommonJS in .build/, with the
// same layout, so `npm run plan` and the other tools start from JavaScript instead of
// transpiling on every start. Only sources newer than their output are rebuilt; outputs
// whose source is gone are removed. The type check stays with `npm run build` (tsc).
//
// Run by the npm scripts before each tool; `node tools/build.mjs --quiet` prints nothing
// unless it fails.
import { transformFile } from "@swc/core";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const outDir = path.join(root, ".build");
const sources = ["index.ts", "config", "components", "tools", "policy"];
/** Every .ts file under the source roots, outside node_modules. */
function listSources() {
    const files = [];
    for (const entry of sources) {
        const full = path.join(root, entry);
        if (!fs.existsSync(full)) continue;
        if (fs.statSync(full).isFile()) {
            files.push(entry);
            continue;
        }
        for (const rel of fs.readdirSync(full, { recursive: true })) {
            if (rel.split(path.sep).includes("node_modules")) continue;
            if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) files.push(path.join(entry, rel));
        }
    }
    return files;
}

const swcOptions = {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: false,
    swcrc: false,
};

export async function build({ quiet = false } = {}) {
    const started = process.hrtime.bigint();
    const files = listSources();
    const wanted = new Set(files.map((f) => f.replace(/\.ts$/, ".js")));
    let built = 0;
    await Promise.all(
        files.map(async (rel) => {
            const src = path.join(root, rel);
            const dest = path.join(outDir, rel.replace(/\.ts$/, ".js"));
            const srcTime = fs.statSync(src).mtimeMs;
            if (fs.existsSync(dest) && fs.statSync(dest).mtimeMs >= srcTime) return;
            const { code } = await transformFile(src, { ...swcOptions, filename: src });
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.writeFileSync(dest, code);
            built++;
        }),
    );
    // Outputs of deleted or renamed sources would still be loadable: remove them. Only
    // .js files inside .build are ever removed; .build holds nothing else.
    let removed = 0;
    if (fs.existsSync(outDir)) {
        for (const rel of fs.readdirSync(outDir, { recursive: true })) {
            if (rel.endsWith(".js") && !wanted.has(rel)) {
                fs.rmSync(path.join(outDir, rel));
                removed++;
            }
        }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!quiet) console.error(`built ${built} of ${files.length} file(s) into .build/ (${removed} stale removed) in ${ms.toFixed(0)} ms`);
    return { built, total: files.length, removed };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    build({ quiet: process.argv.includes("--quiet") }).catch((err) => {
        console.error(`build of the tools failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(2);
    });
}
