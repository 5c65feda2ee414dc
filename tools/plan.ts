import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, formatProblem, settingsWarnings } from "../config";
import { priceCatalog } from "../config/priceCatalog";
import { catalogProblems, formatCatalogProblem } from "../config/pricing";
import type { Plan, PolicyReport } from "./contracts";
import { regionAttribution } from "./plan/attribution";
import { estimateCost } from "./plan/estimates/cost";
import { renderDiagram } from "./plan/diagram";
import { runOffline } from "./plan/engine";
import { manifestFiles, renderManifests } from "./plan/manifests";
import { idlePools } from "./plan/idle";
import { resolveAliases } from "./plan/aliases";
import { storeRenameProblems } from "./plan/storeRenames";
import { capacityEstimate } from "./plan/estimates/capacity";
import { comparePlans, CompareInputError, readPlanFile } from "./plan/estimates/compare";
import { failoverBoundProblem, failoverEstimate } from "./plan/estimates/failover";
import { estimateLines } from "./plan/estimates/lines";
import { formatSummary } from "./plan/summary";
import { projectRoot } from "./root";
import { claimOutputDir, OutputDirError, writeOutputDir, type ClaimedOutputDir } from "./outdir";
import { checkStackFile, StackFileError, stackFileOf } from "./stackfile";

/**
 * The offline plan: runs the program for one stack file under the SDK's mocks and writes
 * plan.json, policy-report.json and the Kubernetes manifests. Exit 0 when no mandatory
 * policy is violated, 1 when one is, 2 when the stack config is wrong.
 */

export interface PlanIo {
    stdout: (line: string) => void;
    stderr: (line: string) => void;
    /** One line as each phase starts (load, program, policies, write); by default on a terminal's stderr only. */
    progress?: (line: string) => void;
}

const defaultIo: PlanIo = {
    stdout: (l) => console.log(l),
    stderr: (l) => console.error(l),
    progress: process.stderr.isTTY ? (l) => console.error(l) : undefined,
};

const PROJECT = "modelfleet";
const ROOT = projectRoot();
/** Where the program's code is: the project itself, or its built copy in .build/. */
const CODE_ROOT = path.resolve(__dirname, "..");

export async function main(
    argv: string[],
    io: PlanIo = defaultIo,
    /** The day the EKS support calendar is read for (default: now). */
    today: Date = new Date(),
    /** Told the plan once it is written (the comparison reads it). */
    onPlan?: (plan: Plan) => void,
): Promise<number> {
    const started = process.hrtime.bigint();
    const phase = (n: number, name: string, what: string) => io.progress?.(`plan [${n}/4] ${name}: ${what}`);
    const program = new Command("plan")
        .description("Offline plan of a modelfleet stack: resources, Kubernetes manifests and policy verdicts, without a cloud")
        .option("--stack <name>", "stack name; reads Pulumi.<name>.yaml")
        .option("--config-file <path>", "any stack file")
        .option("--out <dir>", "output directory (default out/<stack>)")
        .option(
            "--previous <plan.json>",
            "the plan of the last deployed config (e.g. the base branch's); refuses region renames that would replace a model-store bucket",
        )
        .option("--policy-config <file>", "policy pack config (default: policy/config/<stack>.json if it exists, else the pack's defaults)")
        .option("--compare <stack>", "plan this stack (a name, or a stack file's path) too and print the difference as Markdown")
        .option("--compare-files <plans...>", "print the difference between two plan.json files (OLD NEW) as Markdown; runs no program")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        return err instanceof CommanderError && err.exitCode === 0 ? 0 : 2;
    }
    const opts = program.opts<{
        stack?: string;
        configFile?: string;
        out?: string;
        policyConfig?: string;
        previous?: string;
        compare?: string;
        compareFiles?: string[];
    }>();
    if (opts.compareFiles !== undefined) return compareFiles(opts.compareFiles, io);
    if (opts.compare !== undefined) return compareStacks(opts, opts.compare, io, today);
    if ((opts.stack === undefined) === (opts.configFile === undefined)) {
        io.stderr("give exactly one of --stack NAME or --config-file PATH");
        return 2;
    }
    let file: string;
    try {
        file = opts.configFile !== undefined ? path.resolve(opts.configFile) : stackFileOf(opts.stack ?? "", ROOT);
    } catch (err) {
        if (!(err instanceof StackFileError)) throw err;
        io.stderr(err.message);
        return 2;
    }
    const stack = opts.stack ?? stackNameFromFile(file);
    const outDir = path.resolve(opts.out ?? path.join("out", stack));
    let claimed: ClaimedOutputDir;
    try {
        claimed = claimOutputDir(opts.out ?? path.join("out", stack), {
            flag: "--out",
            protectedDirs: protectedDirs(),
        });
    } catch (err) {
        if (!(err instanceof OutputDirError)) throw err;
        io.stderr(err.message);
        return 2;
    }

    phase(1, "load", path.relative(process.cwd(), file) || file);
    const checked = checkStackFile(file, { stack, today });
    if (!checked.ok) {
        checked.errors.forEach((l) => io.stderr(l));
        return 2;
    }
    const { stackFile, settings } = checked;
    const catalogErrors = catalogProblems(priceCatalog);
    if (catalogErrors.length > 0) {
        catalogErrors.forEach((p) => io.stderr(formatCatalogProblem(p)));
        return 2;
    }
    for (const warning of settingsWarnings(settings, { today })) io.stderr(`warning: ${warning}`);
    // The environment, which also decides protect, picks the policy config; a stack named after
    // an environment must declare that environment, so the two never disagree.
    const policyConfig = choosePolicyConfig(opts.policyConfig, settings.environment);
    if (policyConfig.file !== undefined && !fs.existsSync(policyConfig.file)) {
        io.stderr(`--policy-config ${opts.policyConfig}: no such file`);
        return 2;
    }

    phase(2, "program", "running index.ts under the mock engine");
    const run = await runOffline({
        project: PROJECT,
        stack,
        config: stackFile.config,
        secretKeys: stackFile.secretKeys,
        program: () => loadProgram(),
    });
    if (run.errors.length > 0) {
        for (const e of run.errors) {
            if (e instanceof ConfigError) e.problems.forEach((p) => io.stderr(formatProblem(p)));
            else programErrorLines(e).forEach((l) => io.stderr(l));
        }
        return 2;
    }

    const plan: Plan = { project: PROJECT, stack, resources: run.resources, outputs: run.outputs };
    let againstPrevious: string | undefined;
    if (opts.previous !== undefined) {
        const previous = readPreviousPlan(opts.previous);
        if (typeof previous === "string") {
            io.stderr(previous);
            return 2;
        }
        const renames = storeRenameProblems(previous.resources, plan.resources, settings.regions);
        if (renames.length > 0) {
            renames.forEach((p) => io.stderr(formatProblem(p)));
            return 2;
        }
        const resolution = resolveAliases(previous.resources, plan.resources);
        if (resolution.conflicts.length > 0) {
            resolution.conflicts.forEach((c) => io.stderr(`aliases: ${c}; fix: set formerName only on the region that had that name`));
            return 2;
        }
        againstPrevious = `against ${opts.previous}: ${resolution.same.length} resources keep their URN, ${resolution.aliased.size} take over an old URN through aliases, ${resolution.created.length} are new, ${resolution.deleted.length} go away`;
    }
    let report: PolicyReport;
    try {
        phase(3, "policies", `${plan.resources.length} resources, policy config ${policyConfig.description}`);
        report = await evaluatePlan(plan, policyConfig);
    } catch (err) {
        const { PolicyConfigError } = await import("./policy-runner");
        if (!(err instanceof PolicyConfigError)) throw err;
        err.problems.forEach((p) => io.stderr(`policy config: ${p}`));
        return 2;
    }
    const failover = failoverEstimate(plan.resources, settings.globalEntry.maxFailoverSeconds);
    const regionOf = regionAttribution(plan.resources);
    plan.estimates = {
        failover,
        capacity: capacityEstimate(settings),
        cost: estimateCost({ resources: plan.resources, regionOf, settings, catalog: priceCatalog, today }),
    };
    const manifests = renderManifests(plan.resources, regionOf);

    const declaredPools = settings.regions.flatMap((r) =>
        r.cloud === "existing" ? r.gpuPools.map((p) => ({ region: r.name, name: p.name, gpusPerNode: p.gpusPerNode, model: p.model })) : [],
    );
    const locations = Object.fromEntries(settings.regions.map((r) => [r.name, r.region]));
    phase(4, "write", path.relative(process.cwd(), outDir) || ".");
    writeOutputDir(claimed, "modelfleet plan", [
        { path: "plan.json", content: `${JSON.stringify(plan, null, 2)}\n` },
        { path: "policy-report.json", content: `${JSON.stringify(report, null, 2)}\n` },
        ...manifestFiles(manifests),
        { path: "diagram.md", content: renderDiagram(plan, regionOf, { domain: settings.serving.domain, locations, declaredPools }) },
    ]);

    const skipped = Array.isArray(run.outputs["skippedRegions"]) ? (run.outputs["skippedRegions"] as unknown[]).map(String) : [];
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    io.stdout(
        formatSummary({
            plan,
            report,
            regionOf,
            manifestCount: manifests.length,
            outDir: path.relative(process.cwd(), outDir) || ".",
            skippedRegions: skipped,
            policyConfig: policyConfig.description,
            wallMs,
        }),
    );
    if (againstPrevious !== undefined) io.stdout(againstPrevious);
    for (const line of idlePools(settings)) io.stdout(line);
    for (const line of estimateLines(plan.estimates)) io.stdout(line);
    onPlan?.(plan);
    // Like a mandatory policy: the pack cannot see the stack file's bound, so the plan holds it.
    const tooSlow = failoverBoundProblem(plan.resources, failover, settings.globalEntry.healthCheck);
    if (tooSlow !== undefined) io.stderr(tooSlow);
    return report.violations.some((v) => v.level === "mandatory") || tooSlow !== undefined ? 1 : 0;
}

/** `--compare-files OLD NEW`: the difference of two written plans, without running the program. */
function compareFiles(files: string[], io: PlanIo): number {
    if (files.length !== 2) {
        io.stderr(
            `--compare-files takes two plan.json files (OLD NEW), got ${files.length}; fix: npm run plan -- --compare-files base/plan.json head/plan.json`,
        );
        return 2;
    }
    try {
        const [base, head] = files.map((f) => ({ label: f, plan: readPlanFile(f) }));
        io.stdout(comparePlans(base, head));
        return 0;
    } catch (err) {
        if (!(err instanceof CompareInputError)) throw err;
        io.stderr(err.message);
        return 2;
    }
}

/**
 * `--stack A --compare B`: plans A as usual, then B into a folder beside A's, then prints
 * the difference from A to B. Exit: 2 when either plan's config is wrong, else the worse of
 * the two plans' verdicts.
 */
async function compareStacks(
    opts: { stack?: string; configFile?: string; out?: string; policyConfig?: string },
    other: string,
    io: PlanIo,
    today: Date,
): Promise<number> {
    const isFile = /\.ya?ml$/.test(other) || other.includes("/") || other.includes(path.sep);
    const first = opts.stack ?? stackNameFromFile(path.resolve(opts.configFile ?? ""));
    const second = isFile ? stackNameFromFile(path.resolve(other)) : other;
    const firstOut = opts.out ?? path.join("out", first);
    const secondOut = path.join(path.dirname(firstOut), second === path.basename(firstOut) ? `${second}-compared` : second);
    const shared = opts.policyConfig !== undefined ? ["--policy-config", opts.policyConfig] : [];
    const plans: Plan[] = [];
    const keep = (p: Plan) => plans.push(p);
    const source = opts.stack !== undefined ? ["--stack", opts.stack] : ["--config-file", opts.configFile ?? ""];
    const a = await main([...source, "--out", firstOut, ...shared], io, today, keep);
    if (a === 2) return 2;
    const b = await main([...(isFile ? ["--config-file", other] : ["--stack", other]), "--out", secondOut, ...shared], io, today, keep);
    if (b === 2 || plans.length !== 2) return 2;
    io.stdout("");
    io.stdout(comparePlans({ label: first, plan: plans[0] }, { label: second, plan: plans[1] }));
    return Math.max(a, b);
}

/**
 * Folders no tool writes into, nor into a folder holding one: the working directory (and
 * the one npm was started from, as `npm --prefix` changes it) and the repository root.
 */
export function protectedDirs(): Record<string, string | undefined> {
    return {
        "the working directory": process.cwd(),
        "the directory npm was started from": process.env["INIT_CWD"],
        "the repository root": ROOT,
    };
}

/** Every line of a program error: a component lists all its problems, one per line. */
export function programErrorLines(err: Error): string[] {
    const lines = err.message.split("\n").filter((l) => l.trim() !== "");
    return lines.map((l, i) => (i === 0 ? `the program failed: ${l}` : `  ${l.trim()}`));
}

/**
 * Loads index.ts afresh: the program creates its resources when its module is evaluated,
 * so a second plan in the same process must not get the cached module of the first.
 */
function loadProgram(): Record<string, unknown> {
    // config/ and tools/ hold no resources and are shared with this tool (ConfigError must stay one class).
    const entry = require.resolve(path.join(CODE_ROOT, "index"));
    const components = path.join(CODE_ROOT, "components") + path.sep;
    for (const file of Object.keys(require.cache)) if (file === entry || file.startsWith(components)) delete require.cache[file];
    return require(entry) as Record<string, unknown>;
}

/** A previous plan.json, or the one line that says why it cannot be used. */
function readPreviousPlan(file: string): Plan | string {
    try {
        const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
        const resources = typeof parsed === "object" && parsed !== null ? (parsed as Partial<Plan>).resources : undefined;
        if (!Array.isArray(resources))
            return `--previous ${file}: not a plan.json (no resources list); fix: give the plan.json an earlier plan wrote`;
        return parsed as Plan;
    } catch (err) {
        const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
        return `--previous ${file}: cannot read it (${reason}); fix: give the plan.json an earlier plan wrote`;
    }
}

/** `Pulumi.prod.yaml` → prod; any other file name → its base name. */
export function stackNameFromFile(file: string): string {
    const base = path.basename(file);
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
    return m ? m[1] : base.replace(/\.ya?ml$/, "");
}

/** The policy config a plan is judged by, and how it was chosen (for the summary). */
export interface PolicyConfigChoice {
    /** Undefined: the pack's own defaults. */
    file?: string;
    description: string;
}

/**
 * `--policy-config FILE` when given; else `policy/config/<environment>.json` for the stack's
 * `modelfleet:environment`; else the pack's defaults.
 */
export function choosePolicyConfig(flag: string | undefined, environment: string): PolicyConfigChoice {
    if (flag !== undefined) return { file: path.resolve(flag), description: `${flag} (--policy-config)` };
    const own = path.join(ROOT, "policy", "config", `${environment}.json`);
    const shown = path.relative(ROOT, own);
    if (fs.existsSync(own)) return { file: own, description: `${shown} (environment ${environment})` };
    return { description: `the pack's defaults (no ${shown})` };
}

/** Runs the policy pack over the plan with the chosen policy config. */
async function evaluatePlan(plan: Plan, choice: PolicyConfigChoice): Promise<PolicyReport> {
    const { evaluatePolicies, loadPolicyConfig } = await import("./policy-runner");
    const config = choice.file !== undefined ? loadPolicyConfig(choice.file) : undefined;
    return evaluatePolicies(plan.resources, { config });
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(2);
        },
    );
}
