/**
 * Just enough of Kubernetes resource quantities for sizing the quota and checking pods fit
 * their nodes: CPU in millicores, memory in bytes. The config schema restricts quantities
 * to `<number>[m|Ki|Mi|Gi|Ti]`.
 */

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

function split(quantity: string): { value: number; suffix: string } {
    const match = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(quantity);
    if (!match) throw new Error(`'${quantity}' is not a quantity such as 500m, 4 or 16Gi`);
    return { value: Number(match[1]), suffix: match[2] ?? "" };
}

/** True for quantities this module can read. */
export function isQuantity(quantity: string): boolean {
    return /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti)?$/.test(quantity);
}

export function milliCpu(quantity: string): number {
    const { value, suffix } = split(quantity);
    if (suffix === "m") return Math.round(value);
    if (suffix === "") return Math.round(value * 1000);
    throw new Error(`'${quantity}' is not a CPU quantity such as 500m or 4`);
}

export function bytes(quantity: string): number {
    const { value, suffix } = split(quantity);
    if (suffix === "m") return Math.round(value / 1000);
    return Math.round(value * (binary[suffix] ?? 1));
}

/** Millicores as a quantity: whole cores when exact. */
export function formatCpu(millicores: number): string {
    return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes as a quantity: Gi when exact, else Mi (rounded up). */
export function formatMemory(byteCount: number): string {
    if (byteCount % binary.Gi === 0) return `${byteCount / binary.Gi}Gi`;
    return `${Math.ceil(byteCount / binary.Mi)}Mi`;
}
