/**
 * IPv4 CIDR arithmetic shared by the network components of every cloud: parse, format,
 * split and align blocks. Pure functions; nothing here knows a cloud's rules.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Block {
    /** Network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when it is not an IPv4 CIDR block. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
    return { base, prefix };
}

export function formatCidr(block: Ipv4Block): string {
    const b = block.base;
    return `${(b >>> 24) & 255}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${block.prefix}`;
}

/** Host bits set in the address (10.10.1.0/16 has some; AWS wants the network address). */
export function hasHostBits(block: Ipv4Block): boolean {
    const hostMask = block.prefix === 0 ? 0xffffffff : 2 ** (32 - block.prefix) - 1;
    return (block.base & hostMask) !== 0;
}

/** The `index`-th block of `newPrefix` inside `block`. */
export function subdivide(block: Ipv4Block, newPrefix: number, index: number): Ipv4Block {
    if (newPrefix < block.prefix || newPrefix > 32) throw new Error(`cannot split a /${block.prefix} into /${newPrefix} blocks`);
    const count = 2 ** (newPrefix - block.prefix);
    if (index < 0 || index >= count) throw new Error(`a /${block.prefix} has ${count} /${newPrefix} blocks, not ${index + 1}`);
    return { base: block.base + index * 2 ** (32 - newPrefix), prefix: newPrefix };
}

/** The block of `prefix` bits that contains `block`'s address. */
export function networkOf(block: Ipv4Block, prefix: number): Ipv4Block {
    const size = 2 ** (32 - prefix);
    return { base: Math.floor(block.base / size) * size, prefix };
}
