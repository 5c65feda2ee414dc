import { Command } from "commander";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

/**
 * Times the offline plan of each committed stack (median of several runs) and of
 * synthetic fleets of growing size, beside the floor: the time node needs just to load
 * the three provider SDKs. Each run is a fresh process, as `npm run plan` is.
 */

const ROOT = path.resolve(__dirname, "..");

interface Sample {
    code: number;
    wallMs: number;
    peakRssMiB: number;
}

function runChild(args: string[]): Sample {
    const result = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "bench", "child.ts"), ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        },
    );
    const line = result.stdout.trim().split("\n").pop() ?? "";
    if (result.status !== 0 || !line.startsWith("{"))
        throw new Error(`bench run failed (${args.join(" ")}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return JSON.parse(line) as Sample;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(args: string[], runs: number): { wallMs: number; peakRssMiB: number; code: number } {
    const samples = Array.from({ length: runs }, () => runChild(args));
    return {
        wallMs: median(samples.map((s) => s.wallMs)),
        peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
        code: samples[0].code,
    };
}

/**
 * A stack file with `n` regions cycling through AWS, GCP and existing clusters, built from
 * the prod stack's region entries so every region is realistic.
 */
export function syntheticStack(n: number): string {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    const doc = YAML.parse(text) as { config: Record<string, unknown> };
    const templates = doc.config["modelfleet:regions"] as Array<Record<string, unknown>>;
    const kubeconfigs: Record<string, unknown> = {};
    const credentials: Record<string, unknown> = {};
    const edgeKube = (doc.config["modelfleet:kubeconfigs"] as Record<string, unknown>)["edge-muc"];
    const edgeCreds = (doc.config["modelfleet:edgeStoreCredentials"] as Record<string, unknown>)["edge-muc"];
    const regions = Array.from({ length: n }, (_, i) => {
        const template = structuredClone(templates[i % templates.length]);
        const name = `r${i}-${String(template["name"]).slice(0, 10)}`;
        template["name"] = name;
        // Route 53 takes one latency record per AWS region: past the first copy of each
        // template, regions are built in full but kept out of the global name.
        if (i >= templates.length) template["globalRouting"] = false;
        if (template["cloud"] === "existing") {
            template["modelStoreSource"] = "r0-use1";
            template["publicEndpoint"] = `ingress.${name}.edge.modelfleet.example.com`;
            kubeconfigs[name] = edgeKube;
            credentials[name] = edgeCreds;
        }
        return template;
    });
    doc.config["modelfleet:regions"] = regions;
    doc.config["modelfleet:kubeconfigs"] = kubeconfigs;
    doc.config["modelfleet:edgeStoreCredentials"] = credentials;
    const store = doc.config["modelfleet:modelStore"] as Record<string, unknown>;
    store["primaryRegion"] = "r0-use1";
    return YAML.stringify(doc);
}

function main(): void {
    const program = new Command("bench")
        .option("--runs <n>", "runs per committed stack (median reported)", "3")
        .option("--sizes <list>", "synthetic fleet sizes", "1,4,16,32")
        .option("--skip-synthetic", "only the committed stacks")
        .parse();
    const opts = program.opts<{ runs: string; sizes: string; skipSynthetic?: boolean }>();
    const runs = Math.max(1, Number(opts.runs));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-bench-"));
    const cores = os.cpus().length;
    console.log(`modelfleet plan bench on ${cores} cores, node ${process.version}, ${runs} run(s) each`);

    const floor = measure(["floor"], runs);
    console.log(
        `floor (load @pulumi/aws, gcp, kubernetes): ${(floor.wallMs / 1000).toFixed(2)} s, peak RSS ${floor.peakRssMiB.toFixed(0)} MiB`,
    );
    console.log("");
    console.log("stack     plan s   ratio to floor   target (3x floor + 5 s)   peak RSS MiB   exit");
    for (const file of fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort()) {
        const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
        const r = measure(["plan", path.join(ROOT, file), path.join(work, stack)], runs);
        const target = 3 * floor.wallMs + 5000;
        console.log(
            `${stack.padEnd(8)}  ${(r.wallMs / 1000).toFixed(2).padStart(6)}   ${(r.wallMs / floor.wallMs).toFixed(2).padStart(14)}   ${((target / 1000).toFixed(2) + (r.wallMs <= target ? " met" : " MISSED")).padStart(23)}   ${r.peakRssMiB.toFixed(0).padStart(12)}   ${r.code}`,
        );
    }

    if (!opts.skipSynthetic) {
        console.log("");
        console.log("regions   resources   plan s   s per region   peak RSS MiB");
        const sizes = opts.sizes
            .split(",")
            .map((s) => Number(s.trim()))
            .filter((s) => s > 0);
        for (const n of sizes) {
            const file = path.join(work, `Pulumi.synthetic-${n}.yaml`);
            fs.writeFileSync(file, syntheticStack(n));
            const out = path.join(work, `synthetic-${n}`);
            const r = measure(["plan", file, out], 1);
            const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as { resources: unknown[] };
            console.log(
                `${String(n).padStart(7)}   ${String(plan.resources.length).padStart(9)}   ${(r.wallMs / 1000).toFixed(2).padStart(6)}   ${(r.wallMs / 1000 / n).toFixed(3).padStart(12)}   ${r.peakRssMiB.toFixed(0).padStart(12)}`,
            );
        }
    }
    fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();
