import * as fs from "fs";
import type { Plan } from "../../contracts";

/**
 * The difference between two plans, as Markdown for a pull-request comment: every number
 * either plan's `estimates` holds (failover, headroom, cost, whatever a later plan adds),
 * and the count of cloud and Kubernetes resources by type. Numbers are found by walking the
 * estimates, so a figure added to the plan shows up here without a change.
 */

/** A number in `estimates`, by its path: `failover.regions.use1.stopSeconds`, `capacity.pools[use1/l4].usedPods`. */
export type Figures = Map<string, number>;

/** Fields that name an element of a list, in the order a key is built from them. */
const IDENTITY_FIELDS = ["region", "pool", "name", "type", "id", "sku"];

function elementKey(element: unknown, index: number): string {
    if (typeof element !== "object" || element === null) return String(index);
    const record = element as Record<string, unknown>;
    const parts = IDENTITY_FIELDS.map((f) => record[f]).filter((v): v is string => typeof v === "string");
    return parts.length > 0 ? parts.join("/") : String(index);
}

/** Every finite number under `value`, by path. */
export function figuresOf(value: unknown, prefix = "", into: Figures = new Map()): Figures {
    if (typeof value === "number") {
        if (Number.isFinite(value) && prefix !== "") into.set(prefix, value);
    } else if (Array.isArray(value)) {
        value.forEach((element, i) => figuresOf(element, `${prefix}[${elementKey(element, i)}]`, into));
    } else if (typeof value === "object" && value !== null) {
        for (const [key, child] of Object.entries(value)) figuresOf(child, prefix === "" ? key : `${prefix}.${key}`, into);
    }
    return into;
}

/** Custom resources per type. */
export function resourceCounts(plan: Plan): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of plan.resources) if (r?.custom === true) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return counts;
}

interface Row {
    key: string;
    base?: number;
    head?: number;
}

/**
 * The figures a reviewer reads first, in this order: the fleet's monthly totals, the worst
 * failover, each region's monthly sums; everything else follows by name.
 */
const HEADLINES = [/^cost\.total\./, /^failover\.worst\./, /^cost\.(regions\.[^.]+|global)\.\w+Monthly$/];

function rank(key: string): number {
    const i = HEADLINES.findIndex((re) => re.test(key));
    return i === -1 ? HEADLINES.length : i;
}

function rows(base: Map<string, number>, head: Map<string, number>): Row[] {
    const keys = [...new Set([...base.keys(), ...head.keys()])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return keys.map((key) => ({ key, base: base.get(key), head: head.get(key) }));
}

/** Rounded to cents at most, without trailing zeros: 84, 1234.5, 0.07. */
function shown(n: number | undefined): string {
    if (n === undefined) return "—";
    return String(Math.round(n * 100) / 100);
}

function change(row: Row): string {
    if (row.base === undefined) return "new";
    if (row.head === undefined) return "gone";
    const d = Math.round((row.head - row.base) * 100) / 100;
    return d > 0 ? `+${d}` : String(d);
}

function table(title: string, first: string, all: Row[], unchangedNote: string): string[] {
    const changed = all.filter((r) => r.base !== r.head);
    const lines = [`### ${title}`, ""];
    if (changed.length === 0) {
        lines.push(`No change (${all.length} ${unchangedNote}).`, "");
        return lines;
    }
    lines.push(`| ${first} | base | head | change |`, "| --- | ---: | ---: | ---: |");
    for (const r of changed) lines.push(`| \`${r.key}\` | ${shown(r.base)} | ${shown(r.head)} | ${change(r)} |`);
    const same = all.length - changed.length;
    lines.push("");
    if (same > 0) lines.push(`${same} other ${unchangedNote} unchanged.`, "");
    return lines;
}

export interface ComparedPlan {
    /** How the plan is named in the heading: a stack name or a file. */
    label: string;
    plan: Plan;
}

export function comparePlans(base: ComparedPlan, head: ComparedPlan): string {
    const baseFigures = figuresOf(base.plan.estimates ?? {});
    const headFigures = figuresOf(head.plan.estimates ?? {});
    const baseCounts = resourceCounts(base.plan);
    const headCounts = resourceCounts(head.plan);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const lines = [
        `## modelfleet plan: ${base.label} → ${head.label}`,
        "",
        "Offline plans (mocked engine, nothing deployed); base is the first, head the second.",
        "",
    ];
    if (baseFigures.size === 0 && headFigures.size === 0) lines.push("### Estimates", "", "Neither plan holds estimates.", "");
    else lines.push(...table("Estimates", "Figure", rows(baseFigures, headFigures), "figure(s)"));
    const resourceRows = rows(baseCounts, headCounts);
    lines.push(...table("Resources by type", "Type", resourceRows, "type(s)"));
    lines.push(
        `Resources in all: ${total(baseCounts)} → ${total(headCounts)} (${change({ key: "", base: total(baseCounts), head: total(headCounts) })}).`,
    );
    return lines.join("\n");
}

/** Bad input to `--compare-files`: the message is the one line to print. */
export class CompareInputError extends Error {}

/** Largest plan.json read for a comparison (the prod stack's is about 1 MiB). */
const MAX_PLAN_BYTES = 64 * 2 ** 20;

/** A plan.json from disk, or a CompareInputError naming the file and the fix. */
export function readPlanFile(file: string): Plan {
    const fix = "fix: give a plan.json that `npm run plan` wrote";
    let text: string;
    try {
        const size = fs.statSync(file).size;
        if (size > MAX_PLAN_BYTES) throw new CompareInputError(`--compare-files ${file}: larger than 64 MiB, not a plan.json; ${fix}`);
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if (err instanceof CompareInputError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (err as Error).message.split("\n")[0];
        throw new CompareInputError(`--compare-files ${file}: ${reason}; ${fix}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new CompareInputError(`--compare-files ${file}: not JSON, so not a plan.json; ${fix}`);
    }
    const plan = parsed as Partial<Plan> | null;
    if (typeof plan !== "object" || plan === null || typeof plan.stack !== "string" || !Array.isArray(plan.resources)) {
        throw new CompareInputError(`--compare-files ${file}: not a plan.json (no stack and resources list); ${fix}`);
    }
    return plan as Plan;
}
