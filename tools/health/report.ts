import type { CheckResult, HealthReport } from "./probe";

const HEADERS = ["REGION", "CLOUD", "CHECK", "STATUS", "LATENCY MS", "DETAIL"] as const;

function cells(result: CheckResult): string[] {
    return [
        result.region,
        result.cloud ?? "-",
        result.check,
        result.status,
        result.latencyMs === null ? "-" : String(result.latencyMs),
        result.detail,
    ];
}

function formatRows(rows: readonly string[][], widths: readonly number[]): string {
    // The last column is free text; padding it would only add trailing spaces.
    return rows
        .map((row) => row.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] ?? 0) : cell)).join("  "))
        .join("\n");
}

/** Aligned text table, one row per region and check, then a one-line summary. */
export function renderTable(report: HealthReport): string {
    const table = [Array.from(HEADERS), ...report.results.map(cells)];
    const widths = HEADERS.slice(0, -1).map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
    return `${formatRows(table, widths)}\n\n${summaryLine(report)}\n`;
}

/**
 * The same table printed region by region as verdicts arrive (on a terminal), so a long run
 * shows progress. Column widths are fixed up front from the region names and the longest
 * value each other column can take.
 */
export class StreamingTable {
    private readonly widths: number[];

    constructor(regionNames: readonly string[]) {
        const longest = (values: readonly string[]) => Math.max(...values.map((v) => v.length));
        this.widths = [
            longest([HEADERS[0], ...regionNames]),
            longest([HEADERS[1], "existing"]),
            longest([HEADERS[2], "tensorzero-health"]),
            longest([HEADERS[3], "unreachable"]),
            HEADERS[4].length,
        ];
    }

    header(): string {
        return `${formatRows([Array.from(HEADERS)], this.widths)}\n`;
    }

    region(results: readonly CheckResult[]): string {
        return `${formatRows(results.map(cells), this.widths)}\n`;
    }

    footer(report: HealthReport): string {
        return `\n${summaryLine(report)}\n`;
    }
}

export function summaryLine(report: HealthReport): string {
    const healthyRegions = report.regions.filter((region) => region.status === "healthy").length;
    const degraded = report.regions.filter((region) => region.status === "degraded").map((region) => region.region);
    const healthyChecks = report.results.filter((result) => result.status === "healthy").length;
    const failing = report.regions.filter((region) => region.status === "unhealthy").map((region) => region.region);
    return (
        `${healthyRegions} of ${report.regions.length} regions healthy, ` +
        `${healthyChecks} of ${report.results.length} checks healthy, ${report.elapsedMs} ms` +
        (degraded.length > 0 ? `; degraded: ${degraded.join(", ")}` : "") +
        (failing.length > 0 ? `; failing: ${failing.join(", ")}` : "")
    );
}

/** The report as printed by `--json`: `{ healthy, status, elapsedMs, regions[], results[] }`. */
export function renderJson(report: HealthReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}
