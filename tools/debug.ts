/**
 * `npm run debug`: checks a stack's config, lists what each region should run (from the
 * offline plan), and prints the kubectl, curl and cloud CLI commands that check
 * connectivity, model loading, inference, GPUs and events per region. It never contacts a
 * cloud or a cluster and never runs a command itself. See docs/runbooks/common-issues.md.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { FleetSettings } from "../config";
import { MAX_PLAN_FILE_BYTES, readBoundedFile } from "./boundedFile";
import type { Plan, PolicyReport } from "./contracts";
import { regionCommands, type CommandGroup } from "./debug/commands";
import { buildInventory, type RegionInventory } from "./debug/inventory";
import { findKubeconfig, type KubeconfigSource } from "./debug/kubeconfig";
import { renderText, type DebugReport } from "./debug/render";
import { decide, figuresFromPrometheus, figuresFromText, renderRollout, type TrackFigures } from "./debug/rollout";
import { main as planMain, stackNameFromFile } from "./plan";
import { projectRoot } from "./root";
import { checkStackFile, StackFileError, stackFileOf } from "./stackfile";

export interface DebugIo {
    stdout: (line: string) => void;
    stderr: (line: string) => void;
    /** Environment read for KUBECONFIG; default process.env. */
    env?: NodeJS.ProcessEnv;
    /** Home directory holding .kube/config; default os.homedir(). */
    homeDir?: string;
}

interface DebugOptions {
    stack?: string;
    configFile?: string;
    out?: string;
    planDir?: string;
    kubeconfig?: string;
    json: boolean;
    rollout: boolean;
    prometheus?: string;
}

const PROJECT = "modelfleet";
const ROOT = projectRoot();
const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

/** A problem that ends the run with exit 2; each line goes to stderr. */
class DebugInputError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("\n"));
    }
}

export async function main(
    argv: string[],
    io: DebugIo = { stdout: (l) => console.log(l), stderr: (l) => console.error(l) },
): Promise<number> {
    const program = new Command("debug")
        .description(
            "Check a stack's config, list what each region should run, and print the commands that debug it (offline; runs nothing)",
        )
        .option("--stack <name>", "stack name; reads Pulumi.<name>.yaml")
        .option("--config-file <path>", "any stack file")
        .option("--out <dir>", "where the offline plan is written (default out/<stack>)")
        .option("--plan-dir <dir>", "read an existing plan (<dir>/plan.json) instead of running the plan")
        .option("--kubeconfig <path>", "kubeconfig the printed kubectl commands use (default: KUBECONFIG, then ~/.kube/config)")
        .option("--json", "print the report as JSON", false)
        .option("--rollout", "promote, hold or roll back the canary track from its serving figures (needs --prometheus)", false)
        .option(
            "--prometheus <url|file>",
            "with --rollout: a Prometheus base URL, or a file of its text-format answer (e.g. from /federate)",
        )
        .allowExcessArguments(false)
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
        throw err;
    }
    const opts = program.opts<DebugOptions>();
    if (opts.rollout || opts.prometheus !== undefined) {
        try {
            const lines = await rollout(opts);
            if (opts.json) io.stdout(lines.json);
            else lines.text.forEach((l) => io.stdout(l));
            return EXIT_OK;
        } catch (err) {
            if (err instanceof DebugInputError) {
                err.lines.forEach((l) => io.stderr(l));
                return EXIT_BAD_INPUT;
            }
            throw err;
        }
    }
    try {
        const report = await run(program.opts<DebugOptions>(), io);
        io.stdout(program.opts<DebugOptions>().json ? JSON.stringify(report, null, 2) : renderText(report));
        return EXIT_OK;
    } catch (err) {
        if (err instanceof DebugInputError) {
            err.lines.forEach((l) => io.stderr(l));
            return EXIT_BAD_INPUT;
        }
        throw err;
    }
}

/** `--rollout`: reads the tracks' figures and prints the verdict; never runs the plan or changes the stack. */
async function rollout(opts: DebugOptions): Promise<{ text: string[]; json: string }> {
    if (!opts.rollout) throw new DebugInputError(["--prometheus is only used with --rollout; fix: add --rollout"]);
    if ((opts.stack === undefined) === (opts.configFile === undefined))
        throw new DebugInputError(["give exactly one of --stack NAME or --config-file PATH"]);
    if (opts.prometheus === undefined)
        throw new DebugInputError([
            "--rollout needs --prometheus; fix: add --prometheus http://prometheus.monitoring.svc:9090 (or a file saved from its /federate endpoint)",
        ]);
    const { stack, settings } = readStack(opts);
    const source = opts.prometheus;
    let figures: Record<"blue" | "green", TrackFigures>;
    if (/^https?:\/\//.test(source)) {
        try {
            figures = await figuresFromPrometheus(source, settings.serving.namespace);
        } catch (err) {
            throw new DebugInputError([
                `--prometheus ${source}: ${err instanceof Error ? err.message : String(err)}; fix: give the Prometheus base URL (kubectl port-forward it if needed)`,
            ]);
        }
    } else {
        let text: string;
        try {
            text = fs.readFileSync(source, "utf8");
        } catch (err) {
            throw new DebugInputError([
                `--prometheus ${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)}); fix: give a Prometheus URL or an existing file`,
            ]);
        }
        try {
            figures = figuresFromText(text);
        } catch (err) {
            throw new DebugInputError([
                `--prometheus ${source}: not Prometheus text format (${err instanceof Error ? err.message : String(err)}); fix: save it with curl '<prometheus>/federate?match[]={__name__=~"modelfleet_track_.*"}'`,
            ]);
        }
    }
    const report = decide(settings, stack, figures);
    return { text: renderRollout(report), json: JSON.stringify(report, null, 2) };
}

/** The stack file the options name, its stack name and its validated settings; problems are input errors. */
function readStack(opts: Pick<DebugOptions, "stack" | "configFile">): { configFile: string; stack: string; settings: FleetSettings } {
    let configFile: string;
    try {
        configFile = opts.configFile !== undefined ? path.resolve(opts.configFile) : stackFileOf(opts.stack ?? "", ROOT);
    } catch (err) {
        if (err instanceof StackFileError) throw new DebugInputError([err.message]);
        throw err;
    }
    const checked = checkStackFile(configFile);
    if (!checked.ok) throw new DebugInputError(checked.errors);
    return { configFile, stack: opts.stack ?? stackNameFromFile(configFile), settings: checked.settings };
}

async function run(opts: DebugOptions, io: DebugIo): Promise<DebugReport> {
    if ((opts.stack === undefined) === (opts.configFile === undefined))
        throw new DebugInputError(["give exactly one of --stack NAME or --config-file PATH"]);
    if (opts.out !== undefined && opts.planDir !== undefined)
        throw new DebugInputError(["give at most one of --out DIR (run the plan) or --plan-dir DIR (read an existing plan)"]);
    const { configFile, stack, settings } = readStack(opts);
    if (opts.kubeconfig !== undefined && !fs.existsSync(opts.kubeconfig))
        throw new DebugInputError([`--kubeconfig ${opts.kubeconfig}: no such file`]);
    const kube = findKubeconfig(opts.kubeconfig, io.env ?? process.env, io.homeDir ?? os.homedir());

    const planDir = path.resolve(opts.planDir ?? opts.out ?? path.join("out", stack));
    if (opts.planDir === undefined)
        await runPlan(opts.configFile !== undefined ? ["--config-file", configFile] : ["--stack", stack], planDir, io);
    const plan = readPlan(path.join(planDir, "plan.json"), stack);
    const policy = readPolicyReport(path.join(planDir, "policy-report.json"));

    const regions = buildInventory(plan, settings).map((region) => ({
        ...region,
        commands: commandsFor(region, stack, settings, kube, opts.kubeconfig),
    }));
    return {
        stack,
        offline: true,
        configFile: relative(configFile),
        plan: {
            file: relative(path.join(planDir, "plan.json")),
            resources: plan.resources.length,
            mandatoryViolations: policy?.violations.filter((v) => v.level === "mandatory").length,
        },
        kubeconfig: kube ? { origin: kube.origin, files: kube.files, contexts: kube.contexts } : null,
        regions,
    };
}

/** Without a kubeconfig only the checks that need no cluster access (curl) are printed. */
function commandsFor(
    region: RegionInventory,
    stack: string,
    settings: FleetSettings,
    kube: KubeconfigSource | undefined,
    explicitPath: string | undefined,
): CommandGroup[] {
    const groups = regionCommands(region, {
        stack,
        domain: settings.serving.domain,
        namespace: settings.serving.namespace,
        activeColor: settings.serving.activeColor,
        access: {
            explicitPath: explicitPath !== undefined ? path.resolve(explicitPath) : undefined,
            contexts: new Set(kube?.contexts ?? []),
        },
    });
    if (kube) return groups;
    return groups
        .filter((g) => g.group === "inference")
        .map((g) => ({ ...g, commands: g.commands.filter((c) => c.command.startsWith("curl ")) }));
}

/** Runs the offline plan in-process; its summary is dropped, its errors are passed on. */
async function runPlan(stackArgs: string[], outDir: string, io: DebugIo): Promise<void> {
    const errors: string[] = [];
    const code = await planMain([...stackArgs, "--out", outDir], { stdout: () => undefined, stderr: (l) => errors.push(l) });
    if (code === 2) throw new DebugInputError(errors.length > 0 ? errors : ["the offline plan failed"]);
    // Exit 1 is a mandatory policy violation: the plan is complete, and the report says so.
    errors.forEach((l) => io.stderr(l));
}

function readPlan(file: string, stack: string): Plan {
    let parsed: unknown;
    try {
        // A regular file, read no further than the cap.
        const read = readBoundedFile(file, MAX_PLAN_FILE_BYTES);
        if (!read.ok)
            throw new DebugInputError([`${relative(file)}: cannot read the plan: ${read.problem}; run: npm run plan -- --stack ${stack}`]);
        parsed = JSON.parse(read.text);
    } catch (err) {
        if (err instanceof DebugInputError) throw err;
        const reason = err instanceof SyntaxError ? `not JSON (${err.message})` : ((err as NodeJS.ErrnoException).code ?? String(err));
        throw new DebugInputError([`${relative(file)}: cannot read the plan: ${reason}; run: npm run plan -- --stack ${stack}`]);
    }
    const plan = parsed as Partial<Plan>;
    if (typeof parsed !== "object" || parsed === null || !Array.isArray(plan.resources)) {
        throw new DebugInputError([`${relative(file)}: not a plan (no resources list)`]);
    }
    if (plan.stack !== undefined && plan.stack !== stack) {
        throw new DebugInputError([`${relative(file)}: is the plan of stack '${plan.stack}', not '${stack}'`]);
    }
    return { project: plan.project ?? PROJECT, stack, resources: plan.resources, outputs: plan.outputs ?? {} };
}

function readPolicyReport(file: string): PolicyReport | undefined {
    try {
        const report = JSON.parse(fs.readFileSync(file, "utf8")) as PolicyReport;
        return Array.isArray(report.violations) ? report : undefined;
    } catch {
        return undefined;
    }
}

function relative(file: string): string {
    return path.relative(process.cwd(), file) || file;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`debug failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(2);
        },
    );
}
