/** Small statistics for the bench: medians of repeated runs and growth per added region. */

export function median(values: number[]): number {
    if (values.length === 0) throw new Error("median of no values");
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The least-squares slope of y over x: how much y grows per unit of x. With fleets of
 * 1, 4, 16 and 32 regions, the cost of one more region, unbiased by the fixed start-up.
 */
export function slope(points: Array<{ x: number; y: number }>): number {
    if (points.length < 2) throw new Error("a slope needs at least two points");
    const n = points.length;
    const mx = points.reduce((s, p) => s + p.x, 0) / n;
    const my = points.reduce((s, p) => s + p.y, 0) / n;
    const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    if (sxx === 0) throw new Error("a slope needs at least two different sizes");
    return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}
