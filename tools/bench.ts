import { Command, CommanderError, InvalidArgumentError } from "commander";
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
 * the three provider SDKs. Each run is a fresh process, as `npm run plan` is. Targets are
 * in CPU time (user + system), which a busy machine disturbs far less than wall time.
 */

const ROOT = projectRoot();

/**
 * What the plan should cost: a committed stack within 3x the floor's CPU; a 32-region
 * fleet under 10 s of CPU and 700 MiB; under 15 MB of peak memory per added region.
 */
export const TARGETS = { stackCpuRatio: 3, fleetRegions: 32, fleetCpuMs: 10_000, fleetPeakRssMiB: 700, regionSlopeMB: 15 };
const MB_PER_MIB = 1.048576;
/** The most runs per stack and the largest synthetic fleet the bench takes. */
export const MAX_RUNS = 20;
export const MAX_SYNTHETIC_REGIONS = 64;

/** A run that failed: reported as one line, exit 2. */
export class BenchError extends Error {}

export interface BenchIo {
    stdout: (line: string) => void;
    stderr: (line: string) => void;
}

export interface Sample {
    code: number;
    wallMs: number;
    cpuMs: number;
    peakRssMiB: number;
}

/**
 * The child runs as the tools run: from the built JavaScript when this file is built
 * (npm run bench), from TypeScript through ts-node when it is not.
 */
const CHILD = require.resolve(path.join(__dirname, "bench", "child"));

/**
 * Node options `npm run plan` starts the plan with (package.json): a young generation of
 * 32 MiB semi-spaces, so fewer of the registrations' short-lived values are promoted to the
 * old generation. A plan run here gets the same; the floor runs plain node, as before.
 */
export const PLAN_NODE_OPTIONS = ["--max-semi-space-size=32"];

function runChild(args: string[]): Sample {
    const loader = CHILD.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
    const nodeOptions = args[0] === "plan" ? PLAN_NODE_OPTIONS : [];
    const result = spawnSync(process.execPath, [...nodeOptions, ...loader, CHILD, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
    });
    const line = result.stdout.trim().split("\n").pop() ?? "";
    if (result.status !== 0 || !line.startsWith("{"))
        throw new BenchError(`a bench run failed (${args.join(" ")}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return JSON.parse(line) as Sample;
}

/** One timed run in a fresh process; throws BenchError when the run fails. */
export type Runner = (args: string[]) => Sample;

function measure(run: Runner, args: string[], runs: number): Sample {
    return summarize(Array.from({ length: runs }, () => run(args)));
}

/** Median wall and CPU time of fresh processes, and the largest peak RSS among them. */
function summarize(samples: Sample[]): Sample {
    return {
        wallMs: median(samples.map((s) => s.wallMs)),
        cpuMs: median(samples.map((s) => s.cpuMs)),
        peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
        code: samples[0].code,
    };
}

/**
 * A plan's runs, each right after a floor run, so the ratio compares runs from the same
 * minutes: a shared machine's speed drifts (by 10-20% within minutes on a 2-core CI
 * machine), and one floor measured before all the stacks would move every ratio with it.
 */
function measureBesideFloor(run: Runner, args: string[], runs: number): { plan: Sample; floor: Sample } {
    const floors: Sample[] = [];
    const plans: Sample[] = [];
    for (let i = 0; i < runs; i++) {
        floors.push(run(["floor"]));
        plans.push(run(args));
    }
    return { plan: summarize(plans), floor: summarize(floors) };
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

function positiveInt(max: number): (value: string) => number {
    return (value) => {
        if (!/^[0-9]+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not a whole number.`);
        const n = Number(value);
        if (n < 1 || n > max) throw new InvalidArgumentError(`${n} is outside 1-${max}.`);
        return n;
    };
}

function sizeList(value: string): number[] {
    const parse = positiveInt(MAX_SYNTHETIC_REGIONS);
    const parts = value.split(",").map((s) => s.trim());
    if (parts.some((p) => p === ""))
        throw new InvalidArgumentError(`'${value}' is not a comma-separated list of region counts such as 1,4,16.`);
    return parts.map((p) => {
        try {
            return parse(p);
        } catch (err) {
            throw new InvalidArgumentError(`${(err as Error).message.replace(/\.$/, "")} (region counts are 1-${MAX_SYNTHETIC_REGIONS}).`);
        }
    });
}

export interface BenchOptions {
    runs: number;
    sizes: number[];
    skipSynthetic: boolean;
}

/** Parses the flags; every bad value or unknown flag is one line and exit 2. */
export function parseBenchArgs(argv: string[], io: BenchIo): BenchOptions | number {
    const program = new Command("bench")
        .description("Offline plan time and peak memory of each committed stack and of synthetic fleets, against the floor")
        .option("--runs <n>", `runs per committed stack, 1-${MAX_RUNS} (median reported)`, positiveInt(MAX_RUNS), 3)
        .option("--sizes <list>", `synthetic fleet sizes in regions, each 1-${MAX_SYNTHETIC_REGIONS}`, sizeList, [1, 4, 16, 32])
        .option("--skip-synthetic", "only the committed stacks", false)
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
        throw err;
    }
    return program.opts<BenchOptions>();
}

function seconds(ms: number): string {
    return (ms / 1000).toFixed(2);
}

const verdict = (met: boolean) => (met ? "met" : "MISSED");

/**
 * Runs the bench. Exit 0 when every target is met, 1 when one is missed (each named on
 * stderr), 2 when a run fails. The work folder is always removed.
 */
export function runBench(options: BenchOptions, io: BenchIo, run: Runner = runChild, stackFiles = committedStackFiles()): number {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-bench-"));
    try {
        const { runs } = options;
        io.stdout(`modelfleet plan bench on ${os.cpus().length} cores, node ${process.version}, ${runs} run(s) each`);
        const floor = measure(run, ["floor"], runs);
        io.stdout(
            `floor (load @pulumi/aws, gcp, kubernetes): ${seconds(floor.cpuMs)} s CPU, ${seconds(floor.wallMs)} s wall, peak RSS ${floor.peakRssMiB.toFixed(0)} MiB`,
        );
        const missed: string[] = [];
        io.stdout("");
        // A plan takes two to three times the floor, and each plan run is paired with a floor run.
        io.stdout(
            `estimate: ${stackFiles.length} stack(s) x ${runs} run(s), about ${Math.round((stackFiles.length * runs * 4 * floor.wallMs) / 1000)} s; each row prints as it finishes`,
        );
        io.stdout(
            `stack     CPU s   wall s   floor CPU s   CPU ratio to floor   target (<= ${TARGETS.stackCpuRatio}x floor CPU)   peak RSS MiB   exit`,
        );
        let wallPerRegion = 0;
        for (const file of stackFiles) {
            const stack = path.basename(file).replace(/^Pulumi\.|\.yaml$/g, "");
            const { plan: r, floor: beside } = measureBesideFloor(run, ["plan", file, path.join(work, stack)], runs);
            const ratio = r.cpuMs / beside.cpuMs;
            const met = ratio <= TARGETS.stackCpuRatio;
            if (!met) missed.push(`${stack}: ${ratio.toFixed(2)}x the floor's CPU`);
            wallPerRegion = Math.max(wallPerRegion, r.wallMs / Math.max(1, regionCount(file)));
            io.stdout(
                `${stack.padEnd(8)}  ${seconds(r.cpuMs).padStart(5)}   ${seconds(r.wallMs).padStart(6)}   ${seconds(beside.cpuMs).padStart(11)}   ${ratio.toFixed(2).padStart(18)}   ${verdict(met).padStart(29)}   ${r.peakRssMiB.toFixed(0).padStart(12)}   ${r.code}`,
            );
        }

        if (!options.skipSynthetic) {
            io.stdout("");
            const total = options.sizes.reduce((a, n) => a + n, 0);
            io.stdout(
                `estimate: ${options.sizes.length} synthetic fleet(s), ${total} regions in all, about ${Math.round((total * wallPerRegion + options.sizes.length * floor.wallMs) / 1000)} s`,
            );
            io.stdout("regions   resources   CPU s   wall s   peak RSS MiB");
            const points: Array<{ regions: number; cpuMs: number; peakRssMiB: number }> = [];
            for (const n of options.sizes) {
                const file = path.join(work, `Pulumi.synthetic-${n}.yaml`);
                fs.writeFileSync(file, syntheticStack(n));
                const out = path.join(work, `synthetic-${n}`);
                const r = measure(run, ["plan", file, out], 1);
                // A synthetic fleet is built to plan cleanly; one that does not measures nothing.
                if (r.code !== 0) throw new BenchError(`the plan of the synthetic fleet of ${n} region(s) exited ${r.code}`);
                points.push({ regions: n, cpuMs: r.cpuMs, peakRssMiB: r.peakRssMiB });
                const planFile = path.join(out, "plan.json");
                const resources = fs.existsSync(planFile)
                    ? String((JSON.parse(fs.readFileSync(planFile, "utf8")) as { resources: unknown[] }).resources.length)
                    : "-";
                io.stdout(
                    `${String(n).padStart(7)}   ${resources.padStart(9)}   ${seconds(r.cpuMs).padStart(5)}   ${seconds(r.wallMs).padStart(6)}   ${r.peakRssMiB.toFixed(0).padStart(12)}`,
                );
                if (n === TARGETS.fleetRegions) {
                    const met = r.cpuMs < TARGETS.fleetCpuMs && r.peakRssMiB < TARGETS.fleetPeakRssMiB;
                    if (!met) missed.push(`${n} regions: ${seconds(r.cpuMs)} s CPU, ${r.peakRssMiB.toFixed(0)} MiB`);
                    io.stdout(
                        `          target for ${n} regions: < ${seconds(TARGETS.fleetCpuMs)} s CPU and < ${TARGETS.fleetPeakRssMiB} MiB: ${verdict(met)}`,
                    );
                }
            }
            if (new Set(points.map((p) => p.regions)).size >= 2) {
                const cpuMsPerRegion = slope(points.map((p) => ({ x: p.regions, y: p.cpuMs })));
                const mbPerRegion = slope(points.map((p) => ({ x: p.regions, y: p.peakRssMiB }))) * MB_PER_MIB;
                const met = mbPerRegion < TARGETS.regionSlopeMB;
                if (!met) missed.push(`${mbPerRegion.toFixed(1)} MB peak memory per added region`);
                io.stdout(
                    `per added region (least squares over ${points.length} sizes): ${seconds(cpuMsPerRegion)} s CPU, ${mbPerRegion.toFixed(1)} MB peak RSS (target < ${TARGETS.regionSlopeMB} MB: ${verdict(met)})`,
                );
            }
        }
        if (missed.length > 0) {
            io.stderr(`MISSED: ${missed.join("; ")}`);
            return 1;
        }
        return 0;
    } catch (err) {
        if (!(err instanceof BenchError)) throw err;
        io.stderr(err.message);
        return 2;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

function committedStackFiles(): string[] {
    return fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .sort()
        .map((f) => path.join(ROOT, f));
}

function regionCount(file: string): number {
    try {
        const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
        const regions = doc.config?.["modelfleet:regions"] ?? doc.config?.["regions"];
        return Array.isArray(regions) ? regions.length : 1;
    } catch {
        return 1;
    }
}

export function main(argv: string[], io: BenchIo = { stdout: (l) => console.log(l), stderr: (l) => console.error(l) }): number {
    const options = parseBenchArgs(argv, io);
    if (typeof options === "number") return options;
    return runBench(options, io);
}

if (require.main === module) {
    let code: number;
    try {
        code = main(process.argv.slice(2));
    } catch (err) {
        console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
        code = 2;
    }
    process.exit(code);
}
