import { Command } from "commander";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { median, slope } from "./bench/stats";
import { projectRoot } from "./root";

/**
 * Times the offline plan of each committed stack (median of several runs) and of
 * synthetic fleets of growing size, beside the floor: the time node needs just to load
 * the three provider SDKs. Each run is a fresh process, as `npm run plan` is.
 */

const ROOT = projectRoot();

/**
 * What the plan should cost, in CPU time (wall time is noise on a shared machine): a
 * committed stack within 3x the floor, a 32-region fleet under 10 s and 700 MiB, and
 * under 15 MB of peak memory per added region.
 */
const TARGETS = { stackCpuRatio: 3, fleetRegions: 32, fleetCpuMs: 10_000, fleetPeakRssMiB: 700, regionSlopeMB: 15 };
const MIB_TO_MB = 1.048576;

interface Sample {
    code: number;
    wallMs: number;
    cpuMs: number;
    peakRssMiB: number;
}

/**
 * The child runs as the tools run: from the built JavaScript when this file is built
 * (npm run bench), from TypeScript through ts-node when it is not (tests).
 */
const CHILD = require.resolve(path.join(__dirname, "bench", "child"));

function runChild(args: string[]): Sample {
    const loader = CHILD.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
    const result = spawnSync(process.execPath, [...loader, CHILD, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
    });
    const line = result.stdout.trim().split("\n").pop() ?? "";
    if (result.status !== 0 || !line.startsWith("{"))
        throw new Error(`bench run failed (${args.join(" ")}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return JSON.parse(line) as Sample;
}

/** Median wall and CPU time of `runs` fresh processes, and the largest peak RSS among them. */
function measure(args: string[], runs: number): Sample {
    const samples = Array.from({ length: runs }, () => runChild(args));
    return {
        wallMs: median(samples.map((s) => s.wallMs)),
        cpuMs: median(samples.map((s) => s.cpuMs)),
        peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
        code: samples[0].code,
    };
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const verdict = (met: boolean) => (met ? "met" : "MISSED");

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
        `floor (load @pulumi/aws, gcp, kubernetes): ${seconds(floor.cpuMs)} s CPU, ${seconds(floor.wallMs)} s wall, peak RSS ${floor.peakRssMiB.toFixed(0)} MiB`,
    );
    const missed: string[] = [];
    console.log("");
    console.log(`stack     CPU s   wall s   CPU ratio to floor   target (<= ${TARGETS.stackCpuRatio}x floor CPU)   peak RSS MiB   exit`);
    for (const file of fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort()) {
        const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
        const r = measure(["plan", path.join(ROOT, file), path.join(work, stack)], runs);
        const ratio = r.cpuMs / floor.cpuMs;
        const met = ratio <= TARGETS.stackCpuRatio;
        if (!met) missed.push(`${stack}: ${ratio.toFixed(2)}x the floor's CPU`);
        console.log(
            `${stack.padEnd(8)}  ${seconds(r.cpuMs).padStart(5)}   ${seconds(r.wallMs).padStart(6)}   ${ratio.toFixed(2).padStart(18)}   ${verdict(met).padStart(29)}   ${r.peakRssMiB.toFixed(0).padStart(12)}   ${r.code}`,
        );
    }

    if (!opts.skipSynthetic) {
        console.log("");
        console.log("regions   resources   CPU s   wall s   peak RSS MiB");
        const sizes = opts.sizes
            .split(",")
            .map((s) => Number(s.trim()))
            .filter((s) => s > 0);
        const points: Array<{ regions: number; cpuMs: number; peakRssMiB: number }> = [];
        for (const n of sizes) {
            const file = path.join(work, `Pulumi.synthetic-${n}.yaml`);
            fs.writeFileSync(file, syntheticStack(n));
            const out = path.join(work, `synthetic-${n}`);
            const r = measure(["plan", file, out], 1);
            const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as { resources: unknown[] };
            points.push({ regions: n, cpuMs: r.cpuMs, peakRssMiB: r.peakRssMiB });
            console.log(
                `${String(n).padStart(7)}   ${String(plan.resources.length).padStart(9)}   ${seconds(r.cpuMs).padStart(5)}   ${seconds(r.wallMs).padStart(6)}   ${r.peakRssMiB.toFixed(0).padStart(12)}`,
            );
            if (n === TARGETS.fleetRegions) {
                const met = r.cpuMs <= TARGETS.fleetCpuMs && r.peakRssMiB <= TARGETS.fleetPeakRssMiB;
                if (!met) missed.push(`${n} regions: ${seconds(r.cpuMs)} s CPU, ${r.peakRssMiB.toFixed(0)} MiB`);
                console.log(
                    `          target for ${n} regions: < ${seconds(TARGETS.fleetCpuMs)} s CPU and < ${TARGETS.fleetPeakRssMiB} MiB: ${verdict(met)}`,
                );
            }
        }
        if (new Set(points.map((p) => p.regions)).size >= 2) {
            const cpuPerRegion = slope(points.map((p) => ({ x: p.regions, y: p.cpuMs })));
            const mibPerRegion = slope(points.map((p) => ({ x: p.regions, y: p.peakRssMiB })));
            const met = mibPerRegion * MIB_TO_MB <= TARGETS.regionSlopeMB;
            if (!met) missed.push(`memory per region ${(mibPerRegion * MIB_TO_MB).toFixed(1)} MB`);
            console.log(
                `per added region (least squares over ${points.length} sizes): ${seconds(cpuPerRegion)} s CPU, ${(mibPerRegion * MIB_TO_MB).toFixed(1)} MB peak RSS (target < ${TARGETS.regionSlopeMB} MB: ${verdict(met)})`,
            );
        }
    }
    fs.rmSync(work, { recursive: true, force: true });
    if (missed.length > 0) {
        console.log("");
        console.log(`missed: ${missed.join("; ")}`);
        process.exitCode = 1;
    }
}

if (require.main === module) main();
