/**
 * Subnet layout of an AWS region's VPC, as pure functions so the layout is tested without
 * any cloud. Private subnets hold the nodes and, with the VPC CNI, every pod IP, so they get
 * the large blocks; public subnets hold only NAT gateways and load balancers.
 */

/** Smallest subnet AWS allows (/28: 16 addresses, 11 usable). */
export const MIN_SUBNET_PREFIX = 28;

/** A parsed IPv4 CIDR block. */
export interface Ipv4Block {
    /** Network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

/** The subnets of one VPC, index i of each list in availability zone i. */
export interface SubnetLayout {
    privateCidrs: string[];
    publicCidrs: string[];
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

/** Bits needed to number `n` things. */
function bitsFor(n: number): number {
    return Math.max(0, Math.ceil(Math.log2(n)));
}

/**
 * Splits the VPC into `azCount` equal private subnets and keeps the next free block of the
 * same size for the public subnets, cut into `azCount` equal parts. A /16 over three zones
 * gives three /18 private subnets (16k pod and node IPs each) and three /20 public ones.
 * Throws when the VPC is too small for subnets of at least /28.
 */
export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) throw new Error(`'${vpcCidr}' is not an IPv4 CIDR block`);
    if (!Number.isInteger(azCount) || azCount < 1) throw new Error(`azCount must be a positive integer, got ${azCount}`);
    // One more block than zones: the spare one is carved into the public subnets.
    const privatePrefix = vpc.prefix + bitsFor(azCount + 1);
    const publicPrefix = privatePrefix + bitsFor(azCount);
    if (publicPrefix > MIN_SUBNET_PREFIX) {
        throw new Error(
            `${vpcCidr} is too small for ${azCount} zones: public subnets would be /${publicPrefix}, AWS's smallest is /${MIN_SUBNET_PREFIX}`,
        );
    }
    const blocks = 2 ** (privatePrefix - vpc.prefix);
    const publicParent = subdivide(vpc, privatePrefix, blocks - 1);
    const zones = Array.from({ length: azCount }, (_, i) => i);
    return {
        privateCidrs: zones.map((i) => formatCidr(subdivide(vpc, privatePrefix, i))),
        publicCidrs: zones.map((i) => formatCidr(subdivide(publicParent, publicPrefix, i))),
    };
}

/** Problems with a VPC CIDR for this layout, as sentences (empty when it is usable). */
export function vpcCidrProblems(vpcCidr: string, azCount: number): string[] {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) return [`'${vpcCidr}' is not an IPv4 CIDR block`];
    const problems: string[] = [];
    if (vpc.prefix < 16 || vpc.prefix > 28) problems.push(`is /${vpc.prefix}; an AWS VPC must be between /16 and /28`);
    if (hasHostBits(vpc))
        problems.push(
            `has host bits set; use the network address ${formatCidr({ base: (vpc.base & ~(2 ** (32 - vpc.prefix) - 1)) >>> 0, prefix: vpc.prefix })}`,
        );
    if (problems.length === 0) {
        try {
            subnetLayout(vpcCidr, azCount);
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    return problems;
}
