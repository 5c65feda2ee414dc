import type { HealthReport } from "./probe";

const HEADERS = ["REGION", "CLOUD", "CHECK", "STATUS", "LATENCY MS", "DETAIL"] as const;

/** Aligned text table, one row per region and check, then a one-line summary. */
export function renderTable(report: HealthReport): string {
    const rows = report.results.map((result) => [
        result.region,
        result.cloud ?? "-",
        result.check,
        result.status,
        result.latencyMs === null ? "-" : String(result.latencyMs),
        result.detail,
    ]);
    const table = [Array.from(HEADERS), ...rows];
    // The last column is free text; padding it would only add trailing spaces.
    const widths = HEADERS.slice(0, -1).map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
    const lines = table.map((row) =>
        row.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] ?? 0) : cell)).join("  "),
    );
    return `${lines.join("\n")}\n\n${summaryLine(report)}\n`;
}

export function summaryLine(report: HealthReport): string {
    const healthyRegions = report.regions.filter((region) => region.healthy).length;
    const healthyChecks = report.results.filter((result) => result.status === "healthy").length;
    const failing = report.regions.filter((region) => !region.healthy).map((region) => region.region);
    return (
        `${healthyRegions} of ${report.regions.length} regions healthy, ` +
        `${healthyChecks} of ${report.results.length} checks healthy, ${report.elapsedMs} ms` +
        (failing.length > 0 ? `; failing: ${failing.join(", ")}` : "")
    );
}

/** The report as printed by `--json`: `{ healthy, elapsedMs, regions[], results[] }`. */
export function renderJson(report: HealthReport): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}
